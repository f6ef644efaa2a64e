"""Two real ``lms scheduler`` processes against the test database: one leads and runs the jobs,
the other waits; when the leader is killed, the standby takes over. The only test that sleeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.scheduler.models import JobRun, ScheduledJob, SchedulerLease, TriggerKind

LMS = str(Path(sys.executable).with_name("lms"))


class SchedulerProcess:
    def __init__(self, database_url: str):
        env = dict(os.environ, DATABASE_URL=database_url, LMS_ENV="testing", MAIL_SERVER="")
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [LMS, "scheduler", "--poll-seconds", "0.2", "--lease-seconds", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def runner_id(self) -> str | None:
        for line in self.lines:
            if line.startswith("Scheduler ") and " starting" in line:
                return line.split()[1]
        return None

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _runs_by(runner_id: str | None) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.select(sa.func.count()).select_from(JobRun).where(JobRun.runner_id == runner_id)
        )


def _holder() -> str | None:
    with db.engine.connect() as conn:
        lease = conn.execute(sa.select(SchedulerLease.holder, SchedulerLease.expires_at)).first()
    return lease.holder if lease and lease.expires_at > utcnow() else None


def test_second_scheduler_waits_and_takes_over_when_the_leader_dies(app):
    # The outbox job every second; the daily clean-up paused, so only one job ticks.
    db.session.add_all(
        [
            ScheduledJob(
                name="outbox.deliver", trigger_kind=TriggerKind.INTERVAL, interval_seconds=1
            ),
            ScheduledJob(
                name="sessions.cleanup",
                trigger_kind=TriggerKind.CRON,
                cron="30 3 * * *",
                is_paused=True,
            ),
        ]
    )
    db.session.commit()
    url = db.engine.url.render_as_string(hide_password=False)

    leader = SchedulerProcess(url)
    standby = None
    try:
        assert _wait_for(lambda: leader.runner_id and _runs_by(leader.runner_id) >= 1), leader.lines
        standby = SchedulerProcess(url)
        assert _wait_for(lambda: standby.runner_id is not None), standby.lines
        time.sleep(3)  # long enough for the standby to have run something, were it able to
        assert _runs_by(standby.runner_id) == 0
        assert _runs_by(leader.runner_id) >= 2
        assert _holder() == leader.runner_id

        leader.stop(signal.SIGKILL)  # dies without releasing anything
        assert _wait_for(lambda: _runs_by(standby.runner_id) >= 1), standby.lines
        assert _holder() == standby.runner_id
        runs = db.session.scalars(sa.select(JobRun).order_by(JobRun.started_at)).all()
        assert {r.runner_id for r in runs} == {leader.runner_id, standby.runner_id}
        assert all(r.status.value in ("ok", "running") for r in runs)

        assert standby.stop() == 0  # SIGTERM: a clean stop releases the lock
        assert _holder() is None
    finally:
        leader.stop(signal.SIGKILL)
        if standby:
            standby.stop(signal.SIGKILL)
