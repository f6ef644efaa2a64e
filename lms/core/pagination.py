"""The one pagination helper: every list page pages the same way, with the same limits."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from lms.core.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def paginate(stmt: Select, per_page: int = DEFAULT_PER_PAGE) -> Pagination:
    """Page ``stmt`` by the ``page`` and ``per_page`` query arguments; bad values fall back."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", per_page, type=int) or per_page
    return db.paginate(
        stmt, page=max(page, 1), per_page=min(max(per_page, 1), MAX_PER_PAGE), error_out=False
    )
