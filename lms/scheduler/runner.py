"""The ``lms scheduler`` process: wait for the leader lock, then run the jobs with APScheduler.

Every ``poll_seconds`` the leader renews its lock and mirrors the ``scheduled_jobs`` table into
an in-memory APScheduler ``BackgroundScheduler``: new jobs are added, changed schedules are
rescheduled, pauses and resumes applied, "run now" requests claimed and started, and APScheduler's
next fire times written back for the admin page. A process that loses the lock stops its
APScheduler and goes back to waiting; a process that is not the leader never runs a job.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import UTC, timedelta

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.scheduler import services
from lms.scheduler.leader import make_leader_lock
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, ScheduledJob
from lms.scheduler.registry import JOBS
from lms.scheduler.triggers import build_trigger, first_run

log = logging.getLogger("lms.scheduler")


def new_runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class SchedulerRunner:
    def __init__(
        self,
        app: Flask,
        *,
        runner_id: str | None = None,
        poll_seconds: float = 2.0,
        lease_seconds: float = 30.0,
        workers: int = 4,
    ) -> None:
        self.app = app
        self.runner_id = runner_id or new_runner_id()
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.workers = workers
        self.stop_event = threading.Event()
        self.is_leader = threading.Event()
        self._loaded: dict[str, tuple] = {}
        # One execution of a job at a time in this process, whatever triggered it: a "run now"
        # waits for a scheduled run in progress, a scheduled run is skipped while one goes on.
        self._running: dict[str, threading.Lock] = {}
        self._running_guard = threading.Lock()

    # Life cycle ------------------------------------------------------------------------------

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        """Block until ``stop()``: standby while another process leads, leader otherwise."""
        with self.app.app_context():
            lock = make_leader_lock(db.engine, self.runner_id, self.lease)
        log.info("Scheduler %s started; waiting for the leader lock", self.runner_id)
        try:
            while not self.stop_event.is_set():
                if self._attempt(lock.try_acquire):
                    log.info("Scheduler %s is the leader", self.runner_id)
                    self._lead(lock)
                    if not self.stop_event.is_set():
                        log.warning("Scheduler %s lost the leader lock; standby", self.runner_id)
                else:
                    self.stop_event.wait(self.poll_seconds)
        finally:
            lock.release()
            log.info("Scheduler %s stopped", self.runner_id)

    def _lead(self, lock) -> None:
        aps = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(self.workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._loaded = {}
        self.is_leader.set()
        self._attempt(self.close_interrupted_runs)
        aps.start()
        try:
            while not self.stop_event.is_set():
                # A database that cannot confirm the lock (locked, unreachable) means stepping
                # down: better no leader for a moment than two.
                if not self._attempt(lock.renew):
                    break
                self._attempt(lambda: self.reconcile(aps))
                self.stop_event.wait(self.poll_seconds)
        finally:
            self.is_leader.clear()
            aps.shutdown(wait=True)  # let running jobs finish and record their outcome

    @staticmethod
    def _attempt(action) -> bool:
        """Run one step of the loop; an error is logged and counts as failure, never a crash."""
        try:
            return bool(action())
        except Exception:
            log.exception("Scheduler step failed; trying again shortly")
            return False

    def close_interrupted_runs(self) -> int:
        """Runs left "running" by a scheduler that died mid-job are closed as failed, so the
        admin page does not show them running forever. Only the leader runs jobs, so a run of
        another process that is still open cannot finish any more."""
        with self.app.app_context():
            now = utcnow()
            count = db.session.execute(
                sa.update(JobRun)
                .where(JobRun.status == JobRunStatus.RUNNING, JobRun.runner_id != self.runner_id)
                .values(
                    status=JobRunStatus.FAILED,
                    finished_at=now,
                    summary="Interrupted: the scheduler process running it stopped.",
                )
            ).rowcount
            db.session.commit()
        return count

    # Mirroring the table into APScheduler ----------------------------------------------------

    def reconcile(self, aps: BackgroundScheduler) -> None:
        with self.app.app_context():
            session = db.session
            now = utcnow()
            if services.sync_jobs(session, now):
                session.commit()  # a job handed to APScheduler may start at once, elsewhere
            for job in session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.id)).all():
                if job.name not in JOBS:
                    continue
                try:
                    self._mirror(aps, session, job, now)
                except sa.exc.SQLAlchemyError:
                    raise
                except Exception:  # one broken row (say, a cron edited by hand) stops only itself
                    log.exception("Cannot schedule %s; the others go on", job.name)
            session.commit()

    def _mirror(self, aps: BackgroundScheduler, session, job: ScheduledJob, now) -> None:
        signature = (job.trigger_kind, job.interval_seconds, job.cron)
        scheduled = aps.get_job(job.name)
        if scheduled is None:
            last = session.scalar(
                sa.select(sa.func.max(JobRun.started_at)).where(
                    JobRun.job_id == job.id, JobRun.trigger == RunTrigger.SCHEDULE
                )
            )
            scheduled = aps.add_job(
                self.execute,
                trigger=build_trigger(*signature),
                args=[job.name, RunTrigger.SCHEDULE],
                id=job.name,
                name=job.name,
                next_run_time=None if job.is_paused else first_run(*signature, now, last),
            )
            self._loaded[job.name] = signature
        elif self._loaded.get(job.name) != signature:
            scheduled = aps.reschedule_job(job.name, trigger=build_trigger(*signature))
            self._loaded[job.name] = signature
            if job.is_paused:
                scheduled = aps.pause_job(job.name)
        if job.is_paused and scheduled.next_run_time is not None:
            scheduled = aps.pause_job(job.name)
        elif not job.is_paused and scheduled.next_run_time is None:
            scheduled = aps.resume_job(job.name)
        if job.run_requested_at is not None and services.claim_run_request(
            session, job.id, job.run_requested_at
        ):
            session.commit()  # claimed for good before it is started: never run twice
            aps.add_job(
                self.execute,
                trigger="date",
                run_date=now,
                args=[job.name, RunTrigger.MANUAL],
                id=f"{job.name}#manual",
                replace_existing=True,
                misfire_grace_time=None,
            )
        next_run = scheduled.next_run_time if scheduled is not None else None
        if job.next_run_at != next_run:
            job.next_run_at = next_run

    def execute(self, name: str, trigger: RunTrigger) -> None:
        """APScheduler's entry point, in a worker thread with its own app context and session."""
        if not self.is_leader.is_set():
            return
        with self._running_guard:
            job_lock = self._running.setdefault(name, threading.Lock())
        if not job_lock.acquire(blocking=trigger == RunTrigger.MANUAL):
            log.info("%s is still running; this scheduled run is skipped", name)
            return
        try:
            if not self.is_leader.is_set():
                return
            with self.app.app_context():
                try:
                    services.execute_job(
                        db.session, name, utcnow(), trigger=trigger, runner_id=self.runner_id
                    )
                except Exception:
                    db.session.rollback()
                    log.exception("Could not record the run of %s", name)
        finally:
            job_lock.release()
