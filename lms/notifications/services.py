"""Notifications: write the in-app message and, when the user wants this kind by email, queue
the email through the outbox in the same transaction. The caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import audited
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, in_language
from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage, OutboxStatus
from lms.core.outbox import enqueue_email
from lms.core.redirects import local_path
from lms.notifications.models import Notification, NotificationPreference
from lms.notifications.registry import get_kind, kinds_for, notification_kind

ANNOUNCEMENT = notification_kind(
    "system.announcement",
    _l("Announcements from the administrators"),
    email_default=False,
)


def _check_link(link: str | None) -> str | None:
    if link is None or link == "":
        return None
    if local_path(link) is None:  # the one rule for redirect targets (lms.core.redirects)
        raise ValidationError(_("A notification links to a page of the application (a path)."))
    return link[:500]


def safe_link(link: str | None) -> str | None:
    """The link if it is a path inside the application, else None (checked again before a
    redirect, whatever wrote the row)."""
    try:
        return _check_link(link)
    except ValidationError:
        return None


def email_preferences(session: Session, user: User) -> dict[str, bool]:
    """Every registered kind → whether this user gets it by email (their choice or the default)."""
    chosen = dict(
        session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {key: chosen.get(key, kind.email_default) for key, kind in kinds_for(user).items()}


def wants_email(session: Session, user: User, kind: str) -> bool:
    choice = session.scalar(
        sa.select(NotificationPreference.email).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return get_kind(kind).email_default if choice is None else bool(choice)


def notify(
    session: Session,
    user: User,
    kind: str,
    title: str | LazyString,
    body: str | LazyString = "",
    link: str | None = None,
    *,
    base_url: str | None = None,
) -> Notification:
    """Tell ``user`` something: always in the app, by email too if their preference says so.

    ``title`` and ``body`` are best lazy strings (``lazy_gettext("… %(x)s", x=…)``): they are
    rendered here, in the recipient's language, whoever or whatever (a job) sends them.
    Deactivated users get nothing by email (their address may no longer be theirs).
    """
    get_kind(kind)
    with in_language(user.preferred_language):
        title, body = str(title or ""), str(body or "")
    title = " ".join(title.split())  # one line: it is also an email subject
    if not title:
        raise ValidationError(_("A notification needs a title."))
    link = _check_link(link)
    notification = Notification(
        user_id=user.id, kind=kind, title=title[:200], body=body or "", link=link
    )
    session.add(notification)
    if user.is_active and wants_email(session, user, kind):
        if base_url is None and has_app_context():
            base_url = current_app.config.get("LMS_BASE_URL", "")
        text = body or title
        if link:
            text += f"\n\n{(base_url or '').rstrip('/')}{link}"
        # Jobs run outside any request: the email speaks the recipient's language.
        with in_language(user.preferred_language):
            text += "\n\n" + gettext(
                "You choose which notifications also come by email on your preferences page:"
            )
        text += f"\n{(base_url or '').rstrip('/')}/notifications/preferences"
        enqueue_email(session, user.email, title[:200], text)
    return notification


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_query(user: User, show: str = "all") -> sa.Select[tuple[Notification]]:
    """The user's notifications, newest first; ``show="unread"`` keeps the unread ones."""
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if show == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def own_notification(session: Session, user: User, notification_id: int) -> Notification | None:
    """The notification if it is the user's; someone else's does not exist for them."""
    return session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )


def mark_read(session: Session, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(session: Session, user: User) -> int:
    """One UPDATE, whatever the number; returns how many were unread."""
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def save_email_preferences(session: Session, user: User, email_kinds: set[str]) -> None:
    """Store the user's choice for every kind they can receive (explicit rows, so a later change
    of a kind's default does not silently override what the user chose)."""
    kinds = kinds_for(user)
    unknown = set(email_kinds) - set(kinds)
    if unknown:
        raise ValidationError(
            _("Unknown notification kind(s): %(kinds)s.", kinds=", ".join(sorted(unknown)))
        )
    existing = {
        p.kind: p
        for p in session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for key in kinds:
        wanted = key in email_kinds
        pref = existing.get(key)
        if pref is None:
            session.add(NotificationPreference(user_id=user.id, kind=key, email=wanted))
        elif pref.email != wanted:
            pref.email = wanted


def retry_dead_message(session: Session, message: OutboxMessage, *, actor: User) -> None:
    """Give a dead-letter email a fresh set of attempts, starting now."""
    if message.status != OutboxStatus.DEAD:
        raise ConflictError(
            _("Only a dead message can be retried; this one is still in the queue.")
        )
    with audited(
        session,
        message,
        ("status", "attempts", "next_attempt_at"),
        actor=actor,
        action="outbox.retried",
        summary=f"{message.recipient}: {message.subject}",
    ):
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
