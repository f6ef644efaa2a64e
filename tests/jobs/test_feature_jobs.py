"""The feature jobs on a controlled clock: session and milestone reminders, overdue alerts,
the weekly digest, waiting-list clean-up and certificate expiry — each produced exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import jobs as course_jobs
from lms.courses import services as courses
from lms.courses.models import EnrolmentStatus
from lms.notifications.models import Notification
from lms.progress import jobs as progress_jobs
from lms.progress import services as progress
from lms.progress.models import TrackCertificationPolicy
from lms.projects import jobs as project_jobs
from lms.projects import services as projects
from lms.scheduler.registry import JOBS
from lms.scheduler.services import execute_job
from tests.courses.fixtures import TODAY, after


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)


def _titles(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.title)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_feature_jobs_are_registered():
    for name in (
        "sessions.remind",
        "sessions.waitlist_cleanup",
        "milestones.remind",
        "projects.weekly_digest",
        "certificates.expiry_reminders",
    ):
        assert name in JOBS


def test_session_reminder_goes_once_to_enrolled_trainees_only(world, make_user):
    enrolled, waiting, late = (make_user(Role.TRAINEE) for _ in range(3))
    for trainee in (enrolled, waiting, late):
        courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    start = world.session_a.starts_on
    for day in (start - timedelta(days=5), start - timedelta(days=2), start - timedelta(days=1)):
        course_jobs.remind_sessions(db.session, _at(day))
        db.session.commit()
    assert _titles(enrolled) == [f"DQ101 Data quality in customs starts on {start.isoformat()}"]
    assert _titles(late) == []  # third on a two-seat session: waitlisted, not reminded


def test_waiting_list_is_closed_once_the_session_starts(world, make_user):
    trainees = [make_user(Role.TRAINEE) for _ in range(3)]
    enrolments = [
        courses.request_enrolment(db.session, world.session_a, t, actor=t, today=TODAY)
        for t in trainees
    ]
    db.session.commit()
    assert enrolments[2].status == EnrolmentStatus.WAITLISTED
    course_jobs.clean_up_waitlists(db.session, _at(world.session_a.starts_on - timedelta(1)))
    assert enrolments[2].status == EnrolmentStatus.WAITLISTED
    result = course_jobs.clean_up_waitlists(db.session, _at(world.session_a.starts_on))
    db.session.commit()
    assert result.items == 1 and enrolments[2].status == EnrolmentStatus.WITHDRAWN
    assert enrolments[0].status == EnrolmentStatus.ENROLLED
    assert enrolments[2].events[-1].note == "The session started before a seat came free"
    assert len(_titles(trainees[2])) == 1
    assert course_jobs.clean_up_waitlists(db.session, _at(world.session_a.starts_on)).items == 0


def test_milestone_reminder_overdue_alert_and_digest_once_each(make_project, make_user):
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager, start=date(2025, 1, 1), end=date(2027, 12, 31))
    milestone = projects.add_milestone(
        db.session, project, actor=manager, title="Risk engine live", due_date=date(2026, 5, 20)
    )
    db.session.commit()
    for day in (
        date(2026, 5, 1),
        date(2026, 5, 10),
        date(2026, 5, 11),
        date(2026, 5, 25),
        date(2026, 5, 26),
    ):
        project_jobs.remind_milestones(db.session, _at(day))
        db.session.commit()
    assert _titles(manager) == [
        f"{project.code}: “Risk engine live” is due on 2026-05-20",
        f"{project.code}: “Risk engine live” is overdue since 2026-05-20",
    ]
    # Re-planned: reminded again for the new date.
    projects.replan_milestone(
        db.session, milestone, actor=manager, new_date=date(2026, 6, 30), reason="Supplier delay"
    )
    db.session.commit()
    project_jobs.remind_milestones(db.session, _at(date(2026, 6, 20)))
    assert _titles(manager)[-1] == f"{project.code}: “Risk engine live” is due on 2026-06-30"

    monday = date(2026, 6, 22)
    assert project_jobs.weekly_digest(db.session, _at(monday)).items == 1
    assert project_jobs.weekly_digest(db.session, _at(monday)).items == 0
    db.session.commit()
    digest = db.session.scalar(
        sa.select(Notification).where(Notification.title == "Your projects, week 26 of 2026")
    )
    assert project.code in digest.body and "Risk engine live (2026-06-30)" in digest.body


def test_certificate_expiry_reminds_holder_and_focal_point_once(world, make_user, make_member):
    from decimal import Decimal

    db.session.add(
        TrackCertificationPolicy(
            track_id=world.specialists.id, validity_months=12, reminder_days_before=30
        )
    )
    member = make_member(country_code="UG", focal_point_email="focal@ura.example")
    focal = make_user(Role.TRAINEE, email="focal@ura.example")
    holder = make_user(Role.TRAINEE, member=member, full_name="Sarah Nakato")
    progress.enrol_in_track(db.session, holder, world.specialists, actor=holder)
    for course_session in (world.session_a, world.session_b):
        enrolment = courses.request_enrolment(
            db.session, course_session, holder, actor=holder, today=TODAY
        )
        courses.record_result(
            db.session,
            enrolment,
            score=Decimal(80),
            passed=True,
            actor=world.trainer,
            today=TODAY,
            now=after(enrolment.session),
        )
    db.session.commit()
    expires = TODAY.replace(year=TODAY.year + 1)
    for day in (
        expires - timedelta(days=40),
        expires - timedelta(days=29),
        expires - timedelta(days=10),
    ):
        progress_jobs.remind_expiring_certificates(db.session, _at(day))
        db.session.commit()
    assert _titles(holder) == [
        f"Your Data specialists certificate expires on {expires.isoformat()}"
    ]
    assert _titles(focal) == [
        f"Sarah Nakato's Data specialists certificate expires on {expires.isoformat()}"
    ]


def test_a_feature_job_runs_through_the_scheduler_and_is_recorded(world, make_user):
    from lms.scheduler.models import JobRun
    from lms.scheduler.services import sync_jobs

    trainee = make_user(Role.TRAINEE)
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    sync_jobs(db.session)
    db.session.commit()
    execute_job(db.session, "sessions.remind", _at(world.session_a.starts_on - timedelta(1)))
    run = db.session.scalar(sa.select(JobRun).order_by(JobRun.id.desc()))
    assert run.status.value == "ok" and run.summary.startswith("1 reminder(s) sent")


@pytest.mark.demo
def test_report_schedules_run_through_the_scheduler_once(app, demo_summary):
    from lms.reports.models import ReportRun
    from lms.scheduler.services import sync_jobs

    summary = demo_summary
    # The demo's monthly directorate report and weekly project report.
    assert "Reports: 2 report schedules" in summary
    # ... and the organisation's name and signatory on its certificates.
    from lms.reports.organisation import branding

    signed = branding(db.session)
    assert (signed.organisation, signed.signatory_title) == (
        "Customs Capacity Building Directorate",
        "Director, Capacity Building",
    )
    sync_jobs(db.session)
    db.session.commit()
    later = datetime.now(UTC) + timedelta(days=40)  # past every demo schedule's next run
    first = execute_job(db.session, "reports.schedules", later)
    second = execute_job(db.session, "reports.schedules", later)
    assert first.status.value == "ok" and first.items == 2, first.summary
    assert second.items == 0
    runs = db.session.scalars(sa.select(ReportRun).where(ReportRun.schedule_id.is_not(None)))
    assert len(runs.all()) == first.items
