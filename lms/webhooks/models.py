"""Webhook subscriptions: an address, the events it receives, and the shared secret that
signs each delivery.

The secret is kept as it is (not hashed): every delivery is signed with it, so the product
must be able to read it back. It is shown to the administrator once, when it is made or
replaced, and never again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User


class WebhookEvent(LabelledEnum):
    ENROLMENT_CHANGED = "enrolment.changed"
    RESULT_RECORDED = "result.recorded"
    CERTIFICATE_ISSUED = "certificate.issued"
    MILESTONE_LATE = "milestone.late"

    __labels__ = {
        "enrolment.changed": _l("Enrolment changed"),
        "result.recorded": _l("Result recorded"),
        "certificate.issued": _l("Certificate issued"),
        "milestone.late": _l("Milestone late"),
    }


class WebhookSubscription(db.Model):
    """Disabling keeps the row (its deliveries stay in the outbox's history); an address that
    should stop receiving is disabled, never deleted."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    secret: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    disabled_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
    events: Mapped[list[WebhookSubscriptionEvent]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("length(secret) >= 32", name="secret_length"),
        sa.CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="url_scheme"),
    )

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def event_set(self) -> set[WebhookEvent]:
        return {link.event for link in self.events}


class WebhookSubscriptionEvent(db.Model):
    __tablename__ = "webhook_events"

    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[WebhookEvent] = mapped_column(
        enum_column(WebhookEvent, "webhook_event"), primary_key=True
    )

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="events")
