"""Locale and time zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user


def select_locale() -> str | None:
    languages = current_app.config["LMS_LANGUAGES"]
    if (
        getattr(current_user, "is_authenticated", False)
        and current_user.preferred_language in languages
    ):
        return current_user.preferred_language
    return request.accept_languages.best_match(languages)


def select_timezone() -> str | None:
    return current_app.config["LMS_TIMEZONE"]
