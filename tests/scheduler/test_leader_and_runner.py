"""The leader lock and the runner: one scheduler runs jobs, the others stand by and take over.

Lease and reconciliation tests use a controlled clock or a paused APScheduler (no waiting).
The two-runner test starts two runner objects in threads, each with its own connections, on
the backend under test (SQLite lease row, or PostgreSQL advisory lock); it waits for real.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.scheduler import services
from lms.scheduler.leader import LeaseLock, make_leader_lock
from lms.scheduler.models import JobRun, RunTrigger, ScheduledJob, SchedulerLease
from lms.scheduler.registry import JobResult
from lms.scheduler.runner import SchedulerRunner
from tests.conftest import BACKEND
from tests.scheduler.conftest import NOW


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_lease_is_taken_over_only_when_it_has_expired(app):
    clock = Clock(NOW)
    ttl = timedelta(seconds=30)
    first = LeaseLock(db.engine, "first", ttl, clock)
    second = LeaseLock(db.engine, "second", ttl, clock)

    assert first.try_acquire()
    assert not second.try_acquire()
    clock.now += timedelta(seconds=20)
    assert first.renew()  # renewed: now valid until +50 s
    clock.now += timedelta(seconds=29)
    assert not second.try_acquire()

    clock.now += timedelta(seconds=2)  # the first stopped renewing (it died)
    assert second.try_acquire()
    assert not first.renew()  # and it knows it lost the lease
    assert not first.try_acquire()
    lease = db.session.get(SchedulerLease, "leader")
    assert lease.holder == "second" and lease.expires_at == clock.now + ttl

    second.release()  # a clean stop hands over at once
    assert first.try_acquire()


def test_only_one_leader_lock_on_the_backend_under_test(app):
    """On PostgreSQL this is the advisory lock on a dedicated connection."""
    ttl = timedelta(seconds=30)
    first = make_leader_lock(db.engine, "first", ttl)
    second = make_leader_lock(db.engine, "second", ttl)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.renew()
        first.release()
        assert second.try_acquire()
        assert second.renew()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_dead_leader_is_replaced(app):
    """PostgreSQL: the server frees the advisory lock as soon as the leader's connection is
    gone. SQLite: the lease runs out (a controlled clock stands in for the wait)."""
    clock = Clock(NOW)
    ttl = timedelta(seconds=30)
    first = make_leader_lock(db.engine, "first", ttl, clock)
    second = make_leader_lock(db.engine, "second", ttl, clock)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        if BACKEND == "postgresql":
            # The leader's server session ends, as when its process is killed; the call waits
            # (up to 5 s) until the backend is gone, and with it the lock.
            pid = first._conn.scalar(sa.text("SELECT pg_backend_pid()"))
            with db.engine.connect() as conn:
                assert conn.scalar(sa.text("SELECT pg_terminate_backend(:p, 5000)"), {"p": pid})
        else:
            clock.now += ttl + timedelta(seconds=1)
        assert second.try_acquire()
        assert not first.renew()
    finally:
        first.release()
        second.release()


@pytest.fixture
def paused_aps():
    aps = BackgroundScheduler(timezone=UTC)
    aps.start(paused=True)  # computes next run times, runs nothing
    yield aps
    aps.shutdown(wait=False)


def test_reconcile_mirrors_the_table_into_apscheduler(app, register_job, paused_aps, make_user):
    register_job("test.mirror", lambda s, n: JobResult("ok"), every=timedelta(minutes=5))
    runner = SchedulerRunner(app, runner_id="r1")
    runner.reconcile(paused_aps)

    db.session.expire_all()
    row = services.get_job(db.session, "test.mirror")
    assert row.trigger_kind == "interval" and row.interval_seconds == 300
    assert paused_aps.get_job("test.mirror") is not None
    assert row.next_run_at is not None  # never ran: due now

    admin = make_user(Role.ADMIN)
    services.change_schedule(db.session, row, actor=admin, kind="cron", cron="15 4 * * *")
    services.pause_job(db.session, row, actor=admin)
    db.session.commit()
    runner.reconcile(paused_aps)
    db.session.expire_all()
    assert "hour='4'" in str(paused_aps.get_job("test.mirror").trigger)
    assert paused_aps.get_job("test.mirror").next_run_time is None
    assert services.get_job(db.session, "test.mirror").next_run_at is None

    row = services.get_job(db.session, "test.mirror")
    services.resume_job(db.session, row, actor=admin)
    services.request_run(db.session, row, actor=admin)
    db.session.commit()
    runner.reconcile(paused_aps)
    db.session.expire_all()
    row = services.get_job(db.session, "test.mirror")
    next_run = paused_aps.get_job("test.mirror").next_run_time
    assert (next_run.hour, next_run.minute) == (4, 15)
    assert row.next_run_at == next_run
    # The "run now" request was claimed once and handed to APScheduler.
    assert row.run_requested_at is None
    manual = paused_aps.get_job("test.mirror#manual")
    assert manual is not None and manual.args == ("test.mirror", RunTrigger.MANUAL)


def test_an_interval_counts_from_the_last_run_after_a_restart(app, register_job, paused_aps):
    register_job("test.daily", lambda s, n: JobResult("ok"), every=timedelta(days=1))
    services.sync_jobs(db.session)
    db.session.commit()
    from lms.core.model_base import utcnow

    two_hours_ago = utcnow() - timedelta(hours=2)
    services.execute_job(db.session, "test.daily", two_hours_ago)
    SchedulerRunner(app).reconcile(paused_aps)
    next_run = paused_aps.get_job("test.daily").next_run_time
    assert abs(next_run - (two_hours_ago + timedelta(days=1))) < timedelta(seconds=1)


def _wait_for(condition, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def _runs_by(runner_id: str) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.select(sa.func.count()).select_from(JobRun).where(JobRun.runner_id == runner_id)
        )


def test_two_runners_one_leader_and_the_standby_takes_over(app, register_job, make_user, caplog):
    register_job("test.tick", lambda s, n: JobResult("tick", 1), every=timedelta(seconds=1))
    first = SchedulerRunner(app, runner_id="first", poll_seconds=0.1, lease_seconds=2)
    second = SchedulerRunner(app, runner_id="second", poll_seconds=0.1, lease_seconds=2)
    threads = [threading.Thread(target=r.run, daemon=True) for r in (first, second)]
    try:
        threads[0].start()
        assert first.is_leader.wait(10)
        threads[1].start()
        assert _wait_for(lambda: _runs_by("first") >= 2)
        assert not second.is_leader.is_set()
        assert _runs_by("second") == 0

        # An admin's "run now" is picked up by the leader within a poll or two.
        services.request_run(
            db.session, services.get_job(db.session, "test.tick"), actor=make_user(Role.ADMIN)
        )
        db.session.commit()
        assert _wait_for(
            lambda: (
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(JobRun)
                    .where(JobRun.trigger == RunTrigger.MANUAL, JobRun.runner_id == "first")
                )
                == 1
            )
        )

        first.stop()
        threads[0].join(10)
        assert not threads[0].is_alive()
        assert second.is_leader.wait(10)  # took over (the first released its lock)
        before = _runs_by("first")
        assert _wait_for(lambda: _runs_by("second") >= 1)
        assert _runs_by("first") == before  # the old leader runs nothing any more
    finally:
        for runner in (first, second):
            runner.stop()
        for thread in threads:
            thread.join(10)
    db.session.expire_all()
    lease = db.session.get(SchedulerLease, "leader")
    assert lease.holder == "second"
    # The very first tick ran too: the job's row was committed before APScheduler got the job.
    assert "not run" not in caplog.text and "failed" not in caplog.text
    first_run = db.session.scalar(sa.select(sa.func.min(JobRun.started_at)))
    assert first_run is not None
    assert db.session.scalar(sa.select(ScheduledJob.run_requested_at)) is None


def test_a_new_leader_closes_runs_left_open_by_a_dead_one(app, register_job):
    register_job("test.long", lambda s, n: JobResult("ok"), every=timedelta(hours=1))
    services.sync_jobs(db.session, NOW)
    job = services.get_job(db.session, "test.long")
    db.session.add(
        JobRun(
            job_id=job.id,
            trigger=RunTrigger.SCHEDULE,
            runner_id="dead-host:1:aaa",
            started_at=NOW,
            status="running",
        )
    )
    db.session.commit()

    assert SchedulerRunner(app, runner_id="new").close_interrupted_runs() == 1
    db.session.expire_all()
    run = db.session.scalar(sa.select(JobRun))
    assert run.status == "failed" and run.finished_at is not None
    assert run.summary.startswith("Interrupted")


def test_a_broken_schedule_row_does_not_stop_the_others(app, register_job, paused_aps):
    register_job("test.good", lambda s, n: JobResult("ok"), every=timedelta(minutes=5))
    register_job("test.bad", lambda s, n: JobResult("ok"), every=timedelta(minutes=5))
    services.sync_jobs(db.session, NOW)
    db.session.execute(  # as if someone edited the table by hand
        sa.update(ScheduledJob)
        .where(ScheduledJob.name == "test.bad")
        .values(trigger_kind="cron", interval_seconds=None, cron="not a cron")
    )
    db.session.commit()
    SchedulerRunner(app).reconcile(paused_aps)
    assert paused_aps.get_job("test.good") is not None
    assert paused_aps.get_job("test.bad") is None


def test_one_execution_of_a_job_at_a_time_in_a_runner(app, register_job):
    """A scheduled run is skipped while the same job runs; a "run now" waits its turn."""
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow(session, now):
        calls.append("run")
        started.set()
        assert release.wait(10)
        return JobResult("done")

    register_job("test.slow", slow, every=timedelta(hours=1))
    services.sync_jobs(db.session, NOW)
    db.session.commit()
    runner = SchedulerRunner(app, runner_id="solo")
    runner.is_leader.set()

    first = threading.Thread(target=runner.execute, args=("test.slow", RunTrigger.SCHEDULE))
    first.start()
    assert started.wait(10)
    runner.execute("test.slow", RunTrigger.SCHEDULE)  # returns at once: skipped
    assert calls == ["run"]
    manual = threading.Thread(target=runner.execute, args=("test.slow", RunTrigger.MANUAL))
    manual.start()
    assert calls == ["run"]  # waiting for the first to finish
    release.set()
    first.join(10)
    manual.join(10)
    assert calls == ["run", "run"]
    triggers = db.session.scalars(sa.select(JobRun.trigger).order_by(JobRun.id)).all()
    assert triggers == [RunTrigger.SCHEDULE, RunTrigger.MANUAL]
