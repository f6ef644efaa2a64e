"""Personal tokens: made from email and password or on the profile page, stored hashed,
scoped, expiring, revocable; a failed Basic sign-in counts like a failed login."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import LoginAttempt, Role
from lms.api.models import ApiToken
from lms.core import clock
from lms.core.extensions import db
from tests.api.conftest import assert_problem, basic
from tests.conftest import TEST_PASSWORD, login, post_form


def test_basic_sign_in_gives_a_token_stored_only_as_its_hash(client, make_user):
    user = make_user(Role.TRAINER)
    response = client.post(
        "/api/v1/tokens",
        headers=basic(user.email, TEST_PASSWORD),
        json={"name": "HR sync", "scope": "read", "days": 7},
    )
    assert response.status_code == 201
    body = response.get_json()
    secret = body["token"]
    assert body["scope"] == "read" and body["name"] == "HR sync"
    record = db.session.scalar(sa.select(ApiToken))
    assert record.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {record.token_hash, record.prefix} and secret.startswith(record.prefix)
    assert record.expires_at - record.created_at == timedelta(days=7)
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    assert "Set-Cookie" not in me.headers  # a call never starts a browser session


def test_a_wrong_password_is_a_401_problem_and_counts_as_a_failed_login(client, make_user):
    user = make_user()
    response = client.post("/api/v1/tokens", headers=basic(user.email, "not-the-password"))
    body = assert_problem(response, 401)
    assert "WWW-Authenticate" in response.headers
    assert body["detail"] == "Wrong email or password."
    attempts = db.session.scalars(sa.select(LoginAttempt)).all()
    assert [(a.email, a.succeeded) for a in attempts] == [(user.email, False)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_throttled_sign_in_is_refused_even_with_the_right_password(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        client.post("/api/v1/tokens", headers=basic(user.email, "wrong"))
    response = client.post("/api/v1/tokens", headers=basic(user.email, TEST_PASSWORD))
    assert_problem(response, 429)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_no_token_a_bad_one_a_revoked_one_an_expired_one_all_get_401(
    client, make_user, make_token, monkeypatch
):
    user = make_user()
    assert_problem(client.get("/api/v1/users/me"), 401)
    assert_problem(client.get("/api/v1/users/me", headers={"Authorization": "Bearer nope"}), 401)
    headers = make_token(user, days=1)
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    later = clock.now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert_problem(client.get("/api/v1/users/me", headers=headers), 401)
    monkeypatch.undo()
    record = db.session.scalar(sa.select(ApiToken))
    record.revoked_at = clock.now()
    db.session.commit()
    assert_problem(client.get("/api/v1/users/me", headers=headers), 401)


def test_a_deactivated_users_token_stops_working(client, make_user, make_token):
    user = make_user()
    headers = make_token(user)
    user.is_active = False
    db.session.commit()
    assert_problem(client.get("/api/v1/users/me", headers=headers), 401)


def test_a_read_only_token_cannot_write(client, make_user, make_token):
    editor = make_user(Role.DIRECTORATE)
    course = {
        "code": "RO-1",
        "title": "Read only",
        "delivery_mode": "workshop",
        "hours": 3,
        "languages": ["en"],
    }
    refused = client.post("/api/v1/courses", headers=make_token(editor, "read"), json=course)
    assert "read-only" in assert_problem(refused, 403)["detail"]
    made = client.post("/api/v1/courses", headers=make_token(editor), json=course)
    assert made.status_code == 201


def test_the_browser_session_does_not_sign_api_calls(client, make_user):
    """A page's cookie never authorises a call (the API takes no CSRF token)."""
    user = make_user(Role.ADMIN)
    login(client, user)
    assert client.get("/profile/api-tokens/").status_code == 200
    assert_problem(client.get("/api/v1/users/me"), 401)


def test_profile_page_makes_shows_once_and_revokes_a_token(client, make_user):
    user = make_user(Role.TRAINEE)
    login(client, user)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert 'href="/profile/api-tokens/"' in profile
    page = post_form(
        client, "/profile/api-tokens/", {"name": "My <script>", "scope": "read", "days": "30"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    secret = re.search(r'id="new-token"[^>]*value="(lms_[^"]+)"', html).group(1)
    assert "My &lt;script&gt;" in html and "<script>" not in html.split("</nav>", 1)[1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    again = client.get("/profile/api-tokens/").get_data(as_text=True)
    assert secret not in again  # shown once only
    record = db.session.scalar(sa.select(ApiToken))
    assert post_form(client, f"/profile/api-tokens/{record.id}/revoke").status_code == 302
    assert_problem(client.get("/api/v1/users/me", headers=headers), 401)


def test_a_bad_form_keeps_what_was_typed_and_says_why(client, make_user):
    login(client, make_user())
    page = post_form(client, "/profile/api-tokens/", {"name": "Keep me", "days": "999"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="Keep me"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_nobody_revokes_someone_elses_token(client, make_user, make_token):
    owner = make_user()
    headers = make_token(owner)
    login(client, make_user(Role.ADMIN))
    record = db.session.scalar(sa.select(ApiToken))
    assert post_form(client, f"/profile/api-tokens/{record.id}/revoke").status_code == 404
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200


def test_revoking_needs_the_csrf_token(client, make_user, make_token):
    user = make_user()
    make_token(user)
    login(client, user)
    record = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/profile/api-tokens/{record.id}/revoke").status_code == 400
    db.session.refresh(record)
    assert record.revoked_at is None


def test_credentials_no_form_could_send_are_refused_without_a_trace(client, make_user):
    user = make_user()
    for email, password in (
        (user.email + "\x00", TEST_PASSWORD),
        ("x" * 300, "p"),
        (user.email, "\x00"),
    ):
        assert_problem(client.post("/api/v1/tokens", headers=basic(email, password)), 401)
    assert db.session.scalars(sa.select(LoginAttempt)).all() == []
