"""A tiny French catalogue for tests that prove a switch of language: installed by patching
Flask-Babel's translations lookup, so it works whether or not the real catalogue is built."""

from __future__ import annotations

import io
from pathlib import Path

import flask_babel
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

REAL_CATALOGUE = Path(__file__).resolve().parents[1] / "lms" / "translations" / "fr"


def install_french(monkeypatch, messages: dict[str, str]) -> None:
    """Serve ``messages`` (msgid → French) whenever the locale being rendered is French."""
    catalog = Catalog(locale="fr")
    for msgid, text in messages.items():
        catalog.add(msgid, text)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    french = Translations(fp=buffer)
    original = flask_babel.Domain.get_translations

    def get_translations(self):
        locale = flask_babel.get_locale()
        if locale is not None and locale.language == "fr":
            return french
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)


def real_catalogue_present() -> bool:
    return (REAL_CATALOGUE / "LC_MESSAGES" / "messages.mo").exists()


def french_catalogue() -> dict:
    """The real catalogue's French texts: ``msgid`` → msgstr, ``(context, msgid)`` for an
    entry with a context; the singular of a plural entry. Tests expect these, not literals."""
    from babel.messages.pofile import read_po

    with (REAL_CATALOGUE / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    found: dict = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        found[(message.context, msgid) if message.context else msgid] = text
    return found
