"""The scheduler survives a database restart: while the database fails it logs, steps down
(it cannot confirm its lock) and keeps trying; once the database is back it leads again and
the next runs succeed. PostgreSQL: the server ends every connection (``pg_terminate_backend``),
the advisory lock's among them; both databases: every statement fails for a while."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from lms.core.extensions import db
from lms.scheduler.models import JobRun, JobRunStatus
from lms.scheduler.registry import JobResult
from lms.scheduler.runner import SchedulerRunner
from tests.conftest import BACKEND
from tests.faults import driver_error


def _wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _succeeded() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.select(sa.func.count()).select_from(JobRun).where(JobRun.status == JobRunStatus.OK)
        )


class Outage:
    """Every statement fails while ``down`` is set (a server restarting)."""

    def __init__(self) -> None:
        self.down = threading.Event()
        self.refused = 0

    def __call__(self, *_args) -> None:
        if self.down.is_set():
            self.refused += 1
            raise driver_error()


def _start(app, register_job) -> tuple[SchedulerRunner, threading.Thread]:
    register_job("test.tick", lambda s, n: JobResult("tick", 1), every=timedelta(seconds=1))
    runner = SchedulerRunner(app, runner_id="survivor", poll_seconds=0.1, lease_seconds=2)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    assert runner.is_leader.wait(10)
    assert _wait_for(lambda: _succeeded() >= 1)
    return runner, thread


def test_the_scheduler_keeps_running_through_a_database_outage(app, register_job, caplog):
    outage = Outage()
    sa.event.listen(db.engine, "before_cursor_execute", outage)
    runner, thread = _start(app, register_job)
    try:
        outage.down.set()
        assert _wait_for(lambda: not runner.is_leader.is_set())  # cannot confirm its lock
        assert _wait_for(lambda: outage.refused >= 5)  # and keeps trying
        outage.down.clear()
        before = _succeeded()
        assert runner.is_leader.wait(10) and thread.is_alive()
        assert _wait_for(lambda: _succeeded() > before)  # the next run succeeds
    finally:
        outage.down.clear()
        runner.stop()
        thread.join(10)
        sa.event.remove(db.engine, "before_cursor_execute", outage)
    assert not thread.is_alive()
    assert "Scheduler step failed; trying again shortly" in caplog.text


def test_the_scheduler_leads_again_after_the_server_ended_its_connections(app, register_job):
    if BACKEND != "postgresql":
        import pytest

        pytest.skip("server connections and advisory locks are PostgreSQL's")
    runner, thread = _start(app, register_job)
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            killed = conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert killed >= 1  # the advisory lock's connection at least
        before = _succeeded()
        assert _wait_for(lambda: _succeeded() > before, timeout=30)
        assert thread.is_alive() and runner.is_leader.is_set()
    finally:
        runner.stop()
        thread.join(10)
    assert not thread.is_alive()
