"""What the reports pages offer to choose from: projects with a report, trainees whose report
the user may ask for, a schedule's subjects and recipients, the certificate bundle's tracks
and sessions. Read here so the views never build a query of their own.

A list that could grow without bound is capped and says so (``Capped.more``), so the page can
tell the user to refine rather than silently leave rows out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.courses.models import CourseSession
from lms.frameworks.models import Track
from lms.progress import services as progress
from lms.projects.models import Project
from lms.projects.services import visible_projects_clause

PROJECT_LINKS_LIMIT = 200
BUNDLE_SESSIONS_LIMIT = 500


@dataclass
class Capped:
    """The first ``limit`` rows of a list; ``more`` when there were others."""

    items: list[Any] = field(default_factory=list)
    limit: int = 0
    more: bool = False


def _capped(session: Session, stmt: sa.Select, limit: int) -> Capped:
    rows = list(session.scalars(stmt.limit(limit + 1)))
    return Capped(rows[:limit], limit, len(rows) > limit)


def report_projects(session: Session, user: User) -> Capped:
    """Projects the user may see, by code: each has a project report."""
    stmt = sa.select(Project).where(visible_projects_clause(user)).order_by(Project.code)
    return _capped(session, stmt, PROJECT_LINKS_LIMIT)


def trainee_search(q: str = "") -> sa.Select:
    """Trainees matching ``q`` (name or email, any case), for a paged list: progress's one
    trainee search."""
    return progress.trainees_query(q=q)


@dataclass
class ScheduleChoices:
    projects: list[Project]
    trainees: list[User]
    recipients: list[User]
    members: list[MemberAdministration]


def schedule_choices(session: Session) -> ScheduleChoices:
    """What a schedule may be about (every project, every trainee) and who may receive it
    (active users, or a role within a member administration)."""
    return ScheduleChoices(
        projects=list(session.scalars(sa.select(Project).order_by(Project.code))),
        trainees=list(
            session.scalars(
                sa.select(User)
                .join(UserRole)
                .where(UserRole.role == Role.TRAINEE)
                .order_by(User.full_name)
            )
        ),
        recipients=list(
            session.scalars(
                sa.select(User).where(User.is_active.is_(True)).order_by(User.full_name)
            )
        ),
        members=list(
            session.scalars(sa.select(MemberAdministration).order_by(MemberAdministration.name))
        ),
    )


@dataclass
class BundleChoices:
    tracks: list[Track]
    sessions: Capped


def bundle_choices(session: Session) -> BundleChoices:
    """Tracks, and the latest sessions first (older ones are reached by track or dates)."""
    return BundleChoices(
        tracks=list(session.scalars(sa.select(Track).order_by(Track.code))),
        sessions=_capped(
            session,
            sa.select(CourseSession).order_by(CourseSession.starts_on.desc()),
            BUNDLE_SESSIONS_LIMIT,
        ),
    )
