"""The run-history queries behind the jobs pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.core.extensions import db
from lms.scheduler import services
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger


def _runs(job, count: int) -> None:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for n in range(count):
        db.session.add(
            JobRun(
                job_id=job.id,
                trigger=RunTrigger.SCHEDULE,
                started_at=start + timedelta(minutes=n),
                status=JobRunStatus.OK,
                finished_at=start + timedelta(minutes=n, seconds=5),
                duration_ms=5000,
                summary=f"run {n}",
            )
        )
    db.session.commit()


def test_runs_query_and_recent_runs(app):
    services.sync_jobs(db.session)
    db.session.commit()
    first, second = services.all_jobs(db.session)[:2]
    assert [j.name for j in services.all_jobs(db.session)] == sorted(
        j.name for j in services.all_jobs(db.session)
    )
    _runs(first, 3)
    _runs(second, 1)

    assert [r.summary for r in services.recent_runs(db.session, first, 2)] == ["run 2", "run 1"]
    mine = db.session.scalars(services.runs_query(first)).all()
    assert [r.summary for r in mine] == ["run 2", "run 1", "run 0"]
    assert len(db.session.scalars(services.runs_query()).all()) == 4
