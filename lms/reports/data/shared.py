"""What every report's plain data shares: the table every renderer draws, and how dates are
written in a cell (ISO, so CSV and XLSX sort and parse them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any


@dataclass
class TableData:
    """One table of a report: what CSV, XLSX, the PDF and the statistics page all render."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """A period of whole days as the half-open range of instants [start, end + 1 day)."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
