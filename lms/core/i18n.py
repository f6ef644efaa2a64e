"""Locale and time zone selection for Flask-Babel.

Outside a browser request (scheduler jobs, background report runs, the CLI) there is no
user or Accept-Language header: the default locale applies unless the caller forces one with
``flask_babel.force_locale``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date as _babel_date
from flask import current_app, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_login import current_user

# One way to write a day per language, on every page, PDF and message (``format_day``, the
# ``date`` template filter); moments add the time, in the configured time zone.
DATE_PATTERNS = {"en": "yyyy-MM-dd", "fr": "dd/MM/yyyy"}


def _(text: str, **values: Any) -> str:
    """Translate in a request (the reader's language); outside one (CLI, jobs, tests) there is
    no reader to choose a language for, so the English text is used as it is."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def select_locale() -> str | None:
    if not has_request_context():
        return None
    languages = current_app.config["LMS_LANGUAGES"]
    if (
        getattr(current_user, "is_authenticated", False)
        and current_user.preferred_language in languages
    ):
        return current_user.preferred_language
    return request.accept_languages.best_match(languages)


def select_timezone() -> str | None:
    return current_app.config["LMS_TIMEZONE"]


def _pattern() -> str:
    locale = str(get_locale() or "") if has_request_context() else ""
    return DATE_PATTERNS.get(locale.split("_")[0], DATE_PATTERNS["en"])


def format_day(value: date | datetime | None) -> str:
    """A day in the reader's language (``2026-03-02`` in English, ``02/03/2026`` in French);
    ``—`` for none."""
    if not value:
        return "—"
    if has_request_context():
        return format_date(value, _pattern())
    return _babel_date(value, DATE_PATTERNS["en"], locale="en")


def format_moment(value: datetime | None) -> str:
    """A date and time in the reader's language and the configured time zone."""
    if not value:
        return "—"
    if has_request_context():
        return format_datetime(value, f"{_pattern()} HH:mm")
    return value.strftime("%Y-%m-%d %H:%M")
