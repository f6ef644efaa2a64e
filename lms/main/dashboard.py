"""The home page: one section per role the user holds, each listing what needs attention.

Every figure comes from the read model of the feature it belongs to (progress's trainee
record and certificate status, courses' sessions, projects' milestones and RAG, the reports'
statistics, the outbox and the scheduler); this module only picks them per role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import Role, User
from lms.admin.services import outbox_counts, outbox_query
from lms.core.models import OutboxStatus
from lms.courses import services as courses
from lms.progress import services as progress
from lms.progress.models import TrackEnrolmentStatus
from lms.projects.services import attention
from lms.reports.data.statistics import headline
from lms.scheduler.services import recent_failures

LIST_LIMIT = 6  # items shown per list; the section links to the full page


@dataclass
class Section:
    role: Role
    data: dict[str, Any]


def trainee_section(session: Session, user: User, today: date) -> dict[str, Any]:
    """The track figures come from the stored progress summaries (one row per track)."""
    record = progress.trainee_record(session, user, on=today, with_progress=False)
    active = [
        s
        for s in progress.track_progress_summaries(session, [user.id]).values()
        if s.enrolment_status == TrackEnrolmentStatus.ACTIVE
    ]
    gaps = progress.gap_lines(session, active)
    return {
        "next": record.upcoming[0] if record.upcoming else None,
        "upcoming": record.upcoming[1:LIST_LIMIT],
        "tracks": [(s, gaps[s.id]) for s in active],
        "gap_count": sum(s.gap_count for s in active),
        "certificates": record.certificates,
    }


def trainer_section(session: Session, user: User, today: date) -> dict[str, Any]:
    requests, claims, waiting = progress.assessment_queue(session, LIST_LIMIT)
    monday, sunday = courses.week_of(today)
    return {
        "monday": monday,
        "sunday": sunday,
        "week": courses.sessions_this_week(session, user, today),
        "awaiting": courses.sessions_awaiting_results(session, user, today)[:LIST_LIMIT],
        "requests": requests,
        "claims": claims,
        "pending": waiting,
    }


def manager_section(session: Session, user: User, today: date) -> dict[str, Any]:
    projects = attention.managed_active_projects(session, user)
    late = attention.late_milestones_of(projects, today)
    due = attention.indicators_due(projects, today)
    return {"projects": projects, "late": late, "due": due, "limit": LIST_LIMIT}


def directorate_section(session: Session, user: User, today: date) -> dict[str, Any]:
    return {"headline": headline(session, today)}


def admin_section(session: Session, user: User, now: datetime) -> dict[str, Any]:
    counts = outbox_counts(session)
    dead = session.scalars(outbox_query(OutboxStatus.DEAD.value).limit(LIST_LIMIT)).all()
    return {
        "pending": counts.get(OutboxStatus.PENDING, 0),
        "dead": counts.get(OutboxStatus.DEAD, 0),
        "dead_messages": dead,
        "failures": recent_failures(session, now),
    }


BUILDERS = (
    (Role.TRAINEE, trainee_section),
    (Role.TRAINER, trainer_section),
    (Role.PROJECT_MANAGER, manager_section),
    (Role.DIRECTORATE, directorate_section),
)


def sections_for(session: Session, user: User, today: date, now: datetime) -> list[Section]:
    """A section for each role ``user`` holds, in this order."""
    sections = [
        Section(role, build(session, user, today)) for role, build in BUILDERS if role in user.roles
    ]
    if Role.ADMIN in user.roles:
        sections.append(Section(Role.ADMIN, admin_section(session, user, now)))
    return sections
