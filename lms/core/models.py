"""Models shared by every feature: the audit log, the email outbox and the HTTP outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User


class AuditEntry(db.Model):
    """Who changed what, when, with the values before and after. Append-only."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(60))
    entity_type: Mapped[str] = mapped_column(sa.String(60))
    entity_id: Mapped[str | None] = mapped_column(sa.String(60))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship(
        foreign_keys=[actor_id], lazy="joined", back_populates="audit_entries"
    )

    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that caused it.

    Delivery happens after commit and is retried with back-off, so a mail server that is down
    delays messages but never loses them; after too many failures a message is parked as dead
    for an admin to see.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),)


class OutboundStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboundRequest(db.Model):
    """An HTTP request to another system (an LRS, a webhook subscriber), written in the same
    transaction as the change that caused it and delivered after commit by the scheduler's
    ``http_outbox.deliver`` job, with back-off (``lms.core.http_outbox``).

    Only non-secret headers are stored: credentials and signatures are asked of the channel's
    listener (``outbound_headers``) just before each attempt. ``reference`` tells that
    listener what the request belongs to (``"subscription:12"``).
    """

    __tablename__ = "outbound_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(sa.String(40), index=True)
    reference: Mapped[str | None] = mapped_column(sa.String(100))
    method: Mapped[str] = mapped_column(sa.String(10), default="POST")
    url: Mapped[str] = mapped_column(sa.String(2000))
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    content_type: Mapped[str] = mapped_column(sa.String(100), default="application/json")
    status: Mapped[OutboundStatus] = mapped_column(
        enum_column(OutboundStatus, "outbound_status"), default=OutboundStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_status_code: Mapped[int | None]
    sent_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)

    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint(
            "method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')", name="method_known"
        ),
        sa.Index("ix_outbound_requests_due", "status", "next_attempt_at"),
    )
