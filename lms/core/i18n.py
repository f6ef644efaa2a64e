"""Locale and time zone selection for Flask-Babel.

Outside a browser request (scheduler jobs, background report runs, the CLI) there is no
user or Accept-Language header: the default locale applies unless the caller forces one with
``flask_babel.force_locale``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import gettext
from flask_login import current_user


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
