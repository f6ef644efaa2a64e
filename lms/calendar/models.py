"""A user's private calendar feed: the secret in its address is the only credential, so only
its SHA-256 hash is kept (the address is shown once, when it is made)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User


class CalendarFeed(db.Model):
    """One per user. Resetting replaces the hash (the old address stops working at once);
    revoking sets ``revoked_at``. The row goes with the account (CASCADE): it is a setting,
    not a record."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    __table_args__ = (sa.CheckConstraint("length(token_hash) = 64", name="token_hash_length"),)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
