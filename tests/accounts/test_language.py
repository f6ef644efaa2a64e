"""Choosing the language: the switch (anonymous visitors and users), the profile, the browser's
Accept-Language as the default, and French dates and numbers on a French page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import refresh

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.core.models import AuditEntry
from tests.conftest import csrf_token, login, post_form

_LANG_RE = re.compile(r'<html lang="([^"]+)"')


def _lang(response) -> str:
    return _LANG_RE.search(response.get_data(as_text=True)).group(1)


def test_the_browser_language_is_the_default(client):
    french = client.get("/auth/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert _lang(french) == "fr"
    assert "Se connecter" in french.get_data(as_text=True)
    english = client.get("/auth/login", headers={"Accept-Language": "de,en;q=0.5"})
    assert _lang(english) == "en"
    assert "Forgot your password?" in english.get_data(as_text=True)


def test_an_anonymous_visitor_switches_the_login_page_to_french(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'action="/auth/language"' in page and 'value="fr"' in page  # a plain POST form
    response = post_form(client, "/auth/language", {"language": "fr", "next": "/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert _lang(page) == "fr"
    assert "Mot de passe oublié" in page.get_data(as_text=True)
    post_form(client, "/auth/language", {"language": "en", "next": "/auth/login"})
    assert _lang(client.get("/auth/login")) == "en"


def test_the_switch_needs_csrf_a_known_language_and_a_local_next(client):
    assert client.post("/auth/language", data={"language": "fr"}).status_code == 400
    assert post_form(client, "/auth/language", {"language": "de"}).status_code == 400
    response = post_form(client, "/auth/language", {"language": "fr", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_a_choice_made_on_the_login_page_is_saved_on_the_profile_at_login(client, make_user):
    user = make_user(Role.TRAINEE, preferred_language="en")
    post_form(client, "/auth/language", {"language": "fr", "next": "/auth/login"})
    assert login(client, user).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "fr"
    assert _lang(client.get("/")) == "fr"


def test_a_user_switching_sees_french_and_the_choice_is_saved(client, logged_in):
    user = logged_in(Role.TRAINEE, preferred_language="en")
    page = client.get("/")
    assert _lang(page) == "en"
    assert 'data-testid="language-switch"' in page.get_data(as_text=True)
    response = post_form(client, "/auth/language", {"language": "fr", "next": "/"})
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "fr"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert _lang(page) == "fr"
    assert "Tableau de bord" in page.get_data(as_text=True) or "Se déconnecter" in page.get_data(
        as_text=True
    )
    entry = db.session.query(AuditEntry).filter_by(action="user.language_changed").one()
    assert entry.actor_id == user.id


def test_the_profile_language_wins_over_the_browser_in_another_session(app, make_user):
    user = make_user(Role.TRAINEE, preferred_language="fr")
    other_browser = app.test_client()
    login(other_browser, user)
    assert _lang(other_browser.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_users_edit_their_own_language_on_their_profile(client, logged_in):
    user = logged_in(Role.TRAINEE, preferred_language="en")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert user.email in page and 'name="preferred_language"' in page
    response = client.post(
        "/auth/profile",
        data={"preferred_language": "fr", "csrf_token": csrf_token(client, "/auth/profile")},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Votre profil a été enregistré." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "fr"
    refused = client.post(
        "/auth/profile",
        data={"preferred_language": "de", "csrf_token": csrf_token(client, "/auth/profile")},
    )
    assert refused.status_code == 200  # the form shown again, nothing saved
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "fr"


def test_the_profile_needs_a_login(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_numbers_percentages_and_dates_follow_the_locale(app):
    from lms.core.i18n import format_day, format_number, format_percentage

    day = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_number(1234.5) == "1\u202f234,5"
        assert format_number(3, 1) == "3,0"
        assert format_percentage(42.46) == "42\u00a0%"
        assert format_percentage(42.46, 1) == "42,5\u00a0%"
        assert format_percentage(0.5, ratio=True) == "50\u00a0%"
        assert format_day(day) == "02/03/2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the locale is cached per app context
        assert format_number(1234.5) == "1,234.5"
        assert format_percentage(42.46, 1) == "42.5%"
        assert format_day(day) == "2026-03-02"
    assert format_number(None) == format_percentage(None) == "—"


def test_a_french_page_shows_french_dates_numbers_and_words(client, logged_in, world):
    # world: DQ101 (14 hours) has a session from 2026-03-12 (a Thursday) to 2026-03-14.
    logged_in(Role.TRAINEE, preferred_language="fr")
    catalogue = client.get("/courses/").get_data(as_text=True)
    assert "14,0 h" in catalogue and "14.0 h" not in catalogue
    assert "12/03/2026" in catalogue and "2026-03-12" not in catalogue
    session = client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "Session du 12/03/2026 au 14/03/2026" in session
    assert "jeu. 12/03/2026" in session
    assert ">Ouvert<" in session or ">Prévu<" in session  # the session's status, in French


def test_the_same_page_in_english_keeps_english_formats(client, logged_in, world):
    logged_in(Role.TRAINEE, preferred_language="en")
    catalogue = client.get("/courses/").get_data(as_text=True)
    assert "14.0 h" in catalogue and "2026-03-12" in catalogue
    session = client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "Thu 2026-03-12" in session
