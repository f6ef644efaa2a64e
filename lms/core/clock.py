"""The one place the application asks for the date, so tests and demos can fix "today".

``LMS_TODAY`` in the app configuration (an ISO date) pins it; otherwise it is the UTC date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def today() -> date:
    if has_app_context():
        pinned = current_app.config.get("LMS_TODAY")
        if pinned:
            return pinned if isinstance(pinned, date) else date.fromisoformat(str(pinned))
    return datetime.now(UTC).date()


def now() -> datetime:
    """The current moment (aware, UTC), on the pinned day when ``LMS_TODAY`` pins one."""
    current = datetime.now(UTC)
    return datetime.combine(today(), current.timetz())
