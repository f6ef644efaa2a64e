"""The email outbox: write in the caller's transaction, deliver after commit, retry with back-off.

With no ``MAIL_SERVER`` configured (development) messages are written to the log and marked
sent, so a developer sees invitation and reset links in the console.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage, OutboxStatus

log = logging.getLogger("lms.outbox")


@dataclass(frozen=True)
class MailSettings:
    server: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    sender: str = "Capacity LMS <no-reply@localhost>"
    max_attempts: int = 8
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: dict) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER", ""),
            port=config.get("MAIL_PORT", 25),
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
            use_tls=config.get("MAIL_USE_TLS", False),
            sender=config.get("MAIL_SENDER", cls.sender),
            max_attempts=config.get("MAIL_MAX_ATTEMPTS", 8),
        )


def enqueue_email(session: Session, recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    session.add(message)
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _send(settings: MailSettings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(email)


def deliver_due(session: Session, settings: MailSettings, now: datetime | None = None) -> int:
    """Try every pending message whose time has come; returns how many were sent.

    Each message's outcome is written to the session; the caller commits.
    """
    now = now or utcnow()
    due = session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(200)
    ).all()
    sent = 0
    for message in due:
        message.attempts += 1
        try:
            if settings.server:
                _send(settings, message)
            else:
                log.info(
                    "Outbox (no MAIL_SERVER, not sent)\nTo: %s\nSubject: %s\n\n%s",
                    message.recipient,
                    message.subject,
                    message.body,
                )
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.max_attempts:
                message.status = OutboxStatus.DEAD
                log.error(
                    "Outbox message %s is dead after %s attempts", message.id, message.attempts
                )
            else:
                message.next_attempt_at = now + _backoff(message.attempts)
            continue
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = None
        sent += 1
    return sent
