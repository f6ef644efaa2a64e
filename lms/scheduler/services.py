"""Scheduled-job rules: copying the registry into the database, the admin's changes (pause,
resume, schedule, run now), running one job and recording the run, and sending a reminder at
most once. Plain functions over a session; the caller commits, except ``execute_job``, which
owns its transactions because a run's record must survive the failure of the job itself.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms.accounts.models import Role, User, UserRole
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.notifications.models import Notification
from lms.notifications.registry import notification_kind
from lms.notifications.services import notify
from lms.scheduler.models import (
    JobRun,
    JobRunStatus,
    RunTrigger,
    ScheduledJob,
    SchedulerLease,
    SentReminder,
    TriggerKind,
)
from lms.scheduler.registry import JOBS, JobDefinition, JobResult
from lms.scheduler.triggers import check_interval, parse_cron

log = logging.getLogger("lms.scheduler")
JOB_FAILED_KIND = notification_kind(
    "scheduler.job_failed",
    _l("A scheduled job failed"),
    email_default=True,
    roles=(Role.ADMIN,),
)
JOB_FAILED = JOB_FAILED_KIND.key
SCHEDULE_FIELDS = ("trigger_kind", "interval_seconds", "cron")
LEASE_NAME = "leader"


def _insert_ignoring_duplicates(
    session: Session, table: sa.Table, values: dict, unique: list[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both backends; True when a row was inserted.

    The unique constraint decides: a concurrent transaction's insert of the same key makes ours
    a no-op instead of an error (PostgreSQL waits for that transaction to commit first). RETURNING
    says whether we inserted, where rowcount is not reliable through every driver.
    """
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*table.primary_key.columns)
    )
    return session.execute(stmt).first() is not None


# Registry ↔ database -------------------------------------------------------------------------


def sync_jobs(session: Session, now: datetime | None = None) -> int:
    """Give every registered job its row, with the code's default trigger. Existing rows keep
    the admin's schedule. Safe when two processes do it at once. Returns how many were added."""
    now = now or utcnow()
    known = set(session.scalars(sa.select(ScheduledJob.name)))
    added = 0
    for definition in JOBS.values():
        if definition.name in known:
            continue
        added += _insert_ignoring_duplicates(
            session,
            ScheduledJob.__table__,
            {
                "name": definition.name,
                "trigger_kind": definition.trigger_kind.value,
                "interval_seconds": definition.interval_seconds,
                "cron": definition.cron,
                "is_paused": False,
                "created_at": now,
                "updated_at": now,
            },
            ["name"],
        )
    return added


def all_jobs(session: Session) -> list[ScheduledJob]:
    """Every job row, by name (a few dozen at most: the registry's size)."""
    return list(session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.name)))


def runs_query(job: ScheduledJob | None = None) -> sa.Select[tuple[JobRun]]:
    """The run history, of one job or of all, newest first (for the pagination helper)."""
    stmt = sa.select(JobRun).options(sa.orm.joinedload(JobRun.job))
    if job is not None:
        stmt = stmt.where(JobRun.job_id == job.id)
    return stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc())


def recent_runs(session: Session, job: ScheduledJob, limit: int) -> list[JobRun]:
    """The job's latest runs; the page links to the full history for the rest."""
    stmt = (
        sa.select(JobRun)
        .where(JobRun.job_id == job.id)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def recent_failures(session: Session, now: datetime, days: int = 7) -> list[JobRun]:
    """Job runs that failed in the last ``days`` days, newest first."""
    return list(
        session.scalars(
            runs_query().where(
                JobRun.status == JobRunStatus.FAILED,
                JobRun.started_at >= now - timedelta(days=days),
            )
        )
    )


def get_job(session: Session, name: str) -> ScheduledJob | None:
    return session.scalar(sa.select(ScheduledJob).where(ScheduledJob.name == name))


def definition_for(job: ScheduledJob) -> JobDefinition | None:
    return JOBS.get(job.name)


def last_runs(session: Session, job_ids: list[int]) -> dict[int, JobRun]:
    """The latest run (by start) of each job, in one query (the admin list must not do one
    per job). Each job's run is found through the ``(job_id, started_at)`` index, read
    backwards from its newest entry, so the cost does not grow with the runs kept."""
    if not job_ids:
        return {}
    run = sa.orm.aliased(JobRun)
    latest = (
        sa.select(run.id)
        .where(run.job_id == ScheduledJob.id)
        .order_by(run.started_at.desc(), run.id.desc())
        .limit(1)
        .correlate(ScheduledJob)
        .scalar_subquery()
    )
    ids = sa.select(latest).where(ScheduledJob.id.in_(job_ids))
    runs = session.scalars(sa.select(JobRun).where(JobRun.id.in_(ids)))
    return {run.job_id: run for run in runs}


def leader_status(session: Session, now: datetime | None = None) -> SchedulerLease | None:
    """The live leader's lease, or None when no scheduler process is running."""
    now = now or utcnow()
    lease = session.get(SchedulerLease, LEASE_NAME)
    return lease if lease is not None and lease.expires_at > now else None


# Admin changes -----------------------------------------------------------------------------


def pause_job(session: Session, job: ScheduledJob, *, actor: User) -> None:
    if job.is_paused:
        raise ConflictError(_("%(name)s is already paused.", name=job.name))
    with audited(session, job, ("is_paused",), actor=actor, action="job.paused", summary=job.name):
        job.is_paused = True


def resume_job(session: Session, job: ScheduledJob, *, actor: User) -> None:
    if not job.is_paused:
        raise ConflictError(_("%(name)s is not paused.", name=job.name))
    with audited(session, job, ("is_paused",), actor=actor, action="job.resumed", summary=job.name):
        job.is_paused = False


def change_schedule(
    session: Session,
    job: ScheduledJob,
    *,
    actor: User,
    kind: TriggerKind | str,
    interval_seconds: int | None = None,
    cron: str | None = None,
) -> None:
    """Validate and store a new trigger; the leader picks it up on its next look (seconds)."""
    try:
        kind = TriggerKind(kind)
    except ValueError:
        raise ValidationError(_("Choose an interval or a cron schedule."), field="kind") from None
    before = snapshot(job, SCHEDULE_FIELDS)
    if kind == TriggerKind.CRON:
        cron = " ".join((cron or "").split())
        parse_cron(cron)
        job.trigger_kind, job.cron, job.interval_seconds = kind, cron, None
    else:
        job.trigger_kind = kind
        job.interval_seconds = check_interval(interval_seconds)
        job.cron = None
    after = snapshot(job, SCHEDULE_FIELDS)
    if after != before:
        job.next_run_at = None  # unknown until the leader reschedules it
        record_change(
            session,
            actor=actor,
            action="job.schedule_changed",
            entity=job,
            before=before,
            after=after,
            summary=f"{job.name}: {job.trigger_label}",
        )


def request_run(session: Session, job: ScheduledJob, *, actor: User) -> None:
    """Ask the scheduler process to run the job now. The web worker never runs jobs itself: it
    would compete with the leader and hold a request open for as long as the job takes."""
    if definition_for(job) is None:
        raise ConflictError(
            _("%(name)s is no longer defined in the code; it cannot run.", name=job.name)
        )
    if job.run_requested_at is not None:
        raise ConflictError(
            _("A run of %(name)s is already requested and will start shortly.", name=job.name)
        )
    job.run_requested_at = utcnow()
    job.run_requested_by_id = actor.id
    record_change(session, actor=actor, action="job.run_requested", entity=job, summary=job.name)


def claim_run_request(session: Session, job_id: int, requested_at: datetime) -> bool:
    """The leader takes a "run now" request; a conditional update so it is taken once."""
    result = session.execute(
        sa.update(ScheduledJob)
        .where(ScheduledJob.id == job_id, ScheduledJob.run_requested_at == requested_at)
        .values(run_requested_at=None, run_requested_by_id=None)
    )
    return result.rowcount == 1


# Running -----------------------------------------------------------------------------------


def execute_job(
    session: Session,
    name: str,
    now: datetime | None = None,
    *,
    trigger: RunTrigger = RunTrigger.SCHEDULE,
    runner_id: str = "",
) -> JobRun | None:
    """Run job ``name`` once and record the run. Commits.

    The run row is committed first (admins see a job that is running), then the job's work and
    the outcome commit together. A failure rolls the work back and records the error. A paused
    job is skipped on a scheduled trigger; an admin's "run now" runs it anyway.
    """
    now = now or utcnow()
    definition = JOBS.get(name)
    job = get_job(session, name)
    if definition is None or job is None:
        log.warning("Job %s is not registered or has no row; not run", name)
        return None
    if trigger == RunTrigger.SCHEDULE and job.is_paused:
        return None
    run = JobRun(
        job_id=job.id,
        trigger=trigger,
        runner_id=runner_id[:120],
        started_at=now,
        status=JobRunStatus.RUNNING,
    )
    session.add(run)
    session.commit()
    run_id = run.id
    started = time.monotonic()
    try:
        result = definition.func(session, now)
        if not isinstance(result, JobResult):
            raise TypeError(f"job {name} returned {type(result).__name__}, not JobResult")
    except Exception as error:
        session.rollback()
        elapsed = timedelta(seconds=time.monotonic() - started)
        run = session.get(JobRun, run_id)
        run.status = JobRunStatus.FAILED
        run.finished_at = now + elapsed
        run.duration_ms = int(elapsed.total_seconds() * 1000)
        run.summary = f"{type(error).__name__}: {error}"[:500]
        run.error = traceback.format_exc()[-8000:]
        session.commit()
        log.exception("Job %s failed", name)
        try:
            alert_admins_of_failure(session, job, run, now)
            session.commit()
        except Exception:  # the alert must never hide the failure it reports
            session.rollback()
            log.exception("Could not alert the administrators about job %s", name)
        return run
    elapsed = timedelta(seconds=time.monotonic() - started)
    run.status = JobRunStatus.OK
    run.finished_at = now + elapsed
    run.duration_ms = int(elapsed.total_seconds() * 1000)
    run.summary = result.summary[:500]
    if result.message is not None:
        run.summary_message = {"message": result.message, "values": dict(result.values or {})}
    run.items = max(result.items, 0)
    session.commit()
    log.info("Job %s: %s (%s ms)", name, run.summary, run.duration_ms)
    return run


# Reminders ---------------------------------------------------------------------------------


def alert_admins_of_failure(session: Session, job: ScheduledJob, run: JobRun, now: datetime) -> int:
    """Tell each active admin that a job failed: at most once per job and day, so a job failing
    every minute does not flood anyone. Returns how many admins were told."""
    admins = session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    told = 0
    for admin in admins:
        if send_reminder_once(
            session,
            ("job-failed", job.name, now.date()),
            admin,
            JOB_FAILED,
            _("Scheduled job %(name)s failed", name=job.name),
            run.summary_text,
            f"/admin/jobs/{job.name}",
            now=now,
        ):
            told += 1
    return told


def reminder_key(*parts: object) -> str:
    """``reminder_key("milestone-due", 12, date(2026, 5, 1))``
    → ``"milestone-due:12:2026-05-01"``."""
    text = ":".join(p.isoformat() if hasattr(p, "isoformat") else str(p) for p in parts)
    if not text or len(text) > 200:
        raise ValueError("a reminder key has 1 to 200 characters")
    return text


def send_reminder_once(
    session: Session,
    key: str | tuple,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    *,
    now: datetime | None = None,
) -> Notification | None:
    """Notify ``user`` unless the reminder ``key`` was already sent to them; None if it was.

    The ledger row and the notification (and its email) are written in the caller's
    transaction: if the transaction rolls back, the reminder counts as not sent and the next run
    sends it. When two schedulers race, the unique (key, user) constraint lets one insert win;
    the other's ON CONFLICT DO NOTHING inserts nothing (PostgreSQL waits for the winner to
    commit first), so it sends nothing.
    """
    if isinstance(key, tuple):
        key = reminder_key(*key)
    inserted = _insert_ignoring_duplicates(
        session,
        SentReminder.__table__,
        {"key": key, "user_id": user.id, "sent_at": now or utcnow()},
        ["key", "user_id"],
    )
    if not inserted:
        return None
    return notify(session, user, kind, title, body, link)
