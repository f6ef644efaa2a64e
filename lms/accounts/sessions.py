"""Server-side login sessions on top of Flask-Login.

Flask's cookie session is signed, not revocable: a copied cookie would keep working after
logout. Each login therefore creates an ``AuthSession`` row whose random token lives in the
cookie; the user loader accepts the cookie only while that row is open and within the idle and
absolute time limits. Logout, password change and deactivation close the rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import AuthSession, User
from lms.core.extensions import db
from lms.core.faults import commit_unless_read_only
from lms.core.model_base import utcnow

SESSION_KEY = "lms_sid"
# Writing last_seen_at on every request would make every page a write; a minute is precise
# enough for an idle timeout measured in tens of minutes.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_login_manager(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our own session records do this job
    login_manager.user_loader(load_user)
    app.permanent_session_lifetime = timedelta(hours=app.config["LMS_SESSION_ABSOLUTE_HOURS"])


def _expired(record: AuthSession, now: datetime) -> str | None:
    config = current_app.config
    if now - record.created_at > timedelta(hours=config["LMS_SESSION_ABSOLUTE_HOURS"]):
        return "absolute_timeout"
    if now - record.last_seen_at > timedelta(minutes=config["LMS_SESSION_IDLE_MINUTES"]):
        return "idle_timeout"
    return None


def load_user(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    # One statement per request: the session record, its user and the user's roles.
    row = (
        db.session.execute(
            sa.select(AuthSession, User)
            .join(User, AuthSession.user_id == User.id)
            .options(joinedload(User.role_links))
            .where(AuthSession.token_hash == _hash(token))
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    record, user = row
    if str(user.id) != user_id or record.ended_at is not None or not user.is_active:
        return None
    now = utcnow()
    reason = _expired(record, now)
    if reason:
        record.ended_at = now
        record.end_reason = reason
        commit_unless_read_only(db.session)
        session.pop(SESSION_KEY, None)
        return None
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        commit_unless_read_only(db.session)  # a read-only database still serves its pages
    return user


def start_session(user: User) -> None:
    """Log ``user`` in with a fresh session: nothing from the anonymous session is carried over."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            token_hash=_hash(token),
            user_id=user.id,
            ip_address=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:300],
        )
    )
    user.last_login_at = utcnow()
    session.permanent = True
    session[SESSION_KEY] = token
    login_user(user)


def end_current_session(reason: str = "logout") -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            sa.update(AuthSession)
            .where(AuthSession.token_hash == _hash(token), AuthSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    logout_user()
    session.clear()


def end_all_sessions(
    db_session: Session, user: User, reason: str, *, keep_current: bool = False
) -> None:
    """Close every open session of ``user`` (deactivation, password change)."""
    stmt = sa.update(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.ended_at.is_(None)
    )
    token = session.get(SESSION_KEY) if keep_current else None
    if token:
        stmt = stmt.where(AuthSession.token_hash != _hash(token))
    db_session.execute(stmt.values(ended_at=utcnow(), end_reason=reason))
