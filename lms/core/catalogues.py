"""Compiled message catalogues (``.mo``), made from the ``.po`` files, never committed.

The wheel carries them (``hatch_build.py`` calls :func:`compile_catalogues` at build time); an
editable install, ``make run`` and ``make test`` compile them on app start when a ``.mo`` is
missing or older than its ``.po``. When the package directory cannot be written (a read-only
install), they are compiled into ``<instance>/translations`` instead, an extra
``BABEL_TRANSLATION_DIRECTORIES`` entry.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def stale_catalogues(source: Path, target: Path) -> list[tuple[Path, Path]]:
    """``(po, mo)`` pairs under ``source`` whose ``.mo`` under ``target`` is missing or older."""
    pairs = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pairs.append((po, mo))
    return pairs


def compile_catalogue(po: Path, mo: Path) -> None:
    """One ``.po`` to its ``.mo`` (fuzzy entries left out, as ``pybabel compile`` does),
    written to a temporary file first so a reader never sees half a catalogue."""
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=po.parent.parent.name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
    with partial.open("wb") as handle:
        write_mo(handle, catalogue, use_fuzzy=False)
    os.replace(partial, mo)


def compile_catalogues(source: Path, target: Path | None = None) -> list[Path]:
    """Compile every stale catalogue under ``source`` (into ``target``, by default beside the
    ``.po``); the ``.mo`` files written."""
    written = []
    for po, mo in stale_catalogues(source, target or source):
        compile_catalogue(po, mo)
        written.append(mo)
    return written


def ensure_compiled(source: Path, instance_dir: Path) -> Path | None:
    """On app start: compile beside the ``.po`` files; if that directory is read-only, into
    ``instance_dir`` and return it (to be added to the translation directories)."""
    try:
        compile_catalogues(source)
    except OSError as error:
        log.info("Catalogues not writable in %s (%s): into %s", source, error, instance_dir)
        compile_catalogues(source, instance_dir)
        return instance_dir
    return None
