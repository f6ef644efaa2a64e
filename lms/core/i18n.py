"""Locale and time zone selection for Flask-Babel, documents and emails in a chosen language,
and bilingual catalogue content.

Outside a browser request (scheduler jobs, background report runs, the CLI) there is no
user or Accept-Language header: the default locale applies unless the caller chooses one with
``in_language(code)`` (a recipient's or a requester's language), which works in a request and
in a bare application context alike.

Catalogue content (frameworks, competencies, scales, tracks, courses) keeps its English text in
the original columns and the French text in ``*_fr`` columns; ``localised(obj, "name")`` gives
the reader's language with a fallback to the other one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    get_locale,
    gettext,
    ngettext,
    pgettext,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user

# The language a visitor chose with the switch (anonymous visitors too), in the Flask session.
LANGUAGE_KEY = "language"

# One way to write a day per language, on every page, PDF and message (``format_day``, the
# ``date`` template filter); moments add the time, in the configured time zone.
DATE_PATTERNS = {"en": "yyyy-MM-dd", "fr": "dd/MM/yyyy"}


def _(text: str, **values: Any) -> str:
    """Translate into the reader's language: the request's, or the one chosen with
    ``in_language``; outside both (CLI, jobs, tests) the English text is used as it is."""
    if has_request_context() or _forced():
        return gettext(text, **values)
    return text % values if values else text


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue without translating it now: it is stored or passed on
    in English and translated where it is shown (a job run's summary)."""
    return text


def _p(context: str, text: str, **values: Any) -> str:
    """``pgettext``: one English word with two meanings (``Open`` a status, ``Open`` a link)
    gets a translation per ``context``; outside a request, the English text."""
    if has_request_context() or _forced():
        return pgettext(context, text, **values)
    return text % values if values else text


def _n(singular: str, plural: str, num: int, **values: Any) -> str:
    """``ngettext`` in a request; outside one, the English singular or plural (``num`` is
    given to the text as ``%(num)s``)."""
    if has_request_context() or _forced():
        return ngettext(singular, plural, num, **values)
    values.setdefault("num", num)
    return (singular if num == 1 else plural) % values


def chosen_language() -> str | None:
    """The language chosen with the switch in this browser session, if it is offered."""
    language = session.get(LANGUAGE_KEY)
    return language if language in current_app.config["LMS_LANGUAGES"] else None


# Languages content can be written in; the first is the one the original columns hold.
CONTENT_LANGUAGES = ("en", "fr")


def _forced() -> bool:
    """True inside ``in_language`` (or ``flask_babel.force_locale``) in an app context."""
    if not has_app_context():
        return False
    ctx = getattr(g, "_flask_babel", None)
    return getattr(ctx, "forced_babel_locale", None) is not None


def language_code(language: str | None) -> str:
    """One of the configured languages for ``language`` ("fr_CA" → "fr"), else the default."""
    known = current_app.config["LMS_LANGUAGES"] if has_app_context() else CONTENT_LANGUAGES
    code = (language or "").replace("-", "_").split("_")[0].lower()
    if code in known:
        return code
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en") if has_app_context() else "en"


@contextmanager
def in_language(language: str | None) -> Iterator[str]:
    """Render in ``language`` (a recipient's, a requester's) until the block ends: ``_``,
    ``gettext``, dates (``format_day``) and ``localised`` content all follow it, in a request
    or in a bare application context (a job, a background report run). Yields the code."""
    code = language_code(language)
    outer = getattr(g, "_flask_babel", None) if has_app_context() else None
    outer_forced = getattr(outer, "forced_babel_locale", None)
    try:
        with force_locale(code):
            yield code
    finally:
        if outer_forced is not None:  # force_locale forgets an enclosing forced one on exit
            g._flask_babel.forced_babel_locale = outer_forced


def current_language() -> str:
    """The two-letter language being rendered: the forced one, the request's, or the default."""
    if has_request_context() or _forced():
        return language_code(str(get_locale() or ""))
    return language_code(None)


def localised(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (default: the reader's), falling back to the other
    language when that text is empty: the English text lives in ``field``, the French one in
    ``field_fr``."""
    if obj is None:
        return ""
    wanted = language_code(language) if language else current_language()
    read = obj.get if isinstance(obj, dict) else lambda key: getattr(obj, key, None)
    english, french = read(field) or "", read(f"{field}_fr") or ""
    first, second = (french, english) if wanted == "fr" else (english, french)
    return first if first.strip() else second


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
    locale = str(get_locale() or "") if has_request_context() or _forced() else ""
    return DATE_PATTERNS.get(locale.split("_")[0], DATE_PATTERNS["en"])


def format_day(value: date | datetime | None) -> str:
    """A day in the reader's language (``2026-03-02`` in English, ``02/03/2026`` in French);
    ``—`` for none."""
    if not value:
        return "—"
    if has_request_context() or _forced():
        return format_date(value, _pattern())
    return _babel_date(value, DATE_PATTERNS["en"], locale="en")


def _locale() -> str:
    return current_language()


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


def language_name(code: str | None) -> str:
    """A language code ("fr") named in the reader's language ("French", "français"); a code
    Babel does not know is shown as it is."""
    if not code:
        return "—"
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_locale())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


def format_weekday(value: date | datetime) -> str:
    """The day of the week, abbreviated, in the reader's language (``Mon``, ``lun.``)."""
    return _babel_date(value, "EEE", locale=_locale())


def lazy_day(value: date | datetime | None) -> LazyString:
    """A day formatted when it is shown, in the language then being rendered: for a lazy
    message (``lazy_gettext("… %(day)s", day=lazy_day(d))``) rendered for its recipient."""
    return LazyString(format_day, value)


def format_moment(value: datetime | None) -> str:
    """A date and time in the reader's language and the configured time zone."""
    if not value:
        return "—"
    if has_request_context() or _forced():
        return format_datetime(value, f"{_pattern()} HH:mm")
    return value.strftime("%Y-%m-%d %H:%M")


def apply_french(obj: Any, french: dict[str, str | None] | None, fields: tuple[str, ...]) -> None:
    """Set ``obj``'s French text from ``french`` ({"name_fr": "…"}), for the services: ``None``
    leaves it as it is, a blank text clears it (the English one shows instead). Only the
    ``fields`` named may be set."""
    if french is None:
        return
    unknown = set(french) - set(fields)
    if unknown:
        raise ValueError(f"Not a French field here: {', '.join(sorted(unknown))}")
    for field, value in french.items():
        setattr(obj, field, (value or "").strip() or None)
