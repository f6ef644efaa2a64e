"""The admin jobs page shows each job's latest run by start time, read through the
``(job_id, started_at)`` index, in one query whatever the number of runs kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.core.extensions import db
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, ScheduledJob
from lms.scheduler.services import last_runs, sync_jobs
from tests.scheduler.conftest import NOW


def _run(job: ScheduledJob, minutes: int, status=JobRunStatus.OK) -> JobRun:
    begun = NOW + timedelta(minutes=minutes)
    run = JobRun(
        job_id=job.id,
        trigger=RunTrigger.SCHEDULE,
        started_at=begun,
        finished_at=begun + timedelta(seconds=1),
        status=status,
        summary=f"at {minutes}",
    )
    db.session.add(run)
    return run


def test_each_job_gets_its_latest_started_run(app):
    sync_jobs(db.session)
    first, second, idle = db.session.scalars(
        sa.select(ScheduledJob).order_by(ScheduledJob.id)
    ).all()[:3]
    # Inserted out of order: the newest start is not the highest id.
    _run(first, 30, JobRunStatus.FAILED)
    _run(first, 10)
    _run(second, 5)
    _run(second, 50)
    _run(second, 20)
    db.session.commit()
    latest = last_runs(db.session, [first.id, second.id, idle.id])
    assert set(latest) == {first.id, second.id}  # a job never run has none
    assert latest[first.id].summary == "at 30" and latest[first.id].status is JobRunStatus.FAILED
    assert latest[second.id].summary == "at 50"
    assert last_runs(db.session, []) == {}


def test_one_query_whatever_the_number_of_runs(app):
    sync_jobs(db.session)
    jobs = list(db.session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.id)))
    job_ids = [job.id for job in jobs]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    figures = []
    for batch in range(2):
        for job in jobs:
            for n in range(5 * batch + 1):
                _run(job, batch * 100 + n)
        db.session.commit()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            latest = last_runs(db.session, job_ids)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        figures.append(len(statements))
        statements.clear()
        assert {run.summary for run in latest.values()} == {f"at {batch * 100 + 5 * batch}"}
    assert figures == [1, 1]
