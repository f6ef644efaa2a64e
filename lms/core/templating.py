"""What every template can use: permission checks, the navigation for the user's roles,
date formatting, and the classes that size bars and indent rows without inline styles."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import get_locale
from flask_login import current_user

from lms.core.features import NavItem
from lms.core.i18n import (
    format_day,
    format_moment,
    format_number,
    format_percentage,
    format_weekday,
    language_name,
    localised,
)
from lms.core.permissions import can_edit, can_view

# Each language named in itself, so a reader finds hers whatever the page's language.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
MAX_INDENT = 8  # the deepest indent-N class in app.css


def _visible(items: tuple[NavItem, ...]) -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [i for i in items if not i.roles or current_user.has_role(*i.roles)]


def _datetime(value, fmt: str | None = None) -> str:
    """``fmt`` is accepted for old call sites and ignored: one format per language."""
    return format_moment(value)


def width_class(percent: float | None) -> str:
    """``w-pct-N``: a bar's width as one of app.css's classes, N in 0–100, so a page sets it
    without a ``style`` attribute (the Content-Security-Policy refuses inline styles)."""
    return f"w-pct-{min(100, max(0, round(percent or 0)))}"


def indent_class(depth: int | None) -> str:
    """``indent-N``: a tree row's left padding of N rem (0–8; deeper rows stay at 8), an
    app.css class instead of a ``style`` attribute."""
    return f"indent-{min(MAX_INDENT, max(0, depth or 0))}"


def init_templating(
    app: Flask,
    *,
    nav: tuple[NavItem, ...],
    admin_nav: tuple[NavItem, ...],
    profile_links: tuple[NavItem, ...] = (),
    globals: dict[str, Any] | None = None,
) -> None:
    """``nav``, ``admin_nav`` and ``profile_links`` come from the features' declarations, in
    layer order."""
    app.jinja_env.globals.update(can_view=can_view, can_edit=can_edit, get_locale=get_locale)
    app.jinja_env.globals.update(globals or {})
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["weekday"] = format_weekday
    app.jinja_env.filters["percent"] = format_percentage
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["width_class"] = width_class
    app.jinja_env.filters["indent_class"] = indent_class
    app.jinja_env.globals["languages"] = lambda: [
        (code, LANGUAGE_NAMES.get(code, code)) for code in app.config["LMS_LANGUAGES"]
    ]
    # {{ course|localised("title") }}: catalogue content in the reader's language.
    app.jinja_env.filters["localised"] = localised

    @app.context_processor
    def navigation():
        return {
            "nav_items": _visible(nav),
            "admin_items": _visible(admin_nav),
            "profile_links": _visible(profile_links),
            "url_for": url_for,
        }
