"""Member administrations, users with roles, and the records that keep logins safe."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from lms.core.models import AuditEntry


class Region(LabelledEnum):
    """The six regions of the customs organisation."""

    ESA = "ESA"
    WCA = "WCA"
    MENA = "MENA"
    AMERICAS = "AMERICAS"
    AP = "AP"
    EUROPE = "EUROPE"


REGION_LABELS = {
    Region.ESA: _l("East and Southern Africa"),
    Region.WCA: _l("West and Central Africa"),
    Region.MENA: _l("North of Africa, Near and Middle East"),
    Region.AMERICAS: _l("Americas and Caribbean"),
    Region.AP: _l("Far East, South and South East Asia, Australasia and the Pacific"),
    Region.EUROPE: _l("Europe"),
}
LabelledEnum.label_members(REGION_LABELS)


class Role(LabelledEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    PROJECT_MANAGER = "project_manager"
    DIRECTORATE = "directorate"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.TRAINER: _l("Trainer / assessor"),
    Role.PROJECT_MANAGER: _l("Project manager"),
    Role.DIRECTORATE: _l("Directorate staff"),
    Role.ADMIN: _l("Administrator"),
}
LabelledEnum.label_members(ROLE_LABELS)


class Sex(LabelledEnum):
    """A user's sex, optional: a user without one has it not recorded (NULL)."""

    FEMALE = "female"
    MALE = "male"
    UNDISCLOSED = "prefer_not_to_say"


SEX_LABELS = {
    Sex.FEMALE: _l("Female"),
    Sex.MALE: _l("Male"),
    Sex.UNDISCLOSED: _l("Prefer not to say"),
}
LabelledEnum.label_members(SEX_LABELS)


class MemberAdministration(db.Model):
    """A customs administration that is a member of the organisation."""

    __tablename__ = "member_administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    country_code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    focal_point_name: Mapped[str] = mapped_column(sa.String(160), default="")
    focal_point_email: Mapped[str] = mapped_column(sa.String(254), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(
        back_populates="member_administration", foreign_keys="User.member_administration_id"
    )

    __table_args__ = (
        sa.CheckConstraint("length(country_code) = 2", name="country_code_two_letters"),
        sa.CheckConstraint("country_code = upper(country_code)", name="country_code_upper"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    def __repr__(self) -> str:
        return f"<MemberAdministration {self.country_code} {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_links")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (a CHECK keeps it so), which makes the unique constraint
    # case-insensitive on every backend.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    member_administration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_administrations.id", ondelete="RESTRICT"), index=True
    )
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="en")
    # Optional, for results by sex in the directorate report; None: not recorded.
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    member_administration: Mapped[MemberAdministration | None] = relationship(
        back_populates="users"
    )
    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # The changes this user made. Deleting the user never touches them (``passive_deletes``):
    # the audit log is append-only, so the database's RESTRICT refuses the delete instead.
    audit_entries: Mapped[list[AuditEntry]] = relationship(
        back_populates="actor", foreign_keys="AuditEntry.actor_id", passive_deletes="all"
    )

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("length(trim(full_name)) > 0", name="full_name_not_blank"),
        sa.CheckConstraint("preferred_language IN ('en', 'fr')", name="preferred_language_known"),
    )

    # Flask-Login protocol -------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    # Roles --------------------------------------------------------------------------
    @property
    def roles(self) -> set[Role]:
        return {link.role for link in self.role_links}

    def has_role(self, *roles: Role | str) -> bool:
        mine = self.roles
        return any(Role(r) in mine for r in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class AuthSession(db.Model):
    """A server-side record of a login. Logging out ends it, so a copied cookie stops working."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(40))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login attempt, so throttling holds across workers and restarts."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip_address: Mapped[str] = mapped_column(sa.String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "at"),
        sa.Index("ix_login_attempts_ip_address_at", "ip_address", "at"),
    )


class ThrottleKey(db.Model):
    """One row per throttled key (``account:<email>``, ``address:<ip>``, per purpose). An
    attempt takes the row's lock before it counts, and keeps it until its verdict is
    committed, so two attempts on one key never decide on the same count (``throttle.py``)."""

    __tablename__ = "throttle_keys"

    key: Mapped[str] = mapped_column(sa.String(340), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PasswordResetRequest(db.Model):
    """Every password-reset request, for any address typed (an account or not), so resets
    are rate-limited per account and per address like logins."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip_address: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_password_reset_requests_email_at", "email", "at"),
        sa.Index("ix_password_reset_requests_ip_address_at", "ip_address", "at"),
    )


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # nosec B105  # a token purpose, not a password


class UserToken(db.Model):
    """A single-use, expiring link token; only its hash is stored."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class TwoFactorCredential(db.Model):
    """A user's second factor (TOTP, RFC 6238). The secret is stored encrypted
    (``two_factor.seal``); ``pending_secret`` holds the one being set up until its first code
    confirms it. ``last_step`` is the time step of the last code accepted: a code of that step
    or an earlier one is refused, so a code seen over a shoulder cannot be used again."""

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str | None] = mapped_column(sa.String(255))
    pending_secret: Mapped[str | None] = mapped_column(sa.String(255))
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("(secret IS NULL) = (enabled_at IS NULL)", name="enabled_with_secret"),
    )


class RecoveryCode(db.Model):
    """A single-use recovery code: only a salted SHA-256 of it is kept (``salt$digest``)."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
