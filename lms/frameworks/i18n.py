"""Translation that also works outside a request (CLI, jobs, tests), where there is no request
to choose a language from: there the English text is used as it is."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **values: Any) -> str:
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text
