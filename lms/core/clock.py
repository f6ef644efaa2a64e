"""The one place views ask for the date, so tests (and demo runs) can fix "today"."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    return datetime.now(UTC).date()
