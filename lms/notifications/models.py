"""In-app notifications and each user's choice of which kinds also come by email."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import utcnow


class Notification(db.Model):
    """A message for one user, shown under the bell until read."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Only links inside the application (a path), never an arbitrary URL.
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint(
            "link IS NULL OR (link LIKE '/%' AND link NOT LIKE '//%')", name="link_is_local_path"
        ),
        # The bell's unread count and the list page both read by user, newest first.
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
    )


class NotificationPreference(db.Model):
    """A user's choice for one kind; without a row the kind's default applies."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
