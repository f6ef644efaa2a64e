"""Two-factor sign-in: set-up, the login's code step (replay, recovery codes, expiry, the
throttle), forced set-up with LMS_REQUIRE_2FA, profile changes and the API token path.

Time is fixed with ``clock.travel`` (T0 and later moments); codes are computed by hand
(RFC 6238) in ``two_factor_helpers``, never by sleeping."""

from __future__ import annotations

import base64
import re

import pyotp
import pytest
import sqlalchemy as sa

from lms.accounts import two_factor
from lms.accounts.models import LoginAttempt, RecoveryCode, Role, TwoFactorCredential
from lms.config import load_config
from lms.core.clock import travel
from lms.core.extensions import db
from lms.core.models import AuditEntry
from tests.accounts.two_factor_helpers import T0, enrol, give_code, later, totp
from tests.conftest import TEST_PASSWORD, csrf_token, login, post_form

SECRET_RE = re.compile(r'class="two-factor-secret">([A-Z2-7 ]+)</code>')
CODE_RE = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")


@pytest.fixture(autouse=True)
def frozen():
    with travel(T0):
        yield


def _signed_in(client) -> bool:
    return client.get("/auth/profile").status_code == 200


def _actions(user) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id))
    ).all()


def test_code_generator_agrees_with_pyotp():
    secret = pyotp.random_base32()
    assert totp(secret, T0) == pyotp.TOTP(secret).at(int(T0.timestamp()))


def test_set_up_on_the_profile_then_log_in_with_a_code(client, logged_in):
    user = logged_in(Role.TRAINEE)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "Two-factor sign-in" in profile and "/auth/two-factor/setup" in profile

    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    assert len(base64.b32decode(secret)) >= 20  # 160 bits
    stored = db.session.get(TwoFactorCredential, user.id)
    assert stored.enabled_at is None and secret not in stored.pending_secret  # sealed
    qr = client.get("/auth/two-factor/setup/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert "private" in qr.headers["Cache-Control"]
    uri = two_factor.provisioning_uri(user, secret)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri

    wrong = post_form(client, "/auth/two-factor/setup", {"code": "000000"})
    assert "does not match" in wrong.get_data(as_text=True)
    assert not two_factor.is_enabled(db.session, user)

    shown = post_form(client, "/auth/two-factor/setup", {"code": totp(secret, T0)})
    codes = CODE_RE.findall(shown.get_data(as_text=True))
    assert shown.status_code == 200 and len(set(codes)) == 10
    db.session.expire_all()
    assert two_factor.is_enabled(db.session, user)
    hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not any(c.replace("-", "") in h for c in codes for h in hashes)
    assert "user.two_factor_enabled" in _actions(user)
    # The secret is never shown again: set-up goes back to the profile, which lacks it.
    assert client.get("/auth/two-factor/setup").status_code == 302
    assert secret[:8] not in client.get("/auth/profile").get_data(as_text=True)

    post_form(client, "/auth/logout")
    with travel(later(40)):
        step = login(client, user)
        assert step.status_code == 302 and step.headers["Location"].endswith("/two-factor/verify")
        assert not _signed_in(client)  # no session before the code
        done = give_code(client, totp(secret, later(40)))
        assert done.status_code == 302 and _signed_in(client)


def test_wrong_codes_count_toward_the_account_throttle(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    with travel(later(60)):
        login(client, user)
        for _n in range(4):
            page = give_code(client, "123456")
            assert "not valid" in page.get_data(as_text=True)
        # A right password again does not clear the failures (nothing is a success yet).
        login(client, user)
        give_code(client, "654321")
        failures = db.session.scalar(
            sa.select(sa.func.count()).where(LoginAttempt.succeeded.is_(False))
        )
        assert failures == 5
        assert give_code(client, totp(secret, later(60))).status_code == 429
        assert login(client, user).status_code == 429
        assert not _signed_in(client)


def test_a_code_is_not_accepted_twice(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    code = totp(secret, later(30))
    with travel(later(30)):
        login(client, user)
        assert give_code(client, code).status_code == 302
        post_form(client, "/auth/logout")
    with travel(later(45)):  # same step, still within the window
        login(client, user)
        assert "not valid" in give_code(client, code).get_data(as_text=True)
        assert not _signed_in(client)
        # The set-up's own code (step of T0) is older than the last one used: refused too.
        assert "not valid" in give_code(client, totp(secret, T0)).get_data(as_text=True)
        assert give_code(client, totp(secret, later(60))).status_code == 302  # next step: fine


def test_codes_one_step_either_side_are_accepted_not_two(make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    now = later(300)

    def accepted(at, key=None) -> bool:
        code = totp(secret, at)
        return two_factor.use_code(db.session, user, code, secret_key=key or _key(), now=now)

    assert not accepted(later(240))  # two steps before
    assert not accepted(now, key="another-key")  # a secret sealed with another key is unread
    assert accepted(later(270))  # one step before
    assert accepted(later(330))  # one step after
    assert not accepted(later(360))  # two steps after


def test_a_recovery_code_works_once(client, make_user):
    user = make_user(Role.TRAINEE)
    _secret, codes = enrol(user)
    login(client, user)
    assert give_code(client, codes[0].upper().replace("-", " ")).status_code == 302
    assert _signed_in(client)
    assert two_factor.remaining_recovery_codes(db.session, user) == 9
    assert "user.recovery_code_used" in _actions(user)
    post_form(client, "/auth/logout")
    login(client, user)
    assert "not valid" in give_code(client, codes[0]).get_data(as_text=True)
    assert give_code(client, codes[1]).status_code == 302


def test_the_code_step_expires(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    login(client, user)
    with travel(later(4 * 60 + 50)):  # within five minutes: still open
        assert client.get("/auth/two-factor/verify").status_code == 200
    moment = later(5 * 60 + 10)
    with travel(moment):
        expired = give_code(client, totp(secret, moment))
        assert expired.status_code == 302 and expired.headers["Location"].endswith("/auth/login")
        assert not _signed_in(client)
        assert client.get("/auth/two-factor/verify").status_code == 302  # state forgotten


def test_no_code_step_without_a_password(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    answer = give_code(client, totp(secret, later(30)))
    assert answer.headers["Location"].endswith("/auth/login") and not _signed_in(client)


class TestRequired:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LMS_REQUIRE_2FA": True}

    def test_admin_without_a_second_factor_sets_one_up_first(self, client, make_user):
        admin = make_user(Role.ADMIN)
        answer = login(client, admin)
        assert answer.headers["Location"].endswith("/auth/two-factor/setup")
        for path in ("/", "/admin/users", "/auth/profile", "/auth/password"):
            blocked = client.get(path)
            assert blocked.status_code == 302, path
            assert blocked.headers["Location"].endswith("/auth/two-factor/setup")
        page = client.get("/auth/two-factor/setup").get_data(as_text=True)
        secret = SECRET_RE.search(page).group(1).replace(" ", "")
        token = csrf_token(client, "/auth/two-factor/setup")  # other pages send there
        confirmed = client.post(
            "/auth/two-factor/setup", data={"code": totp(secret, T0), "csrf_token": token}
        )
        assert confirmed.status_code == 200 and len(CODE_RE.findall(confirmed.text)) == 10
        assert client.get("/admin/users").status_code == 200

    def test_logout_is_allowed_during_the_forced_set_up(self, client, make_user):
        login(client, make_user(Role.DIRECTORATE))
        token = csrf_token(client, "/auth/two-factor/setup")
        out = client.post("/auth/logout", data={"csrf_token": token})
        assert out.headers["Location"].endswith("/auth/login")
        assert not _signed_in(client)

    def test_trainees_are_not_forced(self, client, make_user):
        answer = login(client, make_user(Role.TRAINEE))
        assert not answer.headers["Location"].endswith("/setup")
        assert client.get("/").status_code == 200

    def test_turning_it_off_asks_for_a_new_set_up(self, client, make_user):
        admin = make_user(Role.ADMIN)
        secret, _codes = enrol(admin)
        login(client, admin)
        give_code(client, totp(secret, later(30)))
        off = post_form(client, "/auth/two-factor/disable", {"off-current": TEST_PASSWORD})
        assert off.headers["Location"].endswith("/auth/two-factor/setup")
        assert client.get("/admin/users").status_code == 302

    def test_a_token_needs_the_set_up_first(self, client, make_user):
        admin = make_user(Role.ADMIN)
        answer = _token(client, admin)
        assert answer.status_code == 403 and "two-factor" in answer.json["detail"]


def test_not_forced_when_the_requirement_is_off(client, make_user):
    answer = login(client, make_user(Role.ADMIN))
    assert answer.headers["Location"].endswith("/")
    assert client.get("/admin/users").status_code == 200


def test_required_by_default_in_production_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/2")  # production
    monkeypatch.delenv("LMS_REQUIRE_2FA", raising=False)
    for env, expected in (("production", True), ("development", False), ("testing", False)):
        monkeypatch.setenv("LMS_ENV", env)
        assert load_config(tmp_path)["LMS_REQUIRE_2FA"] is expected, env
    monkeypatch.setenv("LMS_REQUIRE_2FA", "false")
    monkeypatch.setenv("LMS_ENV", "production")
    assert load_config(tmp_path)["LMS_REQUIRE_2FA"] is False


def test_new_recovery_codes_and_turning_off_need_a_password_or_code(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, old_codes = enrol(user)
    login(client, user)
    give_code(client, totp(secret, later(30)))
    refused = post_form(client, "/auth/two-factor/recovery-codes", {"codes-current": "wrong"})
    assert refused.status_code == 302 and two_factor.remaining_recovery_codes(db.session, user)
    shown = post_form(client, "/auth/two-factor/recovery-codes", {"codes-current": TEST_PASSWORD})
    new_codes = CODE_RE.findall(shown.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert not two_factor.use_code(db.session, user, old_codes[2], secret_key=_key(), now=later(30))
    db.session.rollback()

    post_form(client, "/auth/two-factor/disable", {"off-current": "999999"})
    assert two_factor.is_enabled(db.session, user)
    with travel(later(60)):
        post_form(client, "/auth/two-factor/disable", {"off-current": totp(secret, later(60))})
    db.session.expire_all()
    assert not two_factor.is_enabled(db.session, user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    actions = _actions(user)
    assert "user.recovery_codes_regenerated" in actions and "user.two_factor_disabled" in actions


# The API's token path -------------------------------------------------------------------------


def _key() -> str:
    from flask import current_app

    return current_app.config["SECRET_KEY"]


def _token(client, user, otp: str | None = None):
    headers = {
        "Authorization": "Basic "
        + base64.b64encode(f"{user.email}:{TEST_PASSWORD}".encode()).decode()
    }
    if otp is not None:
        headers["X-LMS-OTP"] = otp
    return client.post("/api/v1/tokens", json={"name": "sync", "scope": "read"}, headers=headers)


def test_a_token_for_a_two_factor_account_needs_a_code(client, make_user):
    user = make_user(Role.TRAINEE)
    secret, _codes = enrol(user)
    missing = _token(client, user)
    assert missing.status_code == 401 and "X-LMS-OTP" in missing.json["detail"]
    assert missing.mimetype == "application/problem+json"
    wrong = _token(client, user, "111111")
    assert wrong.status_code == 401
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(LoginAttempt.succeeded.is_(False))) == 1
    )
    with travel(later(30)):
        code = totp(secret, later(30))
        made = _token(client, user, code)
        assert made.status_code == 201 and made.json["token"].startswith("lms_")
        assert _token(client, user, code).status_code == 401  # replay
