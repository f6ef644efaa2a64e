"""The choice lists of the project forms: who and what can be picked, queried here so that the
views stay free of business SELECTs and the coming API offers the same choices."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.courses.models import Course, CourseSession, session_member_restrictions
from lms.projects.models import Activity, LogframeElement, Project

# How many course sessions the "link a session" picker lists before asking for a search.
SESSION_CHOICES_LIMIT = 300


def active_members(session: Session) -> list[MemberAdministration]:
    """Administrations a project can name as beneficiaries."""
    return list(
        session.scalars(
            sa.select(MemberAdministration)
            .where(MemberAdministration.is_active.is_(True))
            .order_by(MemberAdministration.name)
        )
    )


def active_project_managers(session: Session) -> list[User]:
    """People who may be named managers: ``create_project`` refuses anyone else."""
    return list(
        session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(UserRole.role == Role.PROJECT_MANAGER, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )


def active_users(session: Session) -> list[User]:
    """People who may be named focal points (anyone with an active account)."""
    return list(
        session.scalars(sa.select(User).where(User.is_active.is_(True)).order_by(User.full_name))
    )


def project_activities(session: Session, project: Project) -> list[Activity]:
    """The project's activities, in the order they were added."""
    return list(
        session.scalars(
            sa.select(Activity)
            .join(LogframeElement, LogframeElement.id == Activity.output_id)
            .where(LogframeElement.project_id == project.id)
            .order_by(Activity.id)
        )
    )


@dataclass
class SessionChoices:
    """Sessions offered for linking; ``truncated`` says more matched than are listed, so the
    page asks the user to refine the search instead of hiding the rest silently."""

    sessions: list[CourseSession]
    truncated: bool
    query: str = ""
    limit: int = SESSION_CHOICES_LIMIT


def _linkable(project: Project) -> sa.Select:
    # A session counts for a project only if it runs (at least partly) during the project.
    return (
        sa.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            CourseSession.ends_on >= project.start_date, CourseSession.starts_on <= project.end_date
        )
    )


def _reserved_for_beneficiaries(project: Project) -> sa.ColumnElement[bool]:
    """The SQL twin of ``training.serves_beneficiaries``: restricted to administrations, all of
    them beneficiaries of the project."""
    restriction = session_member_restrictions.c
    beneficiaries = [m.id for m in project.beneficiaries]
    return sa.and_(
        sa.exists().where(restriction.session_id == CourseSession.id),
        ~sa.exists().where(
            restriction.session_id == CourseSession.id,
            restriction.member_administration_id.not_in(beneficiaries),
        ),
    )


def linkable_sessions(
    session: Session, project: Project, *, query: str = "", limit: int | None = None
) -> SessionChoices:
    """Course sessions that ran during the project and are reserved for its beneficiaries,
    latest first, matching ``query`` (course code, course title or venue) when given; at most
    ``limit`` (``SESSION_CHOICES_LIMIT``)."""
    limit = limit or SESSION_CHOICES_LIMIT
    query = (query or "").strip()
    stmt = _linkable(project).where(_reserved_for_beneficiaries(project))
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Course.code).like(pattern),
                sa.func.lower(Course.title).like(pattern),
                sa.func.lower(CourseSession.venue).like(pattern),
            )
        )
    rows = list(
        session.scalars(
            stmt.order_by(CourseSession.starts_on.desc(), CourseSession.id.desc()).limit(limit + 1)
        )
    )
    return SessionChoices(rows[:limit], len(rows) > limit, query, limit)


def linkable_session(
    session: Session, project: Project, session_id: int | None
) -> CourseSession | None:
    """The chosen session if it ran during the project (``training.link_session`` then checks
    that it is reserved for the project's beneficiaries, and says so when it is not)."""
    if not session_id:
        return None
    return session.scalar(_linkable(project).where(CourseSession.id == session_id))
