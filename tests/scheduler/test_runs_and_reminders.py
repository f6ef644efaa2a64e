"""Running a job records the run; reminders are sent exactly once, with a controlled clock."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import OutboxMessage
from lms.notifications.models import Notification
from lms.notifications.registry import register_notification_kind
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, SentReminder
from lms.scheduler.registry import JobResult
from lms.scheduler.services import execute_job, get_job, send_reminder_once, sync_jobs
from tests.scheduler.conftest import NOW

register_notification_kind("test.due", "Something is due", email_default=True)


def _reminder_job(due_day: date):
    """A job shaped like the future milestone reminders: one reminder per (user, due date)."""

    def remind(session, now):
        from lms.accounts.models import User

        sent = 0
        for user in session.scalars(sa.select(User).order_by(User.id)):
            if send_reminder_once(
                session,
                ("test-due", user.id, due_day),
                user,
                "test.due",
                f"Due on {due_day.isoformat()}",
                "Please finish it.",
                "/notifications",
                now=now,
            ):
                sent += 1
        return JobResult(f"{sent} reminder(s) sent", items=sent)

    return remind


def test_a_run_is_recorded_with_its_outcome_and_duration(app, register_job):
    register_job("test.count", lambda session, now: JobResult("counted 3", 3), every=timedelta(1))
    sync_jobs(db.session, NOW)
    db.session.commit()

    run = execute_job(db.session, "test.count", NOW, runner_id="host:1:abc")

    db.session.expire_all()
    run = db.session.get(JobRun, run.id)
    assert run.status == JobRunStatus.OK and run.trigger == RunTrigger.SCHEDULE
    assert (run.summary, run.items, run.runner_id) == ("counted 3", 3, "host:1:abc")
    assert run.started_at == NOW and run.finished_at >= NOW and run.duration_ms >= 0


def test_a_failing_job_is_recorded_and_its_work_rolled_back(app, register_job, make_user):
    user = make_user(Role.TRAINEE)

    def half_done(session, now):
        send_reminder_once(session, "k", session.get(type(user), user.id), "test.due", "T")
        raise RuntimeError("the report server is down")

    register_job("test.fails", half_done, every=timedelta(hours=1))
    sync_jobs(db.session, NOW)
    db.session.commit()

    run = execute_job(db.session, "test.fails", NOW)

    assert run.status == JobRunStatus.FAILED
    assert run.summary == "RuntimeError: the report server is down"
    assert "Traceback" in run.error and run.finished_at is not None
    # Neither the reminder ledger nor the notification survived the failure: the next run
    # will send the reminder.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SentReminder)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_a_paused_job_skips_its_schedule_but_runs_when_asked(app, register_job):
    register_job("test.paused", lambda s, n: JobResult("ran"), every=timedelta(hours=1))
    sync_jobs(db.session, NOW)
    get_job(db.session, "test.paused").is_paused = True
    db.session.commit()

    assert execute_job(db.session, "test.paused", NOW) is None
    manual = execute_job(db.session, "test.paused", NOW, trigger=RunTrigger.MANUAL)
    assert manual.status == JobRunStatus.OK and manual.trigger == RunTrigger.MANUAL
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 1


def test_each_reminder_is_produced_once_when_the_job_runs_twice(app, register_job, make_user):
    nadia = make_user(Role.TRAINEE, email="nadia@example.org")
    omar = make_user(Role.TRAINEE, email="omar@example.org")
    register_job("test.remind", _reminder_job(date(2026, 3, 9)), cron="0 6 * * *")
    sync_jobs(db.session, NOW)
    db.session.commit()

    first = execute_job(db.session, "test.remind", NOW)
    second = execute_job(db.session, "test.remind", NOW + timedelta(days=1))

    assert (first.summary, first.items) == ("2 reminder(s) sent", 2)
    assert (second.summary, second.items) == ("0 reminder(s) sent", 0)
    notes = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert [(n.user_id, n.title) for n in notes] == [
        (nadia.id, "Due on 2026-03-09"),
        (omar.id, "Due on 2026-03-09"),
    ]
    # The kind's default is "by email": one email each, not two.
    emails = db.session.scalars(sa.select(OutboxMessage.recipient).order_by(OutboxMessage.id))
    assert list(emails) == ["nadia@example.org", "omar@example.org"]
    keys = db.session.scalars(sa.select(SentReminder.key).order_by(SentReminder.id)).all()
    assert keys == [f"test-due:{nadia.id}:2026-03-09", f"test-due:{omar.id}:2026-03-09"]

    # A new due date is a new reminder.
    register_job("test.remind", _reminder_job(date(2026, 3, 16)), cron="0 6 * * *")
    third = execute_job(db.session, "test.remind", NOW + timedelta(days=7))
    assert third.items == 2


def test_a_reminder_rolled_back_is_sent_by_the_next_run(app, make_user):
    user = make_user(Role.TRAINEE)
    assert send_reminder_once(db.session, "once", user, "test.due", "First") is not None
    db.session.rollback()
    assert send_reminder_once(db.session, "once", user, "test.due", "Second") is not None
    db.session.commit()
    assert send_reminder_once(db.session, "once", user, "test.due", "Third") is None
    db.session.commit()
    titles = db.session.scalars(sa.select(Notification.title)).all()
    assert titles == ["Second"]


def test_two_schedulers_racing_send_one_reminder(app, make_user):
    """Two threads, each with its own app context, session and connection, send the same
    reminder at the same moment (as two schedulers would after a split brain): the unique
    constraint lets exactly one through, on SQLite and on PostgreSQL."""
    user_id = make_user(Role.TRAINEE).id  # read here: threads must not touch this session
    flask_app = app
    for attempt in range(5):
        key = f"race-{attempt}"
        barrier = threading.Barrier(2)
        results: list[object] = []
        errors: list[BaseException] = []

        def send(key=key, barrier=barrier, results=results, errors=errors):
            try:
                with flask_app.app_context():
                    from lms.accounts.models import User

                    me = db.session.get(User, user_id)
                    barrier.wait(timeout=10)
                    note = send_reminder_once(db.session, key, me, "test.due", "Race")
                    db.session.commit()
                    results.append(note is not None)
            except BaseException as error:  # surfaced by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert sorted(results) == [False, True]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SentReminder)) == 5


def test_admins_hear_of_a_failing_job_once_a_day(app, register_job, make_user):
    admin = make_user(Role.ADMIN, email="amina@example.org")
    make_user(Role.ADMIN, is_active=False)
    make_user(Role.TRAINEE)

    def broken(session, now):
        raise ConnectionError("report store unreachable")

    register_job("test.broken", broken, every=timedelta(minutes=1))
    sync_jobs(db.session, NOW)
    db.session.commit()

    for minute in range(3):
        execute_job(db.session, "test.broken", NOW + timedelta(minutes=minute))
    execute_job(db.session, "test.broken", NOW + timedelta(days=1))

    notes = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.kind, n.link) for n in notes] == [
        (admin.id, "scheduler.job_failed", "/admin/jobs/test.broken"),
        (admin.id, "scheduler.job_failed", "/admin/jobs/test.broken"),
    ]
    assert notes[0].title == "Scheduled job test.broken failed"
    assert notes[0].body == "ConnectionError: report store unreachable"
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == [
        "amina@example.org",
        "amina@example.org",
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 4
