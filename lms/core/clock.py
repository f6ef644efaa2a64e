"""The one place the application asks for the date, so tests and demos can fix "today".

``LMS_TODAY`` in the app configuration (an ISO date) pins it; otherwise it is the UTC date.
``travel`` moves both "today" and "now" for a block (building the demo's history).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from flask import current_app, has_app_context

from lms.core.model_base import _travelled_to


@contextmanager
def travel(day: date | datetime) -> Iterator[None]:
    """Within the block, "now" (every recorded timestamp) and "today" are ``day`` (noon UTC
    for a date). For building history, such as the demo's three past years, through the
    same services as live use; never used by a request."""
    moment = day if isinstance(day, datetime) else datetime.combine(day, time(12), UTC)
    token = _travelled_to.set(moment)
    try:
        yield
    finally:
        _travelled_to.reset(token)


def today() -> date:
    travelled = _travelled_to.get()
    if travelled is not None:
        return travelled.date()
    if has_app_context():
        pinned = current_app.config.get("LMS_TODAY")
        if pinned:
            return pinned if isinstance(pinned, date) else date.fromisoformat(str(pinned))
    return datetime.now(UTC).date()


def now() -> datetime:
    """The current moment (aware, UTC), on the pinned day when ``LMS_TODAY`` pins one; the
    travelled moment within ``travel``."""
    travelled = _travelled_to.get()
    if travelled is not None:
        return travelled
    current = datetime.now(UTC)
    return datetime.combine(today(), current.timetz())
