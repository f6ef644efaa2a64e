"""The directorate's counts for a period: trainees enrolled, completed and certified per
region, member administration and track; the spread of current competency levels; the
sessions delivered; the project portfolio. Each function reads what it counts once."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Region, User
from lms.core.i18n import localised
from lms.courses.models import CourseSession, EnrolmentStatus, SessionStatus
from lms.frameworks.models import Track
from lms.progress import services as progress
from lms.progress.models import Certificate, CertificateStatus, TrackEnrolment
from lms.projects import services as projects
from lms.projects.models import Indicator, Project, ProjectStatus, Rag
from lms.reports.data.shared import _bounds, _d


@dataclass
class Figures:
    """Distinct trainees enrolled on a track, who completed one and who were certified."""

    enrolled: int = 0
    completed: int = 0
    certified: int = 0

    def as_row(self) -> list[int]:
        return [self.enrolled, self.completed, self.certified]


@dataclass
class TraineeFigures:
    total: Figures
    by_region: list[tuple[str, Figures]]
    by_member: list[tuple[str, str, Figures]]
    by_track: list[tuple[str, Figures]]


def trainee_figures(session: Session, start: date, end: date) -> TraineeFigures:
    """Enrolled: joined a track in the period; completed: completed a track in the period;
    certified: received a (non-revoked) certificate in the period. Each trainee counts once
    per group; the totals count each trainee once overall."""
    low, high = _bounds(start, end)
    enrolled = session.execute(
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
            TrackEnrolment.enrolled_at >= low, TrackEnrolment.enrolled_at < high
        )
    ).all()
    completed = session.execute(
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
            TrackEnrolment.completed_at >= low, TrackEnrolment.completed_at < high
        )
    ).all()
    certified = session.execute(
        sa.select(Certificate.user_id, Certificate.track_id).where(
            Certificate.issued_on >= start,
            Certificate.issued_on <= end,
            Certificate.status != CertificateStatus.REVOKED,
        )
    ).all()
    user_ids = {r.user_id for r in (*enrolled, *completed, *certified)}
    member_of = (
        dict(
            session.execute(
                sa.select(User.id, User.member_administration_id).where(User.id.in_(user_ids))
            ).all()
        )
        if user_ids
        else {}
    )
    members = {m.id: m for m in session.scalars(sa.select(MemberAdministration))}
    tracks = {t.id: t for t in session.scalars(sa.select(Track))}

    def figures(key: Callable[[Any], Any]) -> dict[Any, Figures]:
        groups: dict[Any, list[set[int]]] = defaultdict(lambda: [set(), set(), set()])
        for index, rows in enumerate((enrolled, completed, certified)):
            for row in rows:
                group = key(row)
                if group is not None:
                    groups[group][index].add(row.user_id)
        return {g: Figures(len(a), len(b), len(c)) for g, (a, b, c) in groups.items()}

    def region_of(row: Any) -> Region | None:
        member = members.get(member_of.get(row.user_id))
        return member.region if member else None

    by_region_raw = figures(region_of)
    by_member_raw = figures(lambda row: member_of.get(row.user_id))
    by_track_raw = figures(lambda row: row.track_id)
    return TraineeFigures(
        total=figures(lambda row: "all").get("all", Figures()),
        by_region=[(region.label, by_region_raw.get(region, Figures())) for region in Region],
        by_member=sorted(
            (
                (members[mid].name, members[mid].region.label, f)
                for mid, f in by_member_raw.items()
                if mid in members
            ),
            key=lambda item: item[0],
        ),
        by_track=sorted(
            ((localised(tracks[tid], "name"), f) for tid, f in by_track_raw.items()),
            key=lambda item: item[0],
        ),
    )


def level_distribution(session: Session, end: date) -> list[tuple[str, int]]:
    """How many current ratings sit at each level, as at the end of the period. "Current" is
    progress's rule (the latest rating per trainee and competency), read as of that moment."""
    current = progress.ratings_as_of(session, on=end)
    counts = Counter((r.level.position, localised(r.level, "name")) for r in current.values())
    return [(name, n) for (_pos, name), n in sorted(counts.items())]


SESSION_COLUMNS = 9  # course, title, start, end, venue, participants, passed, hours, days
PARTICIPANTS, PASSED, HOURS, DAYS = 5, 6, 7, 8  # positions in a sessions row


def sessions_delivered(session: Session, start: date, end: date, today: date) -> list[list[Any]]:
    """Sessions (not cancelled) that ended in the period and by today, with their turnout,
    the course's hours and the session's calendar days."""
    return [
        [
            s.course.code,
            localised(s.course, "title"),
            _d(s.starts_on),
            _d(s.ends_on),
            s.venue or s.virtual_link,
            sum(e.status in TOOK_PART for e in s.enrolments),
            sum(bool(e.passed) for e in s.enrolments),
            s.course.hours,
            (s.ends_on - s.starts_on).days + 1,
        ]
        for s in delivered_sessions(session, start, end, today)
    ]


TOOK_PART = (EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED)  # a participant's place


def delivered_sessions(
    session: Session, start: date, end: date, today: date
) -> list[CourseSession]:
    """The one selection of "sessions delivered": not cancelled, ended in the period and by
    today, with their enrolments loaded. The sessions table and the results tables read it."""
    return session.scalars(
        sa.select(CourseSession)
        .options(selectinload(CourseSession.enrolments))
        .where(
            CourseSession.ends_on >= start,
            CourseSession.ends_on <= end,
            CourseSession.ends_on <= today,
            CourseSession.status != SessionStatus.CANCELLED,
        )
        .order_by(CourseSession.starts_on, CourseSession.id)
    ).all()


@dataclass(frozen=True)
class Delivery:
    """Totals of the sessions table, computed from its own rows (so they always agree)."""

    sessions: int
    participants: int
    passed: int
    training_hours: Decimal
    participant_days: int

    @classmethod
    def of(cls, rows: list[list[Any]]) -> Delivery:
        return cls(
            sessions=len(rows),
            participants=sum(r[PARTICIPANTS] for r in rows),
            passed=sum(r[PASSED] for r in rows),
            training_hours=sum((Decimal(r[HOURS]) for r in rows), Decimal(0)),
            participant_days=sum(r[PARTICIPANTS] * r[DAYS] for r in rows),
        )


def portfolio(session: Session, today: date) -> tuple[list[list[Any]], list[tuple[str, int]]]:
    """Every project's row as the portfolio page computes it, and how many per status."""
    rows: list[list[Any]] = []
    statuses: Counter[ProjectStatus] = Counter()
    for project in session.scalars(
        sa.select(Project)
        .options(
            selectinload(Project.milestones),
            selectinload(Project.rag_overrides),
            selectinload(Project.indicators).selectinload(Indicator.targets),
            selectinload(Project.indicators).selectinload(Indicator.actuals),
        )
        .order_by(Project.code)
    ):
        row = projects.portfolio_row(project, today)
        statuses[project.status] += 1
        rating = row.assessment.rating
        rows.append(
            [
                project.code,
                project.title,
                project.status.label,
                rating.label if rating else _("Not rated"),
                row.late_count,
                row.elapsed_pct,
                "" if row.done_pct is None else row.done_pct,
            ]
        )
    return rows, [(s.label, statuses[s]) for s in ProjectStatus if statuses[s]]


@dataclass
class Headline:
    """The directorate's figures at a glance: the year to date, certificates today, the
    portfolio's RAG ratings."""

    start: date
    today: date
    year_to_date: Figures
    sessions_delivered: int
    participants: int
    certificates: dict[Any, int]  # progress's CertificateState → count, today
    rag: list[tuple[Rag, int]]  # active projects by rating, red first


def headline(session: Session, today: date) -> Headline:
    """The same counts as the statistics page, for 1 January to today."""
    start = date(today.year, 1, 1)
    delivered = sessions_delivered(session, start, today, today)
    rag: Counter[Any] = Counter()
    for project in session.scalars(
        projects.rag_ready_projects_query().where(Project.status == ProjectStatus.ACTIVE)
    ):
        rag[projects.compute_rag(project, today).rating] += 1
    return Headline(
        start=start,
        today=today,
        year_to_date=trainee_figures(session, start, today).total,
        sessions_delivered=len(delivered),
        participants=sum(row[5] for row in delivered),
        certificates=progress.certificate_counts(session, on=today),
        rag=[(rating, rag[rating]) for rating in (Rag.RED, Rag.AMBER, Rag.GREEN)],
    )
