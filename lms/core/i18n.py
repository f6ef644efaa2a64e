"""Locale and time zone selection for Flask-Babel.

Outside a browser request (scheduler jobs, background report runs, the CLI) there is no
user or Accept-Language header: the default locale applies unless the caller forces one with
``flask_babel.force_locale``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext, ngettext, pgettext
from flask_login import current_user

# The language a visitor chose with the switch (anonymous visitors too), in the Flask session.
LANGUAGE_KEY = "language"

# One way to write a day per language, on every page, PDF and message (``format_day``, the
# ``date`` template filter); moments add the time, in the configured time zone.
DATE_PATTERNS = {"en": "yyyy-MM-dd", "fr": "dd/MM/yyyy"}


def _(text: str, **values: Any) -> str:
    """Translate in a request (the reader's language); outside one (CLI, jobs, tests) there is
    no reader to choose a language for, so the English text is used as it is."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def _p(context: str, text: str, **values: Any) -> str:
    """``pgettext``: one English word with two meanings (``Open`` a status, ``Open`` a link)
    gets a translation per ``context``; outside a request, the English text."""
    if has_request_context():
        return pgettext(context, text, **values)
    return text % values if values else text


def _n(singular: str, plural: str, num: int, **values: Any) -> str:
    """``ngettext`` in a request; outside one, the English singular or plural (``num`` is
    given to the text as ``%(num)s``)."""
    if has_request_context():
        return ngettext(singular, plural, num, **values)
    values.setdefault("num", num)
    return (singular if num == 1 else plural) % values


def chosen_language() -> str | None:
    """The language chosen with the switch in this browser session, if it is offered."""
    language = session.get(LANGUAGE_KEY)
    return language if language in current_app.config["LMS_LANGUAGES"] else None


def select_locale() -> str | None:
    """A signed-in user's profile language; else the switch's choice (anonymous visitors);
    else the browser's Accept-Language; else the default locale."""
    if not has_request_context():
        return None
    languages = current_app.config["LMS_LANGUAGES"]
    if (
        getattr(current_user, "is_authenticated", False)
        and current_user.preferred_language in languages
    ):
        return current_user.preferred_language
    return chosen_language() or request.accept_languages.best_match(languages)


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


def _locale() -> str:
    return str(get_locale() or "en") if has_request_context() else "en"


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """A number in the reader's language (``1,234.5`` in English, ``1 234,5`` in French);
    ``digits`` fixes the decimals shown; ``—`` for none."""
    if value is None:
        return "—"
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return _babel_decimal(value, format=pattern, locale=_locale())


def format_percentage(value: float | int | None, digits: int = 0, *, ratio: bool = False) -> str:
    """A percentage in the reader's language (``42%`` in English, ``42 %`` in French).
    ``value`` is in percent (``42.0``) unless ``ratio`` (``0.42``); ``—`` for none."""
    if value is None:
        return "—"
    fraction = value if ratio else value / 100
    locale = Locale.parse(_locale())
    pattern = locale.percent_formats[None].pattern  # "#,##0%", "#,##0\u00a0%" in French
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return _babel_percent(fraction, format=pattern, locale=locale)


def format_weekday(value: date | datetime) -> str:
    """The day of the week, abbreviated, in the reader's language (``Mon``, ``lun.``)."""
    return _babel_date(value, "EEE", locale=_locale())


def format_moment(value: datetime | None) -> str:
    """A date and time in the reader's language and the configured time zone."""
    if not value:
        return "—"
    if has_request_context():
        return format_datetime(value, f"{_pattern()} HH:mm")
    return value.strftime("%Y-%m-%d %H:%M")
