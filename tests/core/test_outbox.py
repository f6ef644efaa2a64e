"""The outbox against a real SMTP server on loopback (aiosmtpd): mail waits while the server
is down and goes out when it returns; repeated failures end in the dead-letter state."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage, OutboxStatus
from lms.core.outbox import MailSettings, deliver_due, enqueue_email


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


def _settings(port: int, **kw) -> MailSettings:
    return MailSettings(server="127.0.0.1", port=port, timeout=2, **kw)


def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_returns(app, smtp_port):
    enqueue_email(db.session, "nadia@example.org", "Your account", "Hello Nadia")
    db.session.commit()

    assert deliver_due(db.session, _settings(smtp_port)) == 0  # nobody listening
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1 and "Connection" in message.last_error
    assert message.next_attempt_at > utcnow()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        later = utcnow() + timedelta(hours=1)
        assert deliver_due(db.session, _settings(smtp_port), now=later) == 1
        db.session.commit()
    finally:
        controller.stop()
    assert [m["To"] for m in inbox.messages] == ["nadia@example.org"]
    assert inbox.messages[0]["Subject"] == "Your account"
    assert "Hello Nadia" in inbox.messages[0].get_payload()
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_message_is_dead_after_the_last_attempt(app, smtp_port):
    enqueue_email(db.session, "x@example.org", "S", "B")
    db.session.commit()
    now = utcnow()
    for _ in range(3):
        now += timedelta(days=1)
        deliver_due(db.session, _settings(smtp_port, max_attempts=3), now=now)
        db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.DEAD and message.attempts == 3


def test_admin_sees_dead_letters(app, client, logged_in):
    from lms.accounts.models import Role

    logged_in(Role.ADMIN)
    db.session.add(
        OutboxMessage(
            recipient="gone@example.org",
            subject="Lost",
            body="b",
            status=OutboxStatus.DEAD,
            attempts=8,
            last_error="refused",
        )
    )
    db.session.commit()
    html = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert "gone@example.org" in html and "refused" in html
