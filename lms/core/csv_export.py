"""The one CSV download of a list page: ``?format=csv`` on any list exports the whole
filtered list (not only the page) through the same query the page shows.

Every cell passes through ``neutralise_formula`` (CSV injection); the file is UTF-8 with a
byte-order mark, which Excel needs to read accents; lists of people are personal data, so
the response is never cached.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import Response, request

from lms.core.spreadsheet import neutralise_formula

BOM = "\ufeff"
CSV_MIMETYPE = "text/csv; charset=utf-8"
# Rows written per chunk of the response.
CHUNK_ROWS = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def wants_csv() -> bool:
    """The list page was asked for its CSV (``?format=csv``)."""
    return request.args.get("format") == "csv"


def safe_filename(name: str, suffix: str = ".csv") -> str:
    """ASCII letters, digits, dot, dash and underscore only (a header-safe, path-safe name)."""
    stem = _UNSAFE.sub("-", name.removesuffix(suffix)).strip("-.") or "export"
    return stem[:100] + suffix


def cell(value: Any) -> Any:
    """One value as a spreadsheet should read it: dates in ISO 8601, None empty, enums by
    their label, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, Enum):
        value = getattr(value, "label", value.value)
    return neutralise_formula(str(value))


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file in chunks: the BOM and header row first, then ``CHUNK_ROWS`` rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in header])
    pending = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue()


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, personal: bool = True
) -> Response:
    """A CSV attachment; ``personal`` data (the default) is sent with ``Cache-Control:
    no-store``.

    The file is written here, in the request (labels and headers are translated in the
    reader's language, which needs the request), in chunks of ``CHUNK_ROWS`` rows: a
    generator left running after the view would outlive the request's contexts when a client
    drops the connection."""
    chunks = [BOM.encode("utf-8")]
    chunks += [chunk.encode("utf-8") for chunk in csv_text(header, rows) if chunk]
    response = Response(chunks, mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store" if personal else "private, max-age=0"
    return response
