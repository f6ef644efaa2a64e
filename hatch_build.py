"""Hatch build hook: the wheel carries compiled message catalogues (``.mo`` files are not
committed; see ``lms/core/catalogues.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TRANSLATIONS = Path("lms") / "translations"


def _catalogues_module(root: Path) -> Any:
    """``lms.core.catalogues`` loaded by path: building must not import the app (or its
    dependencies beyond Babel)."""
    spec = importlib.util.spec_from_file_location(
        "_lms_catalogues", root / "lms" / "core" / "catalogues.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_for_build(root: Path) -> list[Path]:
    """Compile every ``lms/translations/*/LC_MESSAGES/*.po`` (missing or stale ``.mo``)."""
    source = root / TRANSLATIONS
    module = _catalogues_module(root)
    module.compile_catalogues(source)
    return sorted(source.glob("*/LC_MESSAGES/*.mo"))


class CatalogueBuildHook(BuildHookInterface):
    PLUGIN_NAME = "catalogues"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # an editable install compiles on app start, beside the .po files
        root = Path(self.root)
        for mo in compile_for_build(root):
            # Git-ignored, so hatch would leave them out: include them explicitly.
            relative = mo.relative_to(root).as_posix()
            build_data["force_include"][str(mo)] = relative
