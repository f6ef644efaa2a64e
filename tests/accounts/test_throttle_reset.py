"""A successful login starts the count of failed logins again (``LMS_LOGIN_MAX_FAILURES`` is 5)."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import LoginAttempt, Role
from lms.core.extensions import db
from tests.conftest import TEST_PASSWORD, login

WRONG = "not-the-password-at-all"


def _outcome(response) -> str:
    html = response.get_data(as_text=True)
    if response.status_code == 302:
        return "in"
    if response.status_code == 429 and "Too many failed login attempts" in html:
        return "throttled"
    if response.status_code == 200 and "Invalid email or password" in html:
        return "wrong"
    raise AssertionError(f"unexpected answer {response.status_code}: {html[:500]}")


def test_four_wrong_one_right_then_five_wrong_are_all_answered_as_wrong(app, make_user):
    user = make_user(Role.TRAINEE)
    # A fresh browser for each attempt, so a successful login does not leave the next one
    # logged in already.
    attempts = [WRONG] * 4 + [TEST_PASSWORD] + [WRONG] * 5
    outcomes = [_outcome(login(app.test_client(), user, password)) for password in attempts]

    assert outcomes == ["wrong"] * 4 + ["in"] + ["wrong"] * 5
    recorded = db.session.scalars(sa.select(LoginAttempt.succeeded).order_by(LoginAttempt.at))
    assert list(recorded) == [False] * 4 + [True] + [False] * 5
    # The five failures since the success are the limit: the next attempt is throttled.
    assert _outcome(login(app.test_client(), user, TEST_PASSWORD)) == "throttled"
