"""Scheduled jobs, their runs, the scheduler's leader lease and the sent-reminder ledger.

Why our own ``ScheduledJob`` table instead of APScheduler's ``SQLAlchemyJobStore``: that store
pickles callables and trigger objects into a blob, which an admin page cannot query or edit
safely, which breaks when code moves, and which APScheduler 3 does not support sharing between
schedulers anyway. Here the database holds plain columns (trigger kind, interval or cron
expression, paused flag, a "run now" request); the one leader process reads them every few
seconds and mirrors them into an in-memory APScheduler, so the web workers only ever write rows.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.i18n import _, _p
from lms.core.model_base import enum_column, utcnow


class TriggerKind(enum.StrEnum):
    INTERVAL = "interval"
    CRON = "cron"


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class RunTrigger(enum.StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


class ScheduledJob(db.Model):
    """One registered job's schedule and state; the code's default is copied in on first sight."""

    __tablename__ = "scheduled_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    trigger_kind: Mapped[TriggerKind] = mapped_column(enum_column(TriggerKind, "trigger_kind"))
    interval_seconds: Mapped[int | None]
    cron: Mapped[str | None] = mapped_column(sa.String(100))
    is_paused: Mapped[bool] = mapped_column(default=False)
    # Written by the leader from APScheduler's own computation, for the admin page.
    next_run_at: Mapped[datetime | None]
    # "Run now": set by the web, claimed (and cleared) by the leader within a few seconds.
    run_requested_at: Mapped[datetime | None]
    run_requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    runs: Mapped[list[JobRun]] = relationship(back_populates="job", passive_deletes=True)

    __table_args__ = (
        sa.CheckConstraint(
            "(trigger_kind = 'interval' AND interval_seconds >= 1 AND cron IS NULL)"
            " OR (trigger_kind = 'cron' AND cron IS NOT NULL AND interval_seconds IS NULL)",
            name="trigger_complete",
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    @property
    def trigger_label(self) -> str:
        if self.trigger_kind == TriggerKind.CRON:
            return f"cron {self.cron}"
        return _("every %(interval)s", interval=format_interval(self.interval_seconds or 0))


def format_interval(seconds: int) -> str:
    """``90 min``, ``1 d`` (``1 j`` in French): the largest unit that divides it."""
    if seconds >= 86400 and seconds % 86400 == 0:
        return _p("duration", "%(n)s d", n=seconds // 86400)
    if seconds >= 3600 and seconds % 3600 == 0:
        return _p("duration", "%(n)s h", n=seconds // 3600)
    if seconds >= 60 and seconds % 60 == 0:
        return _p("duration", "%(n)s min", n=seconds // 60)
    return _p("duration", "%(n)s s", n=seconds)


class JobRun(db.Model):
    """One execution of a job: when, how long, by which scheduler process, and the outcome."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_job_runs_job_id_started_at (history pages read a job's runs by date).
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("scheduled_jobs.id", ondelete="RESTRICT"))
    trigger: Mapped[RunTrigger] = mapped_column(enum_column(RunTrigger, "run_trigger"))
    runner_id: Mapped[str] = mapped_column(sa.String(120), default="")
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    status: Mapped[JobRunStatus] = mapped_column(enum_column(JobRunStatus, "job_run_status"))
    items: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    # {"message": English text with %(name)s placeholders, "values": {...}}: the summary again,
    # to be shown in the reader's language; none for a failure (the error's own words).
    summary_message: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)

    job: Mapped[ScheduledJob] = relationship(back_populates="runs")

    @property
    def summary_text(self) -> str:
        """The summary in the language being rendered (English outside a request)."""
        if not self.summary_message:
            return self.summary
        return _(self.summary_message["message"], **self.summary_message["values"])[:500]

    __table_args__ = (
        sa.CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration_positive"),
        sa.CheckConstraint("items >= 0", name="items_not_negative"),
        sa.CheckConstraint(
            "(status = 'running' AND finished_at IS NULL)"
            " OR (status <> 'running' AND finished_at IS NOT NULL)",
            name="finished_when_done",
        ),
        sa.Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),
    )


class SchedulerLease(db.Model):
    """The leader's lease. On SQLite it *is* the lock (taken over only once expired); on
    PostgreSQL the advisory lock decides and this row is only the leader's heartbeat for the
    admin page."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(120))
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SentReminder(db.Model):
    """The ledger that makes reminders idempotent: a (key, user) pair is inserted in the same
    transaction as the notification, and the unique constraint refuses a second one, also when
    two schedulers race."""

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("key", "user_id"),
        sa.CheckConstraint("length(key) > 0", name="key_not_blank"),
    )
