"""Locale and time zone selection for Flask-Babel.

Outside a browser request (scheduler jobs, background report runs, the CLI) there is no
user or Accept-Language header: the default locale applies unless the caller forces one with
``flask_babel.force_locale``.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user


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
