"""The one reader of uploaded CSV files (bulk imports): size and row caps, UTF-8 with or
without a byte-order mark, comma, semicolon or tab delimiter (French Excel writes
semicolons), a header row matched by name in any order, and every cell through
``restore_formula`` (a file the application exported reads back as it was).

It only reads: what a row means is for the feature's own services to decide, with the same
rules as its forms. Problems of the whole file raise ``CsvFileError`` with a message for the
person who uploaded it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lms.core.errors import ValidationError
from lms.core.i18n import _, _n
from lms.core.spreadsheet import restore_formula

DELIMITERS = (",", ";", "\t")
DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_ROWS = 1_000


class CsvFileError(ValidationError):
    """The file cannot be read as the expected CSV at all (not a row's problem); shown on
    the form's ``file`` field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class RowError:
    """One problem of one row: its line number in the file (the header is row 1), the
    column it is about (or "" for the whole row) and the message."""

    row: int
    column: str
    message: str


class RowErrors(ValidationError):
    """Some rows were refused, so nothing was written: the caller shows ``errors`` as a
    table (row, column, message)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            _n(
                "%(num)s problem in the file: nothing was imported. Correct the rows below and "
                "upload the file again.",
                "%(num)s problems in the file: nothing was imported. Correct the rows below and "
                "upload the file again.",
                len(errors),
            )
        )
        self.errors = errors


class OncePerFile:
    """A column whose values a file may hold once (the emails of a users or enrolments
    file): a repeat is a row error naming the row where the value was first seen."""

    def __init__(self, column: str) -> None:
        self.column = column
        self._first: dict[str, int] = {}

    def repeat(self, number: int, value: str) -> RowError | None:
        """``None`` the first time ``value`` is seen (remembered from row ``number``)."""
        if value in self._first:
            return RowError(
                number,
                self.column,
                _(
                    "%(email)s appears twice in the file (also on row %(row)s).",
                    email=value,
                    row=self._first[value],
                ),
            )
        self._first[value] = number
        return None


@dataclass
class CsvTable:
    """The data rows of a file, each as its row number and a dict of column → stripped text
    (every known column present, "" where the file has none)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode_text(content: bytes | str) -> str:
    """UTF-8, with or without a byte-order mark; otherwise ``CsvFileError`` naming the byte."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            _(
                "wrong encoding: the file is not UTF-8 (invalid byte at position %(at)s); "
                "save it as “CSV UTF-8”",
                at=error.start,
            )
        ) from error


def first_record(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def sniff_delimiter(text: str, known: Callable[[str], object | None]) -> str:
    """The delimiter under which the header row names the most known columns (``known``
    maps a header cell to its field or None); a comma on a tie."""
    best, best_known = ",", -1
    for delimiter in DELIMITERS:
        count = len({known(h) for h in first_record(text, delimiter)} - {None})
        if count > best_known:
            best, best_known = delimiter, count
    return best


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


def read_table(
    content: bytes | str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> CsvTable:
    """The file's data rows by column name (case and spaces ignored: "Full name" is
    ``full_name``). Blank rows are skipped; an unknown column is refused (a typo would
    otherwise drop a column silently)."""
    if len(content) > max_bytes:
        raise CsvFileError(
            _(
                "the file is too large (%(size)s kB; at most %(max)s kB)",
                size=len(content) // 1000 + 1,
                max=max_bytes // 1000,
            )
        )
    text = decode_text(content)
    if not text.strip():
        raise CsvFileError(_("the file is empty"))
    if "\x00" in text:
        raise CsvFileError(_("this is not a CSV file (it holds binary data)"))
    columns = [*required, *optional]

    def known(header: str) -> str | None:
        name = _column_name(header)
        return name if name in columns else None

    delimiter = sniff_delimiter(text, known)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise CsvFileError(_("not readable as CSV (%(error)s)", error=str(error))) from error
    header = [_column_name(h) for h in records[0]]
    unknown = [h for h in header if h and h not in columns]
    missing = [c for c in required if c not in header]
    if missing or unknown:
        raise CsvFileError(
            _(
                "the header row must name the columns %(expected)s; missing: %(missing)s; "
                "unknown: %(unknown)s",
                expected=", ".join(columns),
                missing=", ".join(missing) or "—",
                unknown=", ".join(unknown) or "—",
            )
        )
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise CsvFileError(_("the column %(name)s appears twice", name=name))
        seen.add(name)
    data = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    if not data:
        raise CsvFileError(_("the file has a header row but no data rows"))
    if len(data) > max_rows:
        raise CsvFileError(
            _(
                "too many rows (%(n)s; at most %(max)s per file): split the file",
                n=len(data),
                max=max_rows,
            )
        )
    table = CsvTable(columns=columns)
    for number, record in data:
        if len(record) > len(header):
            raise CsvFileError(
                _(
                    "row %(row)s has %(n)s cells but the header names %(width)s columns",
                    row=number,
                    n=len(record),
                    width=len(header),
                )
            )
        values = dict.fromkeys(columns, "")
        for name, raw in zip(header, record, strict=False):
            if name:
                values[name] = restore_formula(raw.strip())
        table.rows.append((number, values))
    return table
