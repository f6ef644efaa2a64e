"""The programme the statement-count tests measure, built at a size.

``build_programme`` is the one data-building function: the demo dataset (its accounts hold
the roles every page is seen as) and, on top, ``scale`` units of growth touching every list a
main page shows — trainees enrolled in the demo trainer's session, rated by more assessors,
waiting in the review queue; courses and sessions in the catalogue; notifications; job runs;
projects with milestones and indicators. When the generator (``lms generate``) lands, this
function is the one to switch to its XS and S sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.accounts.passwords import hash_password
from lms.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    DeliveryMode,
    EnrolmentStatus,
    SessionEnrolment,
    SessionStatus,
    session_trainers,
)
from lms.demo import load_demo
from lms.frameworks.models import Competency, ScaleLevel, Track
from lms.notifications.models import Notification
from lms.progress.models import (
    ClaimStatus,
    CompetencyRating,
    PriorLearningClaim,
    RatingSource,
    ReviewRequest,
    ReviewStatus,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.projects import services as projects
from lms.projects.models import LogframeLevel, Project, ProjectStatus
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, ScheduledJob
from lms.scheduler.services import sync_jobs

TODAY = date(2026, 3, 2)
DEMO_TRAINEES = 10  # the demo's fixed cast; the growth below is what changes with size
TRAINEES_PER_UNIT = 6
ASSESSORS_PER_UNIT = 2
COURSES_PER_UNIT = 2


@dataclass(frozen=True)
class Programme:
    """The records each measured page is about."""

    trainee_id: int  # trainee@example.org
    competency_id: int  # a competency the demo trainee is rated on
    session_id: int  # the demo trainer's session every new trainee is enrolled in
    project_id: int  # a project of manager@example.org
    search: str  # a catalogue search term matching the added courses


def _user_id(session: Session, email: str) -> int:
    return session.scalar(sa.select(User.id).where(User.email == email))


def build_programme(session: Session, scale: int) -> Programme:
    load_demo(session)
    session.flush()
    sync_jobs(session)
    password_hash = hash_password(DEMO_PASSWORD)
    members = session.scalars(sa.select(MemberAdministration).order_by(MemberAdministration.id))
    members = list(members)
    trainer_id = _user_id(session, "trainer@example.org")
    trainee_id = _user_id(session, "trainee@example.org")
    manager_id = _user_id(session, "manager@example.org")
    admin_id = _user_id(session, "admin@example.org")
    roster = session.scalars(
        sa.select(CourseSession)
        .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
        .where(session_trainers.c.user_id == trainer_id)
        .order_by(CourseSession.starts_on.desc(), CourseSession.id)
    ).first()
    competencies = list(session.scalars(sa.select(Competency).order_by(Competency.id).limit(12)))
    level = session.scalars(
        sa.select(ScaleLevel)
        .where(ScaleLevel.scale_id == competencies[0].framework.scale_id)
        .order_by(ScaleLevel.position.desc())
    ).first()
    track = session.scalars(sa.select(Track).order_by(Track.id)).first()
    project = session.scalars(
        sa.select(Project).where(Project.managers.any(User.id == manager_id)).order_by(Project.id)
    ).first()
    jobs = list(session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.id)))
    start = datetime.combine(TODAY, datetime.min.time(), UTC) - timedelta(days=30)

    def person(role: Role, n: int, kind: str) -> User:
        user = User(
            email=f"perf.{kind}{n}@example.org",
            full_name=f"Perf {kind.title()} {n}",
            password_hash=password_hash,
            member_administration_id=members[n % len(members)].id,
            role_links=[UserRole(role=role)],
        )
        session.add(user)
        return user

    roster.capacity += scale * TRAINEES_PER_UNIT
    for unit in range(scale):
        assessors = [
            person(Role.TRAINER, unit * ASSESSORS_PER_UNIT + i, "assessor")
            for i in range(ASSESSORS_PER_UNIT)
        ]
        trainees = [
            person(Role.TRAINEE, unit * TRAINEES_PER_UNIT + i, "trainee")
            for i in range(TRAINEES_PER_UNIT)
        ]
        session.flush()
        session.execute(
            session_trainers.insert(), [{"session_id": roster.id, "user_id": assessors[0].id}]
        )
        for n, assessor in enumerate(assessors):
            # The demo trainee is rated by more assessors as the programme grows.
            session.add(
                CompetencyRating(
                    user_id=trainee_id,
                    competency_id=competencies[(unit + n) % len(competencies)].id,
                    level_id=level.id,
                    source=RatingSource.ASSESSOR,
                    rated_by_id=assessor.id,
                    rated_at=start + timedelta(days=unit, hours=n),
                    comment=f"Observed in unit {unit}",
                )
            )
        for n, trainee in enumerate(trainees):
            competency = competencies[n % len(competencies)]
            session.add_all(
                [
                    SessionEnrolment(
                        session_id=roster.id,
                        user_id=trainee.id,
                        status=EnrolmentStatus.ENROLLED,
                        requested_at=start,
                    ),
                    TrackEnrolment(
                        user_id=trainee.id,
                        track_id=track.id,
                        status=TrackEnrolmentStatus.ACTIVE,
                        enrolled_at=start,
                    ),
                    CompetencyRating(
                        user_id=trainee.id,
                        competency_id=competency.id,
                        level_id=level.id,
                        source=RatingSource.ASSESSOR,
                        rated_by_id=assessors[n % len(assessors)].id,
                        rated_at=start + timedelta(days=n),
                    ),
                    ReviewRequest(
                        user_id=trainee.id,
                        competency_id=competency.id,
                        note="Please review my work",
                        status=ReviewStatus.OPEN,
                        requested_at=start + timedelta(days=n),
                    ),
                    PriorLearningClaim(
                        user_id=trainee.id,
                        competency_id=competencies[(n + 1) % len(competencies)].id,
                        level_id=level.id,
                        description="Led the data team for two years",
                        status=ClaimStatus.PENDING,
                        created_at=start + timedelta(days=n),
                    ),
                ]
            )
        roster.seats_taken += TRAINEES_PER_UNIT
        for n in range(COURSES_PER_UNIT):
            course = Course(
                code=f"PERF-{unit}-{n}",
                title=f"Data quality workshop {unit}.{n}",
                summary="Cleaning customs declarations data",
                delivery_mode=DeliveryMode.WORKSHOP,
                hours=Decimal("14.0"),
                languages=["en"],
                status=CourseStatus.PUBLISHED,
            )
            course.sessions.append(
                CourseSession(
                    starts_on=TODAY + timedelta(days=20 + n),
                    ends_on=TODAY + timedelta(days=21 + n),
                    capacity=20,
                    status=SessionStatus.OPEN,
                    trainers=[session.get(User, trainer_id)],
                )
            )
            session.add(course)
        for n, user_id in enumerate((trainee_id, trainer_id, manager_id, admin_id) * 2):
            session.add(
                Notification(
                    user_id=user_id,
                    kind="session.reminder",
                    title=f"Reminder {unit}.{n}",
                    link="/",
                    read_at=None if n % 2 else start,
                )
            )
        for n, job in enumerate(jobs):
            for k in range(3):
                begun = start + timedelta(days=unit, minutes=n * 10 + k)
                session.add(
                    JobRun(
                        job_id=job.id,
                        trigger=RunTrigger.SCHEDULE,
                        started_at=begun,
                        finished_at=begun + timedelta(seconds=2),
                        duration_ms=2000,
                        status=JobRunStatus.FAILED if k == 2 else JobRunStatus.OK,
                        error="Timed out" if k == 2 else None,
                    )
                )
        _grow_projects(session, unit, project, manager_id, members)
    session.flush()
    return Programme(
        trainee_id=trainee_id,
        competency_id=competencies[0].id,
        session_id=roster.id,
        project_id=project.id,
        search="workshop",
    )


def _grow_projects(
    session: Session, unit: int, project: Project, manager_id: int, members: list
) -> None:
    """One more project for the demo manager, and more milestones and an indicator on hers."""
    extra = projects.create_project(
        session,
        actor=None,
        code=f"PERF-{unit}",
        title=f"Risk management support {unit}",
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
        status=ProjectStatus.ACTIVE,
        beneficiary_ids=[members[unit % len(members)].id],
        manager_ids=[manager_id],
    )
    for target in (project, extra):
        for n in range(2):
            projects.add_milestone(
                session,
                target,
                actor=None,
                title=f"Deliverable {unit}.{n}",
                due_date=TODAY + timedelta(days=n * 30 - 15),
            )
        goal = next(
            (e for e in target.logframe_elements if e.level is LogframeLevel.GOAL), None
        ) or projects.add_logframe_element(
            session, target, actor=None, level=LogframeLevel.GOAL, statement="Data-driven customs"
        )
        indicator = projects.add_indicator(
            session,
            goal,
            actor=None,
            name=f"Officers trained {unit}",
            unit="officers",
            baseline_value=0,
            baseline_date=date(2025, 1, 1),
        )
        for year, value in (("2025", 10), ("2026", 20)):
            projects.set_target(session, indicator, actor=None, period=year, value=value)
        projects.report_actual(session, indicator, actor=None, period="2025", value=8)
