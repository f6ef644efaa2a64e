"""A badge award: what a certificate earns in Open Badges. The badge class is derived from
the track (its name, description and a generated image), so only awards are stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.frameworks.models import Track
    from lms.progress.models import Certificate


class BadgeAward(db.Model):
    """One per certificate. ``uuid`` names the public assertion and credential; ``salt``
    hashes the recipient's email in them; ``status_index`` is the award's bit in the
    revocation status list. Revoking keeps the row (a revoked assertion still answers)."""

    __tablename__ = "badge_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="RESTRICT"))
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="RESTRICT"), unique=True
    )
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    salt: Mapped[str] = mapped_column(sa.String(32))
    status_index: Mapped[int] = mapped_column(unique=True)
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    track: Mapped[Track] = relationship(lazy="joined")
    certificate: Mapped[Certificate] = relationship()

    __table_args__ = (
        sa.CheckConstraint("status_index >= 0", name="status_index_not_negative"),
        sa.CheckConstraint("length(uuid) = 36", name="uuid_length"),
        sa.CheckConstraint("length(salt) > 0", name="salt_not_empty"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR length(revocation_reason) > 0", name="revoked_with_reason"
        ),
        sa.CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after"),
    )

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
