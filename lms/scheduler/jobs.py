"""The jobs the foundation needs: email and HTTP delivery retries and login-record clean-up."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.accounts.models import AuthSession, LoginAttempt, PasswordResetRequest, ThrottleKey
from lms.core import http_outbox
from lms.core.i18n import N_
from lms.core.models import OutboundRequest, OutboundStatus, OutboxMessage, OutboxStatus
from lms.core.outbox import MailSettings, deliver_due
from lms.scheduler.registry import JobResult, scheduled_job

# Kept for a while after they end, for an admin looking into a security question.
SESSION_RETENTION_DAYS = 30
LOGIN_ATTEMPT_RETENTION_DAYS = 90


@scheduled_job(
    "outbox.deliver",
    every=timedelta(minutes=1),
    description=_l("Send queued emails and retry the ones that failed, with back-off."),
)
def deliver_outbox(session: Session, now: datetime) -> JobResult:
    sent = deliver_due(session, MailSettings.from_config(current_app.config), now=now)
    session.flush()
    waiting = session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return JobResult.say(N_("%(sent)s sent, %(waiting)s waiting"), sent, sent=sent, waiting=waiting)


@scheduled_job(
    "http_outbox.deliver",
    every=timedelta(minutes=1),
    description=_l(
        "Send queued HTTP requests (xAPI statements, webhooks) and retry the ones that failed, "
        "with back-off."
    ),
)
def deliver_http_outbox(session: Session, now: datetime) -> JobResult:
    config = current_app.config
    report = http_outbox.deliver_due(
        session,
        now=now,
        max_attempts=config.get("LMS_HTTP_OUTBOX_MAX_ATTEMPTS", http_outbox.DEFAULT_MAX_ATTEMPTS),
        timeout=float(config.get("LMS_HTTP_OUTBOX_TIMEOUT", http_outbox.DEFAULT_TIMEOUT)),
    )
    session.flush()
    waiting = session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboundRequest)
        .where(OutboundRequest.status == OutboundStatus.PENDING)
    )
    return JobResult.say(
        N_("%(sent)s sent, %(waiting)s waiting, %(dead)s dead"),
        report.sent,
        sent=report.sent,
        waiting=waiting,
        dead=report.dead,
    )


@scheduled_job(
    "sessions.cleanup",
    cron="30 3 * * *",
    description=_l("Delete login sessions and login attempts past their retention period."),
)
def clean_up_sessions(session: Session, now: datetime) -> JobResult:
    """A session is over when it ended, or when it is past the absolute lifetime (the idle limit
    is shorter); it is deleted once it has been over for the retention period."""
    config = current_app.config
    session_cutoff = now - timedelta(
        days=config.get("LMS_SESSION_RETENTION_DAYS", SESSION_RETENTION_DAYS)
    )
    absolute = timedelta(hours=config["LMS_SESSION_ABSOLUTE_HOURS"])
    sessions = session.execute(
        sa.delete(AuthSession).where(
            sa.or_(
                AuthSession.ended_at < session_cutoff,
                sa.and_(
                    AuthSession.ended_at.is_(None),
                    AuthSession.created_at < session_cutoff - absolute,
                ),
            )
        )
    ).rowcount
    attempt_cutoff = now - timedelta(
        days=config.get("LMS_LOGIN_ATTEMPT_RETENTION_DAYS", LOGIN_ATTEMPT_RETENTION_DAYS)
    )
    attempts = session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < attempt_cutoff)
    ).rowcount
    # Reset requests are kept as long as login attempts; a throttle key's row only serves as a
    # lock, so one untouched for as long goes too (the next attempt creates it again).
    resets = session.execute(
        sa.delete(PasswordResetRequest).where(PasswordResetRequest.at < attempt_cutoff)
    ).rowcount
    session.execute(sa.delete(ThrottleKey).where(ThrottleKey.touched_at < attempt_cutoff))
    if resets:
        message = N_(
            "%(sessions)s session(s) and %(attempts)s login attempt(s) deleted, and "
            "%(resets)s password-reset request(s)"
        )
    else:
        message = N_("%(sessions)s session(s) and %(attempts)s login attempt(s) deleted")
    return JobResult.say(
        message, sessions + attempts + resets, sessions=sessions, attempts=attempts, resets=resets
    )


RUN_RETENTION_DAYS = 90
READ_NOTIFICATION_RETENTION_DAYS = 365


@scheduled_job(
    "history.prune",
    cron="45 3 * * *",
    description=_l("Delete old job runs (keeping each job's latest) and old read notifications."),
)
def prune_history(session: Session, now: datetime) -> JobResult:
    """The outbox job alone records 1,440 runs a day; history this old answers no question."""
    from lms.notifications.models import Notification
    from lms.scheduler.models import JobRun, JobRunStatus

    latest = sa.select(sa.func.max(JobRun.id)).group_by(JobRun.job_id)
    runs = session.execute(
        sa.delete(JobRun).where(
            JobRun.started_at < now - timedelta(days=RUN_RETENTION_DAYS),
            JobRun.status != JobRunStatus.RUNNING,
            JobRun.id.not_in(latest),
        )
    ).rowcount
    notes = session.execute(
        sa.delete(Notification).where(
            Notification.read_at.is_not(None),
            Notification.read_at < now - timedelta(days=READ_NOTIFICATION_RETENTION_DAYS),
        )
    ).rowcount
    return JobResult.say(
        N_("%(runs)s job run(s) and %(notes)s read notification(s) deleted"),
        runs + notes,
        runs=runs,
        notes=notes,
    )
