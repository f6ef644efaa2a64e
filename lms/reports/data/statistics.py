"""The directorate's counts for a period: trainees enrolled, completed and certified per
region, member administration and track; the spread of current competency levels; the
sessions delivered; the project portfolio. Each function reads what it counts once."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Region, User
from lms.core.i18n import localised
from lms.courses.models import Course, CourseSession, SessionEnrolment
from lms.frameworks.models import ScaleLevel, Track
from lms.progress import services as progress
from lms.progress.models import Certificate, CertificateStatus, TrackEnrolment
from lms.projects import services as projects
from lms.projects.models import Project, ProjectStatus, Rag
from lms.reports.data.aggregates import TOOK_PART, current_ratings, delivered
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
    per group; the totals count each trainee once overall. Every count is the database's
    ``count(distinct user)``, one statement per grouping."""
    low, high = _bounds(start, end)
    rows = sa.union_all(
        sa.select(
            sa.literal(ENROLLED, sa.Integer).label("kind"),
            TrackEnrolment.user_id,
            TrackEnrolment.track_id,
        ).where(TrackEnrolment.enrolled_at >= low, TrackEnrolment.enrolled_at < high),
        sa.select(
            sa.literal(COMPLETED, sa.Integer).label("kind"),
            TrackEnrolment.user_id,
            TrackEnrolment.track_id,
        ).where(TrackEnrolment.completed_at >= low, TrackEnrolment.completed_at < high),
        sa.select(
            sa.literal(CERTIFIED, sa.Integer).label("kind"),
            Certificate.user_id,
            Certificate.track_id,
        ).where(
            Certificate.issued_on >= start,
            Certificate.issued_on <= end,
            Certificate.status != CertificateStatus.REVOKED,
        ),
    ).cte("figure_rows")
    people = sa.func.count(sa.distinct(rows.c.user_id))

    def figures(group: Any, *joins: tuple[Any, Any]) -> dict[Any, Figures]:
        stmt = sa.select(group, rows.c.kind, people).select_from(rows)
        for target, on in joins:
            stmt = stmt.join(target, on)
        found: dict[Any, Figures] = defaultdict(Figures)
        for key, kind, count in session.execute(stmt.group_by(group, rows.c.kind)):
            if key is not None:
                setattr(found[key], FIGURE_NAMES[kind], count)
        return found

    on_user = (User, User.id == rows.c.user_id)
    on_member = (MemberAdministration, MemberAdministration.id == User.member_administration_id)
    total = figures(sa.literal("all", sa.String).label("everyone"))
    by_region = figures(MemberAdministration.region, on_user, on_member)
    by_member = figures(User.member_administration_id, on_user)
    by_track = figures(rows.c.track_id)
    members = _members(session)
    tracks = {
        tid: {"name": name, "name_fr": name_fr}
        for tid, name, name_fr in session.execute(sa.select(Track.id, Track.name, Track.name_fr))
    }
    return TraineeFigures(
        total=total.get("all", Figures()),
        by_region=[(region.label, by_region.get(region, Figures())) for region in Region],
        by_member=sorted(
            (
                (members[mid][0], members[mid][1].label, f)
                for mid, f in by_member.items()
                if mid in members
            ),
            key=lambda item: item[0],
        ),
        by_track=sorted(
            ((localised(tracks[tid], "name"), f) for tid, f in by_track.items()),
            key=lambda item: item[0],
        ),
    )


ENROLLED, COMPLETED, CERTIFIED = 0, 1, 2
FIGURE_NAMES = {ENROLLED: "enrolled", COMPLETED: "completed", CERTIFIED: "certified"}


def _members(session: Session) -> dict[int, tuple[str, Region]]:
    """Every member administration's name and region, by id."""
    return {
        mid: (name, region)
        for mid, name, region in session.execute(
            sa.select(
                MemberAdministration.id, MemberAdministration.name, MemberAdministration.region
            )
        )
    }


def level_distribution(session: Session, end: date) -> list[tuple[str, int]]:
    """How many current ratings sit at each level, as at the end of the period. "Current" is
    progress's rule (the latest rating per trainee and competency), read as of that moment
    (``aggregates.current_ratings``) and counted by the database; levels named in the reader's
    language."""
    current = current_ratings(end)
    per_level = (
        sa.select(current.c.level_id, sa.func.count().label("ratings"))
        .group_by(current.c.level_id)
        .subquery("per_level")
    )
    counts: Counter[tuple[int, str]] = Counter()
    for position, name, name_fr, n in session.execute(
        sa.select(
            ScaleLevel.position, ScaleLevel.name, ScaleLevel.name_fr, per_level.c.ratings
        ).join(per_level, per_level.c.level_id == ScaleLevel.id)
    ):
        label = localised({"name": name, "name_fr": name_fr}, "name")
        counts[(position, label)] += n  # levels of two scales may share a place and name
    return [(name, n) for (_pos, name), n in sorted(counts.items())]


SESSION_COLUMNS = 9  # course, title, start, end, venue, participants, passed, hours, days
PARTICIPANTS, PASSED, HOURS, DAYS = 5, 6, 7, 8  # positions in a sessions row


def sessions_delivered(session: Session, start: date, end: date, today: date) -> list[list[Any]]:
    """Sessions delivered (``aggregates.delivered``), oldest first, with their turnout
    (places taken: attended or completed; passed: enrolments that passed), the course's hours
    and the session's calendar days. The turnout is counted by the database."""
    took_part = sa.case((SessionEnrolment.status.in_(TOOK_PART), 1), else_=0)
    passed = sa.case((SessionEnrolment.passed.is_(True), 1), else_=0)
    turnout = (
        sa.select(
            SessionEnrolment.session_id,
            sa.func.sum(took_part).label("participants"),
            sa.func.sum(passed).label("passed"),
        )
        .group_by(SessionEnrolment.session_id)
        .subquery("turnout")
    )
    rows = session.execute(
        sa.select(
            Course.code,
            Course.title,
            Course.title_fr,
            CourseSession.starts_on,
            CourseSession.ends_on,
            CourseSession.venue,
            CourseSession.venue_fr,
            CourseSession.virtual_link,
            sa.func.coalesce(turnout.c.participants, 0),
            sa.func.coalesce(turnout.c.passed, 0),
            Course.hours,
        )
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(turnout, turnout.c.session_id == CourseSession.id)
        .where(*delivered(start, end, today))
        .order_by(CourseSession.starts_on, CourseSession.id)
    )
    return [
        [
            code,
            localised({"title": title, "title_fr": title_fr}, "title"),
            _d(starts_on),
            _d(ends_on),
            localised({"venue": venue, "venue_fr": venue_fr}, "venue") or link,
            int(participants),
            int(passes),
            hours,
            (ends_on - starts_on).days + 1,
        ]
        for (
            code,
            title,
            title_fr,
            starts_on,
            ends_on,
            venue,
            venue_fr,
            link,
            participants,
            passes,
            hours,
        ) in rows
    ]


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
    """Every project's row as the portfolio page shows it, and how many per status: the
    stored summaries (``projects.portfolio_rows``), so a report reads one row per project
    instead of every milestone, target and actual of the portfolio."""
    items = session.scalars(
        sa.select(Project).options(selectinload(Project.rag_overrides)).order_by(Project.code)
    ).all()
    rows: list[list[Any]] = []
    statuses: Counter[ProjectStatus] = Counter()
    for row in projects.portfolio_rows(session, items, today):
        project = row.project
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
    active = session.scalars(
        sa.select(Project)
        .options(selectinload(Project.rag_overrides))
        .where(Project.status == ProjectStatus.ACTIVE)
    ).all()
    rag: Counter[Any] = Counter(
        summary.assessment.rating
        for summary in projects.project_summaries(session, active, today).values()
    )
    return Headline(
        start=start,
        today=today,
        year_to_date=trainee_figures(session, start, today).total,
        sessions_delivered=len(delivered),
        participants=sum(row[5] for row in delivered),
        certificates=progress.certificate_counts(session, on=today),
        rag=[(rating, rag[rating]) for rating in (Rag.RED, Rag.AMBER, Rag.GREEN)],
    )
