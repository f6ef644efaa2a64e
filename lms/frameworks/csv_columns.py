"""Reading the Moodle competency-framework CSV as real sites write it.

Moodle's ``tool_lpimportcsv`` has spelt its headers differently across versions ("Parent ID
number" / "Parent id number", "Short name" / "Shortname", "Cross-referenced competency ID
numbers" / "Cross referenced competency id numbers (optional)", "Exported ID (optional)" /
"Exported id (optional)"), some tools write the language-string keys instead (``parentidnumber``,
``relatedidnumbers``, ``exportid``...), and spreadsheets in French locales save with ``;``.

So columns are matched by name, in any order: a header is compared with its case, spaces,
underscores, hyphens and parenthesised remarks such as "(optional)" left out, against the
known spellings of each field, and otherwise against the nearest known spelling when only one
field is that close. The delimiter is the one (``,``, ``;`` or tab) that makes the most of the
header row known columns.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass

from lms.core.csv_import import sniff_delimiter as core_sniff_delimiter
from lms.core.i18n import _
from lms.frameworks.plan import ImportProblem

# Field key → the English header Moodle writes today (what the export writes, and what the
# messages name).
FIELD_HEADERS = {
    "parentidnumber": "Parent ID number",
    "idnumber": "ID number",
    "shortname": "Short name",
    "description": "Description",
    "descriptionformat": "Description format",
    "scalevalues": "Scale values",
    "scaleconfiguration": "Scale configuration",
    "ruletype": "Rule type (optional)",
    "ruleoutcome": "Rule outcome (optional)",
    "ruleconfig": "Rule config (optional)",
    "relatedidnumbers": "Cross-referenced competency ID numbers",
    "exportid": "Exported ID (optional)",
    "isframework": "Is framework",
    "taxonomy": "Taxonomy",
}
# Columns Moodle does not have, read when a file carries them: the French text of the names and
# descriptions (a Moodle export holds one language; a translator may add these two columns).
OPTIONAL_FIELD_HEADERS = {
    "shortnamefr": "Short name FR",
    "descriptionfr": "Description FR",
}
REQUIRED_FIELDS = (
    "parentidnumber",
    "idnumber",
    "shortname",
    "scalevalues",
    "scaleconfiguration",
    "isframework",
)
# Other spellings seen in the wild, already normalised (see ``normalise_header``).
_ALIASES = {
    "parentidnumber": ("parentid", "parent", "parentidnum"),
    "idnumber": ("idnum",),
    "shortname": ("name", "competencyname"),
    "description": ("desc",),
    "descriptionformat": ("format",),
    "scaleconfiguration": ("scaleconfig",),
    "ruleconfig": ("ruleconfiguration",),
    "relatedidnumbers": (
        "crossreferencedcompetencyidnumbers",
        "crossreferencedcompetencies",
        "crossreferences",
        "relatedcompetencies",
        "related",
    ),
    "exportid": ("exportedid",),
    "isframework": ("framework",),
    "taxonomy": ("taxonomies",),
    "shortnamefr": ("shortnamefrench", "frenchshortname", "nomcourt"),
    "descriptionfr": ("descriptionfrench", "frenchdescription"),
}
ALL_FIELDS = {**FIELD_HEADERS, **OPTIONAL_FIELD_HEADERS}
SPELLINGS = {key: (key, *(_ALIASES.get(key, ()))) for key in ALL_FIELDS}
_BY_SPELLING = {spelling: key for key, spellings in SPELLINGS.items() for spelling in spellings}
_GUESSABLE = [s for s, key in _BY_SPELLING.items() if key in FIELD_HEADERS]
_CLOSE_ENOUGH = 0.85


def normalise_header(header: str) -> str:
    """``Exported ID (optional)`` → ``exportedid``; ``Is_Framework`` → ``isframework``."""
    text = re.sub(r"\([^)]*\)", "", header.replace("\ufeff", "")).lower()
    return re.sub(r"[^0-9a-z]", "", text)


def field_for(header: str) -> str | None:
    """The field a header names, or None for a column this importer does not read."""
    name = normalise_header(header)
    if not name:
        return None
    if name in _BY_SPELLING:
        return _BY_SPELLING[name]
    # Only Moodle's own columns are guessed from a misspelling; the optional French columns
    # are read under their exact spellings (so "Descripton" still means the description).
    close = difflib.get_close_matches(name, _GUESSABLE, n=3, cutoff=_CLOSE_ENOUGH)
    fields = {_BY_SPELLING[spelling] for spelling in close}
    return fields.pop() if len(fields) == 1 else None


def sniff_delimiter(text: str) -> str:
    """The delimiter under which the header row names the most known columns (comma on a
    tie: Moodle's own); the core reader's sniffing, with Moodle's spellings."""
    return core_sniff_delimiter(text, field_for)


@dataclass
class Columns:
    """Where each field is in the file's rows."""

    index: dict[str, int]
    width: int

    def cell(self, row: list[str], key: str) -> str:
        position = self.index.get(key)
        return row[position] if position is not None and position < len(row) else ""


def map_columns(header: list[str]) -> tuple[Columns | None, list[ImportProblem]]:
    """Match the header row's columns to fields; a required column missing, or two columns
    for one field, is a problem on row 1."""
    index: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for position, title in enumerate(header):
        key = field_for(title)
        if key is None:
            continue
        if key in index:
            problems.append(
                ImportProblem(
                    "row 1",
                    _(
                        "columns “%(first)s” and “%(second)s” both read as “%(field)s”; keep one",
                        first=header[index[key]].strip(),
                        second=title.strip(),
                        field=FIELD_HEADERS[key],
                    ),
                )
            )
            continue
        index[key] = position
    missing = [FIELD_HEADERS[key] for key in REQUIRED_FIELDS if key not in index]
    if missing:
        problems.append(
            ImportProblem(
                "row 1",
                _(
                    "missing required column(s): %(missing)s (the header row has: %(found)s)",
                    missing=", ".join(f"“{name}”" for name in missing),
                    found=", ".join(f"“{h.strip()}”" for h in header if h.strip()) or "—",
                ),
            )
        )
    if problems:
        return None, problems
    return Columns(index=index, width=len(header)), []


def read_rows(text: str) -> tuple[list[list[str]], str]:
    """Every record of the file (quoted fields may span lines; CRLF or LF) and the delimiter."""
    delimiter = sniff_delimiter(text)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter
