"""Authentication: login, throttling, server-side sessions, timeouts, passwords, tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import AuthSession, LoginAttempt, Role, TokenPurpose, User
from lms.accounts.passwords import verify_password
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, csrf_token, login, post_form


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_trainee_gets_403_on_admin_users(client, logged_in):
    logged_in(Role.TRAINEE)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You may not see this page" in response.get_data(as_text=True)


def test_admin_sees_admin_users(client, logged_in):
    admin = logged_in(Role.ADMIN)
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert admin.email in response.get_data(as_text=True)


def test_login_form_without_csrf_token_is_rejected(client, make_user):
    user = make_user(Role.TRAINEE)
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "lms_sid" not in session


def test_login_succeeds_with_case_insensitive_email(client, make_user):
    user = make_user(Role.TRAINEE, email="nadia@example.org")
    response = login(client, "NADIA@Example.org")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_is_refused_and_counted(client, make_user):
    user = make_user(Role.TRAINEE)
    response = login(client, user, "not-the-password-123")
    assert "Invalid email or password" in response.get_data(as_text=True)
    attempts = db.session.scalars(sa.select(LoginAttempt)).all()
    assert [(a.email, a.succeeded) for a in attempts] == [(user.email, False)]


def test_sixth_wrong_password_in_a_row_is_throttled(client, make_user):
    user = make_user(Role.TRAINEE)
    for _ in range(5):
        response = login(client, user, "wrong-password-here")
        assert response.status_code == 200
        assert "Invalid email or password" in response.get_data(as_text=True)
    response = login(client, user, "wrong-password-here")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.get_data(as_text=True)
    # Even the right password is refused while throttled.
    response = login(client, user, TEST_PASSWORD)
    assert response.status_code == 429
    with client.session_transaction() as session:
        assert "lms_sid" not in session


def test_throttle_counts_per_address_across_accounts(app, make_user):
    policy = services.ThrottlePolicy(max_failures=5, max_failures_per_address=3)
    users = [make_user(Role.TRAINEE) for _ in range(4)]
    for user in users[:3]:
        with pytest.raises(services.InvalidCredentials):
            services.authenticate(
                db.session, user.email, "nope-nope-nope", ip_address="10.9.9.9", policy=policy
            )
    db.session.commit()
    with pytest.raises(services.LoginThrottled):
        services.authenticate(
            db.session, users[3].email, TEST_PASSWORD, ip_address="10.9.9.9", policy=policy
        )
    # Another address is not affected.
    assert (
        services.authenticate(
            db.session, users[3].email, TEST_PASSWORD, ip_address="10.1.1.1", policy=policy
        )
        == users[3]
    )


def test_throttle_expires_after_the_window(app, make_user):
    user = make_user(Role.TRAINEE)
    policy = services.ThrottlePolicy()
    past = utcnow() - timedelta(minutes=20)
    for _ in range(5):
        db.session.add(
            LoginAttempt(at=past, email=user.email, ip_address="1.2.3.4", succeeded=False)
        )
    db.session.commit()
    assert (
        services.authenticate(
            db.session, user.email, TEST_PASSWORD, ip_address="1.2.3.4", policy=policy
        )
        == user
    )


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_fails(app, make_user):
    user = make_user(Role.ADMIN)
    browser = app.test_client()
    assert login(browser, user).status_code == 302
    cookie = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/admin/users").status_code == 200  # the copy works while logged in

    post_form(browser, "/auth/logout")
    assert browser.get("/admin/users").status_code == 302
    assert thief.get("/admin/users").status_code == 302  # and not after logout
    record = db.session.scalar(sa.select(AuthSession))
    assert record.ended_at is not None and record.end_reason == "logout"


def test_login_starts_a_fresh_session(app, make_user):
    user = make_user(Role.TRAINEE)
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lms_sid"]


def test_idle_timeout_ends_the_session(app, client, logged_in):
    logged_in(Role.ADMIN)
    record = db.session.scalar(sa.select(AuthSession))
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["LMS_SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/admin/users").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(AuthSession)).end_reason == "idle_timeout"


def test_absolute_timeout_ends_an_active_session(app, client, logged_in):
    logged_in(Role.ADMIN)
    record = db.session.scalar(sa.select(AuthSession))
    record.created_at = utcnow() - timedelta(
        hours=app.config["LMS_SESSION_ABSOLUTE_HOURS"], minutes=1
    )
    record.last_seen_at = utcnow()
    db.session.commit()
    assert client.get("/admin/users").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(AuthSession)).end_reason == "absolute_timeout"


def test_deactivating_a_user_ends_their_sessions(app, make_user):
    admin = make_user(Role.ADMIN)
    victim = make_user(Role.TRAINER)
    victim_client = app.test_client()
    login(victim_client, victim)
    assert victim_client.get("/").status_code == 200

    services.deactivate_user(db.session, victim, actor=admin)
    db.session.commit()
    assert victim_client.get("/").status_code == 302
    assert login(app.test_client(), victim).status_code == 200  # refused: form shown again


def test_change_password_applies_policy_and_signs_out_other_devices(app, make_user):
    user = make_user(Role.TRAINEE)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)

    weak = post_form(
        laptop,
        "/auth/password",
        {"current_password": TEST_PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert "too common" in weak.get_data(as_text=True)
    wrong = post_form(
        laptop,
        "/auth/password",
        {
            "current_password": "not-it-at-all",
            "password": "a-much-better-passphrase",
            "confirm": "a-much-better-passphrase",
        },
    )
    assert "current password is not correct" in wrong.get_data(as_text=True)

    ok = post_form(
        laptop,
        "/auth/password",
        {
            "current_password": TEST_PASSWORD,
            "password": "a-much-better-passphrase",
            "confirm": "a-much-better-passphrase",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, "a-much-better-passphrase")
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_password_policy():
    from lms.accounts.passwords import policy_errors

    assert policy_errors("short") == ["Use at least 12 characters."]
    assert any("too common" in e for e in policy_errors("qwertyuiop123"))
    assert any("too common" in e for e in policy_errors("Password1234"))
    assert any("email" in e for e in policy_errors("my-nadia.b-secret", email="nadia.b@x.org"))
    assert policy_errors("customs data ecosystem 2026") == []


def _link_from_outbox() -> str:
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    match = re.search(r"http://localhost(/auth/set-password/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_email_is_single_use(app, client, make_user):
    user = make_user(Role.TRAINEE)
    response = post_form(client, "/auth/reset", {"email": user.email.upper()})
    assert response.status_code == 302
    link = _link_from_outbox()
    assert client.get(link).status_code == 200
    done = post_form(
        client,
        link,
        {"password": "new-passphrase-for-nadia", "confirm": "new-passphrase-for-nadia"},
    )
    assert done.status_code == 302
    assert login(client, user, "new-passphrase-for-nadia").status_code == 302
    post_form(client, "/auth/logout")
    assert client.get(link).status_code == 410  # used


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client):
    response = post_form(
        client, "/auth/reset", {"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If an account exists" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_expired_invitation_link_is_refused(app, client, make_user):
    user = make_user(Role.TRAINEE)
    token = services.issue_token(db.session, user, TokenPurpose.INVITATION, timedelta(days=-1))
    db.session.commit()
    assert client.get(f"/auth/set-password/{token}").status_code == 410


def test_open_redirect_after_login_is_refused(client, make_user):
    user = make_user(Role.TRAINEE)
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=//evil.example/",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
