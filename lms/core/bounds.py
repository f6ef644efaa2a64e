"""The bounds every input is held to, in one place (issue 10): ids and whole numbers within the
database's 32-bit integer range, dates between 1900 and 2100, no NUL characters anywhere,
and a request body no larger than ``MAX_CONTENT_LENGTH``.

``init_bounds(app)`` installs them before the blueprints are registered: the ``int`` URL
converter answers 404 beyond the integer range, ``request.args.get(..., type=int)`` and
``request.form.get(..., type=int)`` give the default for a number out of range, and a request
carrying a NUL character is answered 400 with a page that says why. Forms get the same bounds
from ``lms.core.forms.FlaskForm``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from lms.core.i18n import _

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
NUL = "\x00"


def int_in_range(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def date_in_range(value: date) -> bool:
    return MIN_DATE <= (value.date() if hasattr(value, "date") else value) <= MAX_DATE


def date_range_message() -> str:
    return _(
        "Enter a date between %(start)s and %(end)s.",
        start=MIN_DATE.year,
        end=MAX_DATE.year,
    )


def parse_date(text: str) -> date:
    """An ISO date (YYYY-MM-DD) within the bounds; ``ValueError`` otherwise."""
    value = date.fromisoformat(text.strip())
    if not date_in_range(value):
        raise ValueError(date_range_message())
    return value


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` with the database's signed 32-bit range as its default bounds, so an id
    no row can have is a 404 instead of an overflow in the database driver."""

    def __init__(
        self,
        map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=INT_MIN if min is None else min,
            max=INT_MAX if max is None else max,
            signed=signed,
        )

    def to_python(self, value: str) -> Any:
        # Werkzeug turns a converter's refusal into "no match", and a 405 when another rule of
        # the same path (GET /x/<id> beside POST /x/<id>) took another method: an id out of
        # range is simply a record that does not exist.
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


class BoundedArgs(ImmutableMultiDict):
    """Query and form arguments whose ``get(..., type=int)`` gives the default for a number
    outside the integer range, as it does for one that is not a number."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and not int_in_range(value):
            return default
        return value


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return NUL in value
    if depth > 50:  # deeper JSON is refused by whoever reads it; don't recurse here
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def refuse_nul_characters() -> None:
    """A before-request check: a NUL character in the path, the query, a form field or a JSON
    body is refused with a 400 page saying so (databases refuse to store it)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        values += [*request.form.keys(), *request.form.values()]
        values += [f.filename or "" for f in request.files.values()]
    if any(NUL in v for v in values) or (
        request.is_json and _has_nul(request.get_json(silent=True))
    ):
        abort(
            400,
            description=_(
                "The text you sent contains a null character, which cannot be stored. "
                "Remove it (it often comes from copying out of another program) and try again."
            ),
        )


MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in ``text`` nest deeper than ``max_depth``: refuse such a
    document with a message before ``json.loads`` (which would exhaust the stack)."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > max_depth:
            return True
    return False


DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024 * 1024


def init_bounds(app: Flask) -> None:
    """Call before registering blueprints: URL rules take their converters when added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = BoundedRequest
    app.config.setdefault("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
    app.before_request(refuse_nul_characters)
