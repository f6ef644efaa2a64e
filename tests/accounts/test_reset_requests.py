"""Issue 11, defect 4c: password-reset requests are rate-limited per account and per address
(the login throttle's mechanism: locked keys, counted rows), answered the same way whether the
account exists, and their email waits in the outbox for the scheduler instead of being sent
during the request."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import PasswordResetRequest, Role
from lms.core import mail, outbox
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage, OutboxStatus
from lms.scheduler.jobs import deliver_outbox
from tests.conftest import post_form

SENT = "If an account exists for that address, a reset link is on its way."
TOO_MANY = "Too many password-reset requests. Try again in 60 minute(s)."


def _reset(client, email: str, address: str = "10.0.0.1"):
    response = post_form(
        client,
        "/auth/reset",
        {"email": email},
        environ_base={"REMOTE_ADDR": address},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    if response.status_code == 200 and SENT in html:
        return "sent"
    if response.status_code == 429 and TOO_MANY in html:
        return "throttled"
    raise AssertionError(f"unexpected answer {response.status_code}: {html[:400]}")


def _queued() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_three_requests_per_account_then_the_same_refusal_with_or_without_account(
    client, make_user
):
    user = make_user(Role.TRAINEE)
    for email in (user.email, "nobody@example.org"):
        # From a new address each time: the account's own count is what stops the fourth.
        outcomes = [_reset(client, email.upper(), f"10.0.3.{n}") for n in range(4)]
        assert outcomes == ["sent", "sent", "sent", "throttled"], email
    assert _queued() == 3  # three links for the real account, none for the other
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetRequest)) == 6


def test_ten_requests_per_address_then_refused(client, make_user):
    outcomes = [_reset(client, f"person{n}@example.org") for n in range(11)]
    assert outcomes == ["sent"] * 10 + ["throttled"]
    # Another address is not held up by it.
    assert _reset(client, "person0@example.org", "10.0.4.1") == "sent"


def test_a_request_older_than_the_window_no_longer_counts(client, make_user):
    user = make_user(Role.TRAINEE)
    for _ in range(3):
        _reset(client, user.email)
    assert _reset(client, user.email) == "throttled"
    for request in db.session.scalars(sa.select(PasswordResetRequest)):
        request.at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    assert _reset(client, user.email) == "sent"


def test_the_reset_email_waits_in_the_outbox_for_the_scheduler(client, make_user, monkeypatch):
    user = make_user(Role.TRAINEE)
    calls = []
    for module in (outbox, mail):
        monkeypatch.setattr(module, "deliver_due", lambda *a, **k: calls.append(a) or 0)
    for email in (user.email, "nobody@example.org"):
        assert _reset(client, email) == "sent"
    assert calls == []  # nothing is delivered during the request, for either address
    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.recipient, message.status) == (user.email, OutboxStatus.PENDING)

    monkeypatch.undo()
    result = deliver_outbox(db.session, utcnow())  # the scheduler's job
    db.session.commit()
    assert result.items == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(OutboxMessage)).status is OutboxStatus.SENT
