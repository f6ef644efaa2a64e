"""Rendering in a chosen language outside a request (jobs, background report runs, emails)
and bilingual catalogue content with its fallback."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask_babel import gettext, lazy_gettext

from lms.core import i18n
from lms.core.i18n import _, current_language, format_day, in_language, lazy_day, localised
from tests.translations import install_french, real_catalogue_present


def test_in_language_switches_gettext_outside_a_request(app, monkeypatch):
    install_french(
        monkeypatch, {"Sign out": "Se déconnecter", "Hello %(name)s": "Bonjour %(name)s"}
    )
    with app.app_context():
        assert _("Sign out") == "Sign out"  # no request, nothing forced: English
        assert current_language() == "en"
        with in_language("fr") as code:
            assert code == "fr" and current_language() == "fr"
            assert _("Sign out") == "Se déconnecter"
            assert gettext("Hello %(name)s", name="Awa") == "Bonjour Awa"
            assert format_day(date(2026, 3, 2)) == "02/03/2026"
            with in_language("en"):
                assert _("Sign out") == "Sign out"
            assert _("Sign out") == "Se déconnecter"  # the outer language is back
        assert _("Sign out") == "Sign out"
        assert format_day(date(2026, 3, 2)) == "2026-03-02"


def test_in_language_overrides_the_request_language(app, monkeypatch):
    install_french(monkeypatch, {"Sign out": "Se déconnecter"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _("Sign out") == "Sign out"
        with in_language("fr"):
            assert _("Sign out") == "Se déconnecter"
        with in_language("fr-CA"):  # a regional variant reads the language
            assert _("Sign out") == "Se déconnecter"
        with in_language("xx"):  # unknown: the default language
            assert _("Sign out") == "Sign out"


def test_lazy_messages_render_in_the_language_they_are_shown_in(app, monkeypatch):
    install_french(monkeypatch, {"Session on %(day)s": "Session du %(day)s"})
    message = lazy_gettext("Session on %(day)s", day=lazy_day(date(2026, 3, 2)))
    with app.app_context():
        with in_language("fr"):
            assert str(message) == "Session du 02/03/2026"
        with in_language("en"):
            assert str(message) == "Session on 2026-03-02"


def test_the_real_catalogue_is_used_when_it_is_built(app):
    """With the French catalogue compiled, a real interface string comes out in French; until
    it is, the English text is used (this checks the switch, not the translator's work)."""
    with app.app_context(), in_language("fr"):
        text = _("Log out")  # the account menu's button
    assert (text != "Log out") == real_catalogue_present()


def test_localised_falls_back_to_the_other_language(app):
    both = SimpleNamespace(name="Data governance", name_fr="Gouvernance des données")
    english_only = SimpleNamespace(name="Risk analytics", name_fr=None)
    french_only = SimpleNamespace(name="", name_fr="Analyse des risques")
    blank_french = SimpleNamespace(name="Selectivity", name_fr="   ")
    with app.app_context():
        assert localised(both, "name") == "Data governance"
        with in_language("fr"):
            assert localised(both, "name") == "Gouvernance des données"
            assert localised(english_only, "name") == "Risk analytics"
            assert localised(blank_french, "name") == "Selectivity"
            assert localised({"name": "A", "name_fr": "B"}, "name") == "B"
        assert localised(french_only, "name") == "Analyse des risques"
        assert localised(both, "name", "fr") == "Gouvernance des données"
        assert localised(None, "name") == ""


def test_apply_french_sets_clears_and_refuses_unknown_fields():
    target = SimpleNamespace(name_fr="Ancien", description_fr="Texte")
    i18n.apply_french(target, None, ("name_fr",))
    assert target.name_fr == "Ancien"
    i18n.apply_french(
        target, {"name_fr": "  Nouveau  ", "description_fr": " "}, ("name_fr", "description_fr")
    )
    assert (target.name_fr, target.description_fr) == ("Nouveau", None)
    try:
        i18n.apply_french(target, {"code_fr": "X"}, ("name_fr",))
    except ValueError as error:
        assert "code_fr" in str(error)
    else:
        raise AssertionError("an unknown French field was accepted")


def test_a_language_code_is_named_in_the_readers_language(app):
    """Session and course languages are shown by name ("anglais"), not as a code ("en")."""
    with app.app_context():
        with in_language("fr"):
            assert [i18n.language_name(c) for c in ("en", "fr", "ar")] == [
                "anglais",
                "français",
                "arabe",
            ]
        with in_language("en"):
            assert i18n.language_name("fr") == "French"
        assert i18n.language_name("zz-unknown") == "zz-unknown"
        assert i18n.language_name(None) == "—"
