"""Training delivered by a project: course sessions linked to its activities, and the officers
of its beneficiary administrations who were trained, passed and were certified, rolled up from
the real enrolments, ratings and certificates — never typed in twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.courses.models import CourseCompetency, CourseSession, EnrolmentStatus, SessionEnrolment
from lms.progress.models import Certificate, CertificateStatus
from lms.progress.services import latest_ratings_for_users
from lms.projects.models import (
    Activity,
    ActivitySession,
    Indicator,
    IndicatorActual,
    LogframeElement,
    Project,
    TrainingMeasure,
)
from lms.projects.services import report_actual

TOOK_PART = (EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED)


@dataclass
class SessionDelivery:
    link: ActivitySession
    enrolled: int = 0
    trained: int = 0
    passed: int = 0


@dataclass
class TrainingSummary:
    sessions: list[SessionDelivery] = field(default_factory=list)
    trained: int = 0
    completed: int = 0
    certified: int = 0
    # competency label -> level name -> officers at that level now
    levels: dict[str, Counter] = field(default_factory=dict)

    def value(self, measure: TrainingMeasure) -> int:
        return {
            TrainingMeasure.TRAINED: self.trained,
            TrainingMeasure.COMPLETED: self.completed,
            TrainingMeasure.CERTIFIED: self.certified,
        }[measure]


def project_links(session: Session, project: Project) -> list[ActivitySession]:
    return list(
        session.scalars(
            sa.select(ActivitySession)
            .join(Activity, Activity.id == ActivitySession.activity_id)
            .join(LogframeElement, LogframeElement.id == Activity.output_id)
            .options(
                joinedload(ActivitySession.activity),
                joinedload(ActivitySession.course_session).joinedload(CourseSession.course),
            )
            .where(LogframeElement.project_id == project.id)
            .order_by(ActivitySession.id)
        )
    )


def training_delivered(session: Session, project: Project) -> TrainingSummary:
    """Officers of the beneficiary administrations (all trainees when the project names none)
    in the linked sessions; counted once each however many sessions they attended."""
    links = project_links(session, project)
    summary = TrainingSummary(sessions=[SessionDelivery(link) for link in links])
    session_ids = {link.course_session_id for link in links}
    if not session_ids:
        return summary
    beneficiary_ids = {m.id for m in project.beneficiaries}
    stmt = sa.select(
        SessionEnrolment.session_id,
        SessionEnrolment.user_id,
        SessionEnrolment.status,
        SessionEnrolment.passed,
    ).where(SessionEnrolment.session_id.in_(session_ids))
    if beneficiary_ids:
        stmt = stmt.join(User, User.id == SessionEnrolment.user_id).where(
            User.member_administration_id.in_(beneficiary_ids)
        )
    rows = session.execute(stmt).all()
    per_session: dict[int, list] = defaultdict(list)
    for row in rows:
        per_session[row.session_id].append(row)
    for delivery in summary.sessions:
        own = per_session[delivery.link.course_session_id]
        delivery.enrolled = sum(
            r.status not in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED) for r in own
        )
        delivery.trained = sum(r.status in TOOK_PART for r in own)
        delivery.passed = sum(bool(r.passed) for r in own)
    trained_ids = {r.user_id for r in rows if r.status in TOOK_PART}
    summary.trained = len(trained_ids)
    summary.completed = len({r.user_id for r in rows if r.passed})
    if trained_ids:
        summary.certified = (
            session.scalar(
                sa.select(sa.func.count(sa.distinct(Certificate.user_id))).where(
                    Certificate.user_id.in_(trained_ids),
                    Certificate.status != CertificateStatus.REVOKED,
                    Certificate.issued_on >= project.start_date,
                    Certificate.issued_on <= project.end_date,
                )
            )
            or 0
        )
        course_ids = {link.course_session.course_id for link in links}
        developed = session.scalars(
            sa.select(CourseCompetency)
            .options(joinedload(CourseCompetency.competency))
            .where(CourseCompetency.course_id.in_(course_ids))
        ).all()
        competencies = {link.competency_id: link.competency for link in developed}
        ratings = latest_ratings_for_users(session, trained_ids, competencies)
        for competency_id, competency in sorted(
            competencies.items(), key=lambda item: item[1].code
        ):
            counter = Counter(r.level.name for r in ratings.get(competency_id, {}).values())
            summary.levels[f"{competency.code} {competency.short_name}"] = counter
    return summary


def serves_beneficiaries(course_session: CourseSession, project: Project) -> bool:
    """A session is *for the project's beneficiaries* when it is reserved to member
    administrations (``restricted_to``, which the enrolment rules enforce on every request)
    and every one of them is a beneficiary of the project. Only then are all its trainees,
    present and future, officers the project's managers may answer for."""
    reserved = {m.id for m in course_session.restricted_to}
    return bool(reserved) and reserved <= {m.id for m in project.beneficiaries}


def link_session(
    session: Session,
    project: Project,
    activity: Activity,
    course_session: CourseSession,
    *,
    actor: User,
) -> ActivitySession:
    if activity.output.project_id != project.id:
        raise ValidationError(_("This activity belongs to another project."), field="activity_id")
    if not serves_beneficiaries(course_session, project):
        raise ValidationError(
            _(
                "Only a session reserved for the project's beneficiary administrations can be "
                "linked; this one is open to other administrations. Nothing was linked."
            ),
            field="course_session_id",
        )
    exists = session.scalar(
        sa.select(ActivitySession.id).where(
            ActivitySession.activity_id == activity.id,
            ActivitySession.course_session_id == course_session.id,
        )
    )
    if exists:
        raise ConflictError(_("This session is already linked to the activity."))
    link = ActivitySession(
        activity_id=activity.id, course_session_id=course_session.id, linked_by_id=actor.id
    )
    session.add(link)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.session_linked",
        entity=project,
        after={"activity": activity.title, "session": course_session.id},
        summary=f"{course_session.course.code} {course_session.starts_on}",
    )
    return link


def unlink_session(
    session: Session, project: Project, link: ActivitySession, *, actor: User
) -> None:
    record_change(
        session,
        actor=actor,
        action="project.session_unlinked",
        entity=project,
        before={"activity": link.activity.title, "session": link.course_session_id},
    )
    session.delete(link)
    session.flush()


def report_training_actual(
    session: Session, indicator: Indicator, *, period: str, actor: User
) -> IndicatorActual:
    """Append the current training figure as the indicator's actual for ``period``."""
    if indicator.training_measure is None:
        raise ValidationError(_("This indicator is not fed from training records."))
    summary = training_delivered(session, indicator.project)
    value = summary.value(indicator.training_measure)
    return report_actual(
        session,
        indicator,
        actor=actor,
        period=period,
        value=value,
        comment=f"From training records: {value} ({indicator.training_measure.value}) across "
        f"{len(summary.sessions)} linked session(s).",
    )


def project_manager_remit(session: Session, *, viewer: User, trainee: User) -> bool:
    """A project manager reads the records of officers of their projects' beneficiaries."""
    from lms.accounts.models import Role
    from lms.projects.models import project_beneficiaries, project_managers

    if not viewer.has_role(Role.PROJECT_MANAGER) or trainee.member_administration_id is None:
        return False
    return bool(
        session.scalar(
            sa.select(project_managers.c.project_id)
            .join(
                project_beneficiaries,
                project_beneficiaries.c.project_id == project_managers.c.project_id,
            )
            .where(
                project_managers.c.user_id == viewer.id,
                project_beneficiaries.c.member_administration_id
                == trainee.member_administration_id,
            )
            .limit(1)
        )
    )


def project_manager_remit_set(session: Session, *, viewer: User, trainees: list[User]) -> set[int]:
    """``project_manager_remit`` for a list of trainees, in one query."""
    from lms.accounts.models import Role
    from lms.projects.models import project_beneficiaries, project_managers

    members = {t.member_administration_id for t in trainees} - {None}
    if not viewer.has_role(Role.PROJECT_MANAGER) or not members:
        return set()
    mine = set(
        session.scalars(
            sa.select(project_beneficiaries.c.member_administration_id)
            .join(
                project_managers,
                project_managers.c.project_id == project_beneficiaries.c.project_id,
            )
            .where(
                project_managers.c.user_id == viewer.id,
                project_beneficiaries.c.member_administration_id.in_(members),
            )
        )
    )
    return {t.id for t in trainees if t.member_administration_id in mine}


def project_manager_approves(
    session: Session, *, user: User, course_session: CourseSession
) -> bool:
    """The manager of a project approves requests for a session reserved for the project's
    beneficiary administrations (``serves_beneficiaries``: every administration the session
    is restricted to is a beneficiary). A link alone grants nothing: the manager made it."""
    from lms.accounts.models import Role
    from lms.projects.models import project_beneficiaries, project_managers

    reserved = {m.id for m in course_session.restricted_to}
    if not reserved or not user.has_role(Role.PROJECT_MANAGER):
        return False
    rows = session.execute(
        sa.select(
            project_beneficiaries.c.project_id, project_beneficiaries.c.member_administration_id
        )
        .join(project_managers, project_managers.c.project_id == project_beneficiaries.c.project_id)
        .where(
            project_managers.c.user_id == user.id,
            project_beneficiaries.c.member_administration_id.in_(reserved),
        )
    ).all()
    covered: dict[int, set[int]] = defaultdict(set)
    for project_id, member_id in rows:
        covered[project_id].add(member_id)
    return any(members == reserved for members in covered.values())
