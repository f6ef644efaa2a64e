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
