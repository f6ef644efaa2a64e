"""Making, checking and revoking personal API tokens (plain functions; the caller commits)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.api.models import ApiToken, TokenScope
from lms.core.audit import record_change
from lms.core.errors import ValidationError
from lms.core.i18n import _

TOKEN_PREFIX = "lms_"  # nosec B105  # the public prefix of every token, not a secret
MAX_TOKEN_DAYS = 366
# Writing last_used_at on every call would make every read a write; a minute is enough to
# tell a token in use from one forgotten.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    scope: str,
    days: int,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token for ``user``: the record and the token itself, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name, so you know what uses it."), field="name")
    if len(name) > 100:
        raise ValidationError(_("A token's name has at most 100 characters."), field="name")
    try:
        token_scope = TokenScope(scope)
    except ValueError:
        raise ValidationError(_("Choose read or read-write."), field="scope") from None
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            _("A token lasts from 1 to %(days)s days.", days=MAX_TOKEN_DAYS), field="days"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user=user,
        name=name,
        scope=token_scope,
        token_hash=token_hash(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(record)
    session.flush()
    record_change(
        session,
        actor=user,
        action="api_token.created",
        entity=record,
        summary=f"{user.email}: {name} ({token_scope.value})",
    )
    return record, secret


def revoke_token(session: Session, record: ApiToken, *, actor: User, now: datetime) -> None:
    if record.revoked_at is not None:
        return
    record.revoked_at = now
    session.flush()
    record_change(
        session,
        actor=actor,
        action="api_token.revoked",
        entity=record,
        summary=f"{record.user.email}: {record.name}",
    )


def user_for_token(session: Session, secret: str, *, now: datetime) -> tuple[User, ApiToken] | None:
    """The active user a usable token belongs to, in one statement (user and roles)."""
    row = (
        session.execute(
            sa.select(ApiToken, User)
            .join(User, ApiToken.user_id == User.id)
            .options(joinedload(User.role_links))
            .where(ApiToken.token_hash == token_hash(secret))
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    record, user = row
    if not record.is_usable(now) or not user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        record.last_used_at = now
    return user, record


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )
