"""The one pagination helper: every list page pages the same way, with the same limits."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from lms.core.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Beyond any list's last page, and far inside the database's integer range for the offset.
MAX_PAGE = 100_000


def paginate(stmt: Select, per_page: int = DEFAULT_PER_PAGE, *, arg: str = "page") -> Pagination:
    """Page ``stmt`` by the ``page`` and ``per_page`` query arguments; bad values fall back
    (a page that is not a number, or below 1, is the first; one past ``MAX_PAGE`` the last
    one that may exist, which shows an empty page). A page with two lists pages the second
    by another argument (``arg``)."""
    page = _whole(request.args.get(arg), 1)
    per_page = _whole(request.args.get("per_page"), per_page)
    return db.paginate(
        stmt,
        page=min(max(page, 1), MAX_PAGE),
        per_page=min(max(per_page, 1), MAX_PER_PAGE),
        error_out=False,
    )


def _whole(raw: str | None, default: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value or default
