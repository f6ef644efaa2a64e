"""Personal API tokens: a named, scoped, expiring and revocable credential per user."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow


class TokenScope(LabelledEnum):
    READ = "read"
    READ_WRITE = "read-write"

    __labels__ = {"read": _l("Read only"), "read-write": _l("Read and write")}


class ApiToken(db.Model):
    """Only the SHA-256 of the token is stored: the token itself is shown once, when made.

    Tokens are credentials, not history: they go with the account (CASCADE)."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "token_scope"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, so the owner can tell her tokens apart on her profile.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
