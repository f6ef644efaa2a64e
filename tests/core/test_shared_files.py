"""Tests that need the shared/ folder skip without it, but fail in CI (``CI=true``)."""

from __future__ import annotations

import pytest

from tests.shared import require_shared


def test_a_present_shared_file_is_returned(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    present = tmp_path / "schema.json"
    present.write_text("{}", encoding="utf-8")
    assert require_shared(present) == present


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_a_missing_shared_file_skips_outside_ci(tmp_path, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="shared/ folder beside the repository"):
        require_shared(tmp_path / "absent.json")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_a_missing_shared_file_fails_in_ci(tmp_path, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI=true requires it"):
        require_shared(tmp_path / "absent.json")
