"""Issue 11, defect 3: the throttle's count and decision are atomic. Thirty wrong passwords
sent at once, each on its own thread and database connection as thirty web workers would,
get exactly as many password checks as the limit allows: per account, and per address. The
checks are counted by instrumenting ``verify_password``: the stand-in counts, takes a fixed
50 ms (the race window a real argon2 check opens, without its cost on a loaded machine, where
thirty real checks queued on SQLite's one write lock outlast its busy timeout) and says
"wrong". Runs on SQLite (a file database in WAL mode) and on PostgreSQL; without the key
locks 19 of 30 were checked against a limit of 5."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from lms.accounts import services
from lms.accounts.models import LoginAttempt, Role
from lms.core.extensions import db

POLICY = services.ThrottlePolicy(
    max_failures=5, max_failures_per_address=20, window=timedelta(minutes=15)
)
WRONG = "not-the-password-at-all"


@pytest.fixture
def checks(monkeypatch):
    """How many times a password was verified, from any thread."""
    counted = {"n": 0}
    lock = threading.Lock()

    def counting(password_hash, password):
        with lock:
            counted["n"] += 1
        time.sleep(0.05)
        return False  # every password of these tests is wrong

    monkeypatch.setattr(services, "verify_password", counting)
    return counted


def _thirty_at_once(attempts: list[tuple[str, str]]) -> dict[str, int]:
    """Each (email, address) logs in with a wrong password in its own thread and connection,
    released together; the verdict is committed as the login page does. Returns the verdicts."""
    engine = sa.create_engine(db.engine.url, poolclass=NullPool)
    barrier = threading.Barrier(len(attempts))
    verdicts: dict[str, int] = {"wrong": 0, "throttled": 0}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(email: str, address: str) -> None:
        try:
            with Session(engine) as own:
                barrier.wait(timeout=30)
                try:
                    services.authenticate(own, email, WRONG, ip_address=address, policy=POLICY)
                except services.InvalidCredentials:
                    own.commit()  # the failed attempt counts (commit_refused in the view)
                    verdict = "wrong"
                except services.LoginThrottled:
                    own.rollback()
                    verdict = "throttled"
                with lock:
                    verdicts[verdict] += 1
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert not errors, errors
    return verdicts


def test_thirty_simultaneous_wrong_passwords_for_one_account_get_five_checks(
    app, make_user, checks
):
    user = make_user(Role.TRAINEE)
    verdicts = _thirty_at_once([(user.email, f"10.0.1.{n}") for n in range(30)])
    assert checks["n"] == 5
    assert verdicts == {"wrong": 5, "throttled": 25}
    failures = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
    )
    assert failures == 5


def test_thirty_simultaneous_wrong_passwords_from_one_address_get_twenty_checks(app, checks):
    verdicts = _thirty_at_once([(f"nobody{n}@example.org", "10.0.2.1") for n in range(30)])
    assert checks["n"] == 20
    assert verdicts == {"wrong": 20, "throttled": 10}
