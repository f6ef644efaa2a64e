"""The login throttle as ``authenticate`` applies it, at a fixed ``now``: which failures count
(per email since the last success, per address), the window's edges, and the wait it names.
Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import LoginAttempt, Role
from lms.core.extensions import db
from tests.conftest import TEST_PASSWORD

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
POLICY = services.ThrottlePolicy(
    max_failures=3, max_failures_per_address=4, window=timedelta(minutes=15)
)


def _attempt(minutes_ago, email="ana@example.org", ip="10.0.0.1", ok=False):
    db.session.add(
        LoginAttempt(
            at=NOW - timedelta(minutes=minutes_ago), email=email, ip_address=ip, succeeded=ok
        )
    )
    db.session.commit()


def _login(email="ana@example.org", password=TEST_PASSWORD, ip="10.0.0.1"):
    return services.authenticate(db.session, email, password, ip_address=ip, policy=POLICY, now=NOW)


@pytest.fixture
def ana(make_user):
    return make_user(Role.TRAINEE, email="ana@example.org")


def test_the_third_failure_in_the_window_throttles_and_names_the_wait(app, ana):
    for minutes_ago in (14, 12, 10, 5):
        _attempt(minutes_ago)
    # The last three failures count; the oldest of them (12 minutes ago) frees the account
    # in 3 minutes: "4 minute(s)" (whole minutes left, plus one).
    with pytest.raises(services.LoginThrottled) as throttled:
        _login()
    assert "Try again in 4 minute(s)" in str(throttled.value)
    assert throttled.value.status == 429
    # A throttled attempt is not recorded.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 4


def test_two_failures_do_not_throttle_and_the_windows_edge_is_outside(app, ana):
    _attempt(15)  # exactly one window ago: no longer counted
    _attempt(10)
    _attempt(5)
    assert _login() == ana


def test_a_success_in_the_window_restarts_the_count_for_that_email(app, ana):
    _attempt(14, ip="10.0.0.5")  # another address, so the address limit stays out of it
    _attempt(13, ip="10.0.0.5")
    _attempt(12, ok=True)
    _attempt(12, ok=True, email="bo@example.org")
    _attempt(10)
    _attempt(5)
    assert _login() == ana


def test_a_success_before_the_window_does_not_restart_the_count(app, ana):
    _attempt(20, ok=True)
    _attempt(14, ok=True, email="bo@example.org")
    for minutes_ago in (13, 10, 5):
        _attempt(minutes_ago)
    with pytest.raises(services.LoginThrottled) as throttled:
        _login()
    assert "Try again in 3 minute(s)" in str(throttled.value)  # 13 minutes ago + 15


def test_failures_of_other_emails_count_only_against_the_address(app, ana, make_user):
    make_user(Role.TRAINEE, email="bo@example.org")
    for minutes_ago in (14, 12, 10):
        _attempt(minutes_ago, email="bo@example.org")
    _attempt(11, email="bo@example.org", ip="10.0.0.2")
    _attempt(9, email="bo@example.org", ok=True)
    assert _login() == ana  # 3 failures from 10.0.0.1, below the address limit of 4
    db.session.commit()
    _attempt(8, email="carl@example.org")  # the fourth failure from 10.0.0.1
    with pytest.raises(services.LoginThrottled) as throttled:
        _login()
    # The oldest of the last four address failures (14 minutes ago) ends it in 1 minute.
    assert "Try again in 2 minute(s)" in str(throttled.value)
    assert _login(ip="10.0.0.3") == ana


def test_the_address_window_edge_is_outside(app, ana):
    _attempt(15, email="bo@example.org")
    for minutes_ago in (12, 10, 8):
        _attempt(minutes_ago, email=f"user{minutes_ago}@example.org")
    assert _login() == ana


def test_every_verdict_is_recorded_with_the_normalised_email(app, ana, make_user):
    gone = make_user(Role.TRAINEE, email="gone@example.org")
    gone.is_active = False
    db.session.commit()
    with pytest.raises(services.InvalidCredentials):
        _login(email="  Ana@Example.org ", password="not-the-password-at-all")
    with pytest.raises(services.InvalidCredentials):
        _login(email="gone@example.org")
    with pytest.raises(services.InvalidCredentials):
        _login(email="nobody@example.org")
    assert _login(email="ANA@example.org ", ip="10.0.0.9" * 10) == ana
    attempts = db.session.scalars(sa.select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(a.email, a.succeeded, a.at.replace(tzinfo=UTC)) for a in attempts] == [
        ("ana@example.org", False, NOW),
        ("gone@example.org", False, NOW),
        ("nobody@example.org", False, NOW),
        ("ana@example.org", True, NOW),
    ]
    assert attempts[-1].ip_address == ("10.0.0.9" * 10)[:64]


def test_the_policy_comes_from_the_configuration():
    policy = services.ThrottlePolicy.from_config(
        {
            "LMS_LOGIN_MAX_FAILURES": 7,
            "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
            "LMS_LOGIN_WINDOW_MINUTES": 9,
        }
    )
    assert policy == services.ThrottlePolicy(7, 30, timedelta(minutes=9))


def test_the_refusals_say_what_happened_in_full(app, ana):
    with pytest.raises(services.InvalidCredentials) as wrong:
        _login(password="not-the-password-at-all")
    assert str(wrong.value) == "Invalid email or password."
    for minutes_ago in (14, 12):
        _attempt(minutes_ago)
    with pytest.raises(services.LoginThrottled) as throttled:
        _login()
    # The three failures are 14, 12 and 0 minutes old: free in 1 minute, "2 minute(s)".
    assert str(throttled.value) == (
        "Too many failed login attempts. Try again in 2 minute(s), or reset your password."
    )


def test_the_wait_named_is_never_less_than_one_minute(app, ana):
    # Failures 14 min 59.5 s, 10 and 5 minutes old: free in half a second, named as 1 minute.
    db.session.add(
        LoginAttempt(
            at=NOW - timedelta(minutes=14, seconds=59.5),
            email="ana@example.org",
            ip_address="10.0.0.1",
            succeeded=False,
        )
    )
    _attempt(10)
    _attempt(5)
    with pytest.raises(services.LoginThrottled) as throttled:
        _login()
    assert "Try again in 1 minute(s)" in str(throttled.value)


def test_a_hash_made_with_older_parameters_is_replaced_at_login(app, ana):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD)
    ana.password_hash = old
    db.session.commit()

    assert _login() == ana
    assert ana.password_hash != old
    assert services.verify_password(ana.password_hash, TEST_PASSWORD)
    assert not services.needs_rehash(ana.password_hash)


def test_a_long_email_is_recorded_cut_to_the_columns_size(app, ana):
    email = "a" * 300 + "@example.org"
    with pytest.raises(services.InvalidCredentials):
        _login(email=email)
    [attempt] = db.session.scalars(sa.select(LoginAttempt)).all()
    assert attempt.email == email[:254]
