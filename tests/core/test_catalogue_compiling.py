"""Compiled catalogues: made at build time (the wheel) and on app start, never committed."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import write_po

from lms.core.catalogues import compile_catalogues, ensure_compiled, stale_catalogues

ROOT = Path(__file__).resolve().parents[2]


def _po(directory: Path, locale: str, entries: dict[str, str]) -> Path:
    catalogue = Catalog(locale=locale)
    for msgid, msgstr in entries.items():
        catalogue.add(msgid, msgstr)
    path = directory / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    return path


def test_a_missing_or_older_mo_is_compiled_and_a_fresh_one_left_alone(tmp_path):
    po = _po(tmp_path, "fr", {"Save": "Enregistrer"})
    mo = po.with_suffix(".mo")
    assert stale_catalogues(tmp_path, tmp_path) == [(po, mo)]
    assert compile_catalogues(tmp_path) == [mo]
    with mo.open("rb") as handle:
        assert read_mo(handle).get("Save").string == "Enregistrer"
    assert compile_catalogues(tmp_path) == []  # up to date
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert compile_catalogues(tmp_path) == [mo]


def test_a_read_only_package_compiles_into_the_instance_directory(tmp_path, monkeypatch):
    source = tmp_path / "package"
    _po(source, "fr", {"Save": "Enregistrer"})
    instance = tmp_path / "instance"
    from lms.core import catalogues

    real = catalogues.compile_catalogues

    def refuse_in_package(src, target=None):
        if target is None:
            raise PermissionError("read-only")
        return real(src, target)

    monkeypatch.setattr(catalogues, "compile_catalogues", refuse_in_package)
    assert ensure_compiled(source, instance) == instance
    assert (instance / "fr" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not (source / "fr" / "LC_MESSAGES" / "messages.mo").exists()


def test_the_app_start_compiles_the_french_catalogue(app):
    mo = ROOT / "lms" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"
    assert mo.is_file()
    assert mo.stat().st_mtime >= mo.with_suffix(".po").stat().st_mtime
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        from flask_babel import gettext

        assert gettext("Log in") == "Se connecter"


def test_mo_files_are_not_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert tracked.stdout == ""
    ignored = subprocess.run(
        ["git", "check-ignore", "lms/translations/fr/LC_MESSAGES/messages.mo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0


def test_a_fresh_wheel_carries_the_compiled_catalogue(tmp_path):
    """The real build (hatchling with the project's hook) from a copy without any .mo."""
    from hatchling.builders.wheel import WheelBuilder

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for name in ("lms", "templates", "static"):
        shutil.copytree(ROOT / name, checkout / name, ignore=ignore)
    assert not list(checkout.glob("lms/translations/*/LC_MESSAGES/*.mo"))
    wheel = next(WheelBuilder(str(checkout)).build(directory=str(tmp_path / "dist")))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "lms/translations/fr/LC_MESSAGES/messages.mo" in names
        with archive.open("lms/translations/fr/LC_MESSAGES/messages.mo") as handle:
            catalogue = read_mo(handle)
    assert catalogue.get("Log in").string == "Se connecter"
    assert len([m for m in catalogue if m.id]) > 1000
