"""The admin page of scheduled jobs: list, pause, resume, change schedule, run now, history,
and nobody but an admin gets in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, SchedulerLease
from lms.scheduler.registry import JobResult
from lms.scheduler.services import execute_job, get_job
from tests.conftest import post_form
from tests.scheduler.conftest import NOW
from tests.translations import french_catalogue


@pytest.fixture
def admin(logged_in):
    return logged_in(Role.ADMIN)


@pytest.mark.parametrize(
    "role", [Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER, Role.DIRECTORATE]
)
def test_only_admins_see_or_change_jobs(client, logged_in, role):
    logged_in(role)
    assert client.get("/admin/jobs").status_code == 403
    assert client.get("/admin/jobs/outbox.deliver").status_code == 403
    assert client.get("/admin/jobs/runs").status_code == 403
    assert post_form(client, "/admin/jobs/outbox.deliver/pause").status_code == 403
    assert post_form(client, "/admin/jobs/outbox.deliver/run").status_code == 403
    assert (
        post_form(
            client, "/admin/jobs/outbox.deliver", {"kind": "cron", "cron": "* * * * *"}
        ).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/jobs")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_the_list_shows_every_job_with_its_schedule_and_last_result(client, admin, register_job):
    register_job("test.report", lambda s, n: JobResult("3 reports sent", 3), cron="0 7 1 * *")
    client.get("/admin/jobs")  # creates the rows
    db.session.expire_all()
    execute_job(db.session, "test.report", NOW)

    html = client.get("/admin/jobs").get_data(as_text=True)

    for text in ("outbox.deliver", "every 1 min", "sessions.cleanup", "cron 30 3 * * *"):
        assert text in html
    assert "test.report" in html and "cron 0 7 1 * *" in html
    assert "3 reports sent" in html and 'data-status="ok"' in html
    assert "No scheduler process is running" in html  # no lease yet


def test_a_run_summary_is_shown_in_the_readers_language(client, admin, register_job):
    """The run keeps its English line (logs) and its message and values, so a French admin
    reads the catalogue's French text with the run's figures; outcome badges too."""
    from lms.scheduler.jobs import clean_up_sessions

    register_job("test.clean", clean_up_sessions, every=timedelta(hours=1))
    client.get("/admin/jobs")
    db.session.expire_all()
    run = execute_job(db.session, "test.clean", NOW)
    assert run.summary == "0 session(s) and 0 login attempt(s) deleted"
    fr = french_catalogue()
    admin.preferred_language = "fr"
    db.session.commit()
    html = client.get("/admin/jobs").get_data(as_text=True)
    expected = fr["%(sessions)s session(s) and %(attempts)s login attempt(s) deleted"] % {
        "sessions": 0,
        "attempts": 0,
    }
    assert expected in html and run.summary not in html
    assert f'data-status="ok">{fr[("job run", "Succeeded")]}</span>' in html


def test_the_list_shows_a_live_scheduler(client, admin):
    from lms.core.model_base import utcnow

    now = utcnow()
    db.session.add(
        SchedulerLease(
            name="leader",
            holder="app-1:4242:abc",
            acquired_at=now,
            renewed_at=now,
            expires_at=now + timedelta(seconds=30),
        )
    )
    db.session.commit()
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "Scheduler running: app-1:4242:abc" in html


def test_pause_and_resume(client, admin):
    client.get("/admin/jobs")
    response = post_form(client, "/admin/jobs/outbox.deliver/pause")
    assert response.status_code == 302
    db.session.expire_all()
    assert get_job(db.session, "outbox.deliver").is_paused
    html = client.get("/admin/jobs/outbox.deliver").get_data(as_text=True)
    assert "is paused" in html and 'data-status="paused"' in html

    html = post_form(client, "/admin/jobs/outbox.deliver/pause", follow_redirects=True).get_data(
        as_text=True
    )
    assert "already paused" in html

    post_form(client, "/admin/jobs/outbox.deliver/resume")
    db.session.expire_all()
    assert not get_job(db.session, "outbox.deliver").is_paused
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["job.paused", "job.resumed"]


def test_a_bad_cron_is_refused_with_a_clear_message_and_nothing_changes(client, admin):
    client.get("/admin/jobs")
    response = post_form(
        client, "/admin/jobs/sessions.cleanup", {"kind": "cron", "cron": "70 3 * * *"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Not a valid cron expression" in html and "higher than the maximum value" in html
    assert 'value="70 3 * * *"' in html  # what the admin typed is still there
    db.session.expire_all()
    assert get_job(db.session, "sessions.cleanup").cron == "30 3 * * *"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0

    html = post_form(
        client, "/admin/jobs/sessions.cleanup", {"kind": "interval", "interval_unit": "hours"}
    ).get_data(as_text=True)
    assert "between one second and 366 days" in html


def test_schedule_changes_to_a_cron_and_to_an_interval(client, admin):
    client.get("/admin/jobs")
    response = post_form(
        client, "/admin/jobs/sessions.cleanup", {"kind": "cron", "cron": " 0  2 * * 0 "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    job = get_job(db.session, "sessions.cleanup")
    assert (job.trigger_kind.value, job.cron, job.interval_seconds) == ("cron", "0 2 * * 0", None)

    post_form(
        client,
        "/admin/jobs/sessions.cleanup",
        {"kind": "interval", "interval_value": "12", "interval_unit": "hours"},
    )
    db.session.expire_all()
    job = get_job(db.session, "sessions.cleanup")
    assert (job.trigger_kind.value, job.cron, job.interval_seconds) == ("interval", None, 43200)
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "job.schedule_changed")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.before == {"trigger_kind": "cron", "interval_seconds": None, "cron": "0 2 * * 0"}
    assert entry.after == {"trigger_kind": "interval", "interval_seconds": 43200, "cron": None}


def test_run_now_records_a_request_and_runs_nothing_in_the_web(client, admin):
    client.get("/admin/jobs")
    html = post_form(client, "/admin/jobs/outbox.deliver/run", follow_redirects=True).get_data(
        as_text=True
    )
    assert "the scheduler starts it within a few seconds" in html
    db.session.expire_all()
    job = get_job(db.session, "outbox.deliver")
    assert job.run_requested_at is not None and job.run_requested_by_id == admin.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0
    html = post_form(client, "/admin/jobs/outbox.deliver/run", follow_redirects=True).get_data(
        as_text=True
    )
    assert "already requested" in html


def test_unknown_job_is_404(client, admin):
    assert client.get("/admin/jobs/no.such.job").status_code == 404
    assert post_form(client, "/admin/jobs/no.such.job/pause").status_code == 404
    assert client.get("/admin/jobs/runs?job=no.such.job").status_code == 404


def test_run_history_is_paginated_per_job(client, admin, register_job):
    register_job("test.often", lambda s, n: JobResult("fine"), every=timedelta(minutes=1))
    client.get("/admin/jobs")
    db.session.expire_all()
    job = get_job(db.session, "test.often")
    other = get_job(db.session, "outbox.deliver")
    for minute in range(30):
        db.session.add(
            JobRun(
                job_id=job.id,
                trigger=RunTrigger.SCHEDULE,
                started_at=NOW + timedelta(minutes=minute),
                finished_at=NOW + timedelta(minutes=minute, seconds=1),
                duration_ms=1000,
                status=JobRunStatus.OK,
                summary=f"run number {minute}",
            )
        )
    db.session.add(
        JobRun(
            job_id=other.id,
            trigger=RunTrigger.MANUAL,
            started_at=NOW,
            finished_at=NOW,
            duration_ms=0,
            status=JobRunStatus.FAILED,
            summary="SMTPException: boom",
        )
    )
    db.session.commit()

    first = client.get("/admin/jobs/runs?job=test.often").get_data(as_text=True)
    assert "run number 29" in first and "run number 5" in first and "run number 4" not in first
    assert "30 in all" in first and "boom" not in first
    second = client.get("/admin/jobs/runs?job=test.often&page=2").get_data(as_text=True)
    assert "run number 4" in second and "run number 0" in second
    detail = client.get("/admin/jobs/test.often").get_data(as_text=True)
    assert "run number 29" in detail and "run number 19" not in detail  # the latest ten
    everything = client.get("/admin/jobs/runs").get_data(as_text=True)
    assert "31 in all" in everything and 'href="/admin/jobs/test.often"' in everything
    last_page = client.get("/admin/jobs/runs?page=2").get_data(as_text=True)
    assert "boom" in last_page and 'href="/admin/jobs/outbox.deliver"' in last_page


def test_admin_navigation_lists_scheduled_jobs(client, admin):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/jobs"' in html


def test_the_job_list_costs_the_same_queries_with_many_jobs(client, admin, register_job):
    def statements_for_list() -> int:
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get("/admin/jobs").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)
        return count

    client.get("/admin/jobs")
    for name in ("outbox.deliver", "sessions.cleanup"):
        execute_job(db.session, name, NOW)
    few = statements_for_list()
    for n in range(12):
        register_job(f"test.many{n}", lambda s, now: JobResult("ok"), every=timedelta(hours=1))
    client.get("/admin/jobs")  # creates the twelve rows
    for n in range(12):
        execute_job(db.session, f"test.many{n}", NOW)
    assert statements_for_list() == few
