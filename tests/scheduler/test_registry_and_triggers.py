"""Job registration, trigger validation, and copying the registry into the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.scheduler.models import ScheduledJob, TriggerKind
from lms.scheduler.registry import JobResult, scheduled_job
from lms.scheduler.services import get_job, sync_jobs
from lms.scheduler.triggers import check_interval, first_run, parse_cron
from tests.scheduler.conftest import NOW


def test_a_job_needs_exactly_one_valid_default_trigger():
    with pytest.raises(ValueError, match="exactly one"):
        scheduled_job("x.none")
    with pytest.raises(ValueError, match="exactly one"):
        scheduled_job("x.both", every=timedelta(minutes=1), cron="* * * * *")
    with pytest.raises(ValidationError, match="five fields"):
        scheduled_job("x.bad", cron="every day")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "five fields"),
        ("30 3 * *", "five fields"),
        ("61 * * * *", "higher than the maximum value"),
        ("0 25 * * *", "higher than the maximum value"),
        ("0 6 * * 9", "0-7"),
        ("0 6 * * funday", "Invalid weekday"),
    ],
)
def test_bad_cron_expressions_are_refused_with_a_reason(expression, message):
    with pytest.raises(ValidationError, match=message) as caught:
        parse_cron(expression)
    assert caught.value.field == "cron"


def test_cron_weekdays_count_from_sunday_as_in_crontab():
    # NOW is Monday 2 March 2026 08:00 UTC; "1" means Monday, "0" and "7" Sunday.
    assert parse_cron("0 6 * * 1").get_next_fire_time(None, NOW).day == 9
    assert parse_cron("0 6 * * 0").get_next_fire_time(None, NOW).day == 8
    assert parse_cron("0 6 * * 7").get_next_fire_time(None, NOW).day == 8
    assert parse_cron("0 9 * * mon-fri").get_next_fire_time(None, NOW).day == 2


def test_interval_limits():
    assert check_interval(60) == 60
    for bad in (None, 0, -5, 400 * 86400):
        with pytest.raises(ValidationError, match="between one second and 366 days"):
            check_interval(bad)


def test_first_run_after_a_restart():
    hour = timedelta(hours=1)
    assert first_run(TriggerKind.INTERVAL, 3600, None, NOW, None) == NOW
    assert first_run(TriggerKind.INTERVAL, 3600, None, NOW, NOW - 0.5 * hour) == NOW + 0.5 * hour
    assert first_run(TriggerKind.INTERVAL, 3600, None, NOW, NOW - 5 * hour) == NOW  # overdue
    assert first_run(TriggerKind.CRON, None, "30 3 * * *", NOW, None) == NOW.replace(
        day=3, hour=3, minute=30
    )


def test_sync_adds_new_jobs_once_and_keeps_the_admins_schedule(app, register_job):
    register_job("test.sync", lambda s, n: JobResult("ok"), every=timedelta(hours=6))
    added = sync_jobs(db.session, NOW)
    db.session.commit()
    # The table was empty: every registered job, this one among them, got its row.
    names = set(db.session.scalars(sa.select(ScheduledJob.name)))
    assert "test.sync" in names and added == len(names)
    job = get_job(db.session, "test.sync")
    assert (job.trigger_kind, job.interval_seconds, job.cron) == (TriggerKind.INTERVAL, 21600, None)
    job.trigger_kind, job.interval_seconds, job.cron = TriggerKind.CRON, None, "0 1 * * *"
    db.session.commit()

    assert sync_jobs(db.session, NOW) == 0
    db.session.commit()
    db.session.expire_all()
    assert get_job(db.session, "test.sync").cron == "0 1 * * *"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ScheduledJob)
            .where(ScheduledJob.name == "test.sync")
        )
        == 1
    )


def test_the_database_refuses_an_incomplete_trigger(app):
    db.session.add(ScheduledJob(name="broken", trigger_kind=TriggerKind.CRON))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(
        ScheduledJob(name="broken", trigger_kind=TriggerKind.INTERVAL, interval_seconds=0)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
