"""Files of the ``shared/`` folder beside the repository (published schemas) that some tests
validate against. Where a file is missing the test is skipped with the reason, except in CI
(``CI=true``), where it fails: CI must not pass without having run those tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SHARED_DIR

CASE_SCHEMA = SHARED_DIR / "schemas" / "case-1.0" / "case-v1p0-cfpackage-schema.json"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_shared(path: Path) -> Path:
    """``path`` if it exists; otherwise skip the test, or fail it in CI."""
    if path.is_file():
        return path
    reason = f"{path} not found (the shared/ folder beside the repository is absent)"
    if in_ci():
        pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
    pytest.skip(reason)
