"""The jobs available now: the outbox retry against a real SMTP server, and the clean-up of
login records past their retention period. Controlled clock throughout."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.accounts.models import AuthSession, LoginAttempt, Role
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboxMessage, OutboxStatus
from lms.core.outbox import enqueue_email
from lms.scheduler.models import JobRunStatus
from lms.scheduler.registry import JOBS
from lms.scheduler.services import execute_job, sync_jobs
from tests.conftest import _config
from tests.core.test_outbox import Inbox
from tests.scheduler.conftest import NOW


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SMTP_PORT = _free_port()


@pytest.fixture
def app_config(database_url):
    return _config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)


@pytest.fixture
def jobs(app):
    sync_jobs(db.session, NOW)
    db.session.commit()


def test_the_foundation_jobs_are_registered_with_their_default_triggers(jobs):
    assert JOBS["outbox.deliver"].interval_seconds == 60
    assert JOBS["sessions.cleanup"].cron == "30 3 * * *"


def test_outbox_job_retries_until_the_smtp_server_is_back(jobs):
    enqueue_email(db.session, "grace@example.org", "Milestone due", "M2 is due on Friday.")
    db.session.commit()
    start = utcnow()  # the message was queued "now"; the clock moves on from there

    down = execute_job(db.session, "outbox.deliver", start)  # nobody listens on the port
    assert down.status == JobRunStatus.OK and down.summary == "0 sent, 1 waiting"
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at == start + timedelta(minutes=1)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        too_early = execute_job(db.session, "outbox.deliver", start + timedelta(seconds=30))
        assert too_early.summary == "0 sent, 1 waiting" and inbox.messages == []
        back = execute_job(db.session, "outbox.deliver", start + timedelta(minutes=2))
    finally:
        controller.stop()
    assert (back.summary, back.items) == ("1 sent, 0 waiting", 1)
    assert [m["To"] for m in inbox.messages] == ["grace@example.org"]
    assert inbox.messages[0]["Subject"] == "Milestone due"
    db.session.expire_all()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.SENT and message.attempts == 2


def test_session_cleanup_deletes_only_records_past_retention(jobs, make_user):
    user = make_user(Role.TRAINEE)
    day = timedelta(days=1)

    def auth(token, created, ended=None):
        return AuthSession(
            token_hash=token,
            user_id=user.id,
            created_at=created,
            last_seen_at=created,
            ended_at=ended,
        )

    db.session.add_all(
        [
            auth("ended-long-ago", NOW - 41 * day, NOW - 40 * day),  # deleted
            auth("ended-recently", NOW - 6 * day, NOW - 5 * day),  # kept
            auth("abandoned", NOW - 60 * day),  # never closed, long expired: deleted
            auth("current", NOW - timedelta(minutes=5)),  # kept
            LoginAttempt(at=NOW - 100 * day, email="a@example.org", ip_address="10.0.0.1"),
            LoginAttempt(at=NOW - 10 * day, email="a@example.org", ip_address="10.0.0.1"),
        ]
    )
    db.session.commit()

    run = execute_job(db.session, "sessions.cleanup", NOW)

    assert run.status == JobRunStatus.OK
    assert (run.summary, run.items) == ("2 session(s) and 1 login attempt(s) deleted", 3)
    left = db.session.scalars(sa.select(AuthSession.token_hash).order_by(AuthSession.id)).all()
    assert left == ["ended-recently", "current"]
    attempts = db.session.scalars(sa.select(LoginAttempt.at)).all()
    assert attempts == [NOW - 10 * day]
    again = execute_job(db.session, "sessions.cleanup", NOW)
    assert again.items == 0


def test_history_prune_keeps_recent_runs_each_jobs_latest_and_unread_notifications(jobs, make_user):
    from lms.notifications.models import Notification
    from lms.scheduler.models import JobRun, RunTrigger
    from lms.scheduler.services import get_job

    day = timedelta(days=1)
    outbox = get_job(db.session, "outbox.deliver")
    cleanup = get_job(db.session, "sessions.cleanup")

    def run(job, started, summary):
        return JobRun(
            job_id=job.id,
            trigger=RunTrigger.SCHEDULE,
            started_at=started,
            finished_at=started,
            duration_ms=0,
            status=JobRunStatus.OK,
            summary=summary,
        )

    user = make_user(Role.TRAINEE)
    db.session.add_all(
        [
            run(outbox, NOW - 200 * day, "old outbox"),  # deleted
            run(outbox, NOW - 5 * day, "recent outbox"),  # kept
            run(cleanup, NOW - 300 * day, "only cleanup run"),  # old, but the job's latest
            Notification(user_id=user.id, kind="k", title="read long ago", read_at=NOW - 400 * day),
            Notification(user_id=user.id, kind="k", title="never read", created_at=NOW - 500 * day),
            Notification(user_id=user.id, kind="k", title="read recently", read_at=NOW - day),
        ]
    )
    db.session.commit()

    result = execute_job(db.session, "history.prune", NOW)

    assert result.summary == "1 job run(s) and 1 read notification(s) deleted"
    summaries = set(db.session.scalars(sa.select(JobRun.summary)))
    assert summaries == {"recent outbox", "only cleanup run", result.summary}
    titles = set(db.session.scalars(sa.select(Notification.title)))
    assert titles == {"never read", "read recently"}
