"""Cells a spreadsheet would run as formulas (CSV injection): every CSV and XLSX the
application writes passes its cells through ``neutralise_formula``."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with a quote, which the
    spreadsheet shows as text; anything else (numbers, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore_formula(text: str) -> str:
    """The inverse, for a file the application reads back (the Moodle CSV import): a quote
    that ``neutralise_formula`` put before a formula start is dropped."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
