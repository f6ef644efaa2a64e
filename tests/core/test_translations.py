"""The French catalogue covers every interface string in the code: each string extracted from
the Python code and the templates (as ``make translations`` extracts them) has a French
translation, none is fuzzy, and each keeps the placeholders of its English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "lms" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# The keywords the Makefile's ``translations`` target gives pybabel, beside Babel's defaults.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "_p": ((1, "c"), 2),
    "_n": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
# ``%(name)s``, ``%(num)d``, ``%s`` and ``%%``; ``{name}`` for str.format-style texts.
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def extracted() -> dict[tuple[str | None, str], tuple]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), (message, f"{filename}:{lineno}"))
    return found


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="fr")


@pytest.fixture(scope="module")
def strings() -> dict:
    return extracted()


def test_the_extraction_finds_the_interface(strings):
    # Strings from Python code, templates, plurals and contexts all reach the catalogue test.
    assert ("status", "Open") in strings and ("action", "Open") in strings
    assert (None, "%(num)s late milestone") in strings
    assert len(strings) > 1500


def test_every_interface_string_has_a_french_translation(catalogue, strings):
    missing = []
    for (context, msgid), (message, where) in strings.items():
        entry = catalogue.get(message if isinstance(message, str) else message[0], context)
        forms = entry and (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if not entry or not all(forms):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], f"{len(missing)} untranslated: run `make translations`, then translate"


def test_no_translation_is_fuzzy(catalogue):
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert fuzzy == []


def test_every_translation_keeps_its_placeholders(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):  # plural: every form has the plural's placeholders
            expected = placeholders(message.id[1])
            forms = message.string
        else:
            expected = placeholders(message.id)
            forms = (message.string,)
        for form in forms:
            found = placeholders(form)
            # A French singular may leave out the count (``un jalon``), never add or rename one.
            if found != expected and not (
                isinstance(message.id, tuple) and set(found) < set(expected)
            ):
                wrong.append((message.id, form))
    assert wrong == []


def test_plurals_give_every_french_form(catalogue):
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert plurals
    assert all(len(m.string) == catalogue.num_plurals for m in plurals)


def test_the_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    assert placeholders("%(name)s a %(count)d ans, 50 %%") == ["%%", "%(count)d", "%(name)s"]
    assert placeholders("%(nom)s") != placeholders("%(name)s")
    assert placeholders("Bonjour") != placeholders("Hello %(name)s")
