"""Results of the period for the directorate: the participants and passes of the sessions
delivered, by region, member administration, track and sex; and each track's targets against
actuals (how many of its trainees reached every target level by the end of the period)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import Region, Sex, User
from lms.core.i18n import localised
from lms.courses.models import CourseSession, SessionEnrolment, TrackCourse
from lms.frameworks.models import ScaleLevel, Track, TrackTarget
from lms.progress.models import TrackEnrolment, TrackEnrolmentStatus
from lms.reports.data.aggregates import TOOK_PART, current_ratings, delivered
from lms.reports.data.shared import _bounds
from lms.reports.data.statistics import _members


@dataclass
class Results:
    """Places taken in the sessions delivered (a trainee in two sessions counts twice) and
    how many of them passed."""

    participants: int = 0
    passed: int = 0

    @property
    def pass_rate(self) -> int | None:
        """Passed as a whole percentage of participants; None without participants."""
        if not self.participants:
            return None
        return round(100 * self.passed / self.participants)

    def as_row(self) -> list[object]:
        rate = self.pass_rate
        return [self.participants, self.passed, "—" if rate is None else f"{rate} %"]


@dataclass
class SessionResults:
    total: Results
    by_region: list[tuple[str, Results]]  # every region, in the enum's order
    by_member: list[tuple[str, str, Results]]  # administrations with participants, by name
    by_track: list[tuple[str, Results]]  # tracks whose path holds a delivered course
    # every sex, in the enum's order, then the trainees whose sex is not recorded (None)
    by_sex: list[tuple[Sex | None, Results]]


def session_results(session: Session, start: date, end: date, today: date) -> SessionResults:
    """The sessions table's participants and passes, grouped by the trainee's region and
    member administration, by the tracks whose path holds the session's course (a course on
    two tracks counts for each) and by the trainee's sex (or its not being recorded). The
    database counts the places of each group (three statements, whatever the period)."""
    places = (
        sa.select(
            SessionEnrolment.user_id,
            CourseSession.course_id,
            sa.case((SessionEnrolment.passed.is_(True), 1), else_=0).label("passed"),
        )
        .join(CourseSession, CourseSession.id == SessionEnrolment.session_id)
        .where(*delivered(start, end, today), SessionEnrolment.status.in_(TOOK_PART))
        .cte("places")
    )
    counts = (sa.func.count(), sa.func.sum(places.c.passed))

    def grouped(group: Any, target: Any, on: Any) -> list[tuple[Any, Results]]:
        stmt = sa.select(group, *counts).select_from(places).join(target, on).group_by(group)
        return [(key, Results(n, int(p or 0))) for key, n, p in session.execute(stmt)]

    on_user = User.id == places.c.user_id
    by_sex = dict(grouped(User.sex, User, on_user))
    by_member = [
        (mid, r)
        for mid, r in grouped(User.member_administration_id, User, on_user)
        if mid is not None
    ]
    track_names = (
        sa.select(TrackCourse.course_id, Track.name)
        .join(Track, Track.id == TrackCourse.track_id)
        .distinct()
        .subquery("track_names")
    )
    by_track = grouped(
        track_names.c.name, track_names, track_names.c.course_id == places.c.course_id
    )
    members = _members(session)
    total = Results()
    regions: dict[Region, Results] = defaultdict(Results)
    for figures in by_sex.values():
        total.participants += figures.participants
        total.passed += figures.passed
    for mid, figures in by_member:
        region = regions[members[mid][1]]
        region.participants += figures.participants
        region.passed += figures.passed
    return SessionResults(
        total=total,
        by_region=[(region.label, regions.get(region, Results())) for region in Region],
        by_member=sorted(
            ((members[mid][0], members[mid][1].label, r) for mid, r in by_member),
            key=lambda item: item[0],
        ),
        by_track=sorted(
            ((_track_name(session, name), r) for name, r in by_track), key=lambda item: item[0]
        ),
        by_sex=[(sex, by_sex.get(sex, Results())) for sex in [*Sex, None]],
    )


def _track_name(session: Session, name: str) -> str:
    """A track's name (grouped by its English name) in the reader's language."""
    track = session.scalar(sa.select(Track).where(Track.name == name).limit(1))
    return localised(track, "name") if track is not None else name


@dataclass
class TrackTargets:
    """One track's targets against actuals: its trainees at the end of the period and how
    many of them had reached every target level by then."""

    track: str
    targets: int  # competencies with a target level
    enrolled: int
    reached: int | None  # None when the track has no targets

    @property
    def share(self) -> int | None:
        if self.reached is None or not self.enrolled:
            return None
        return round(100 * self.reached / self.enrolled)

    def as_row(self) -> list[object]:
        share = self.share
        return [
            self.track,
            self.targets,
            self.enrolled,
            "—" if self.reached is None else self.reached,
            "—" if share is None else f"{share} %",
        ]


def track_targets(session: Session, end: date) -> list[TrackTargets]:
    """Every active track. Enrolled: joined by the end of the period and not withdrawn.
    Reached: of those, the trainees whose current rating (progress's rule, as at the end of
    the period: ``aggregates.current_ratings``) is at or above the target level of every
    competency the track targets. Both counted by the database."""
    _low, high = _bounds(end, end)
    tracks = session.scalars(
        sa.select(Track)
        .options(selectinload(Track.targets))
        .where(Track.is_active.is_(True))
        .order_by(Track.name)
    ).all()
    enrolled = (
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id)
        .where(
            TrackEnrolment.enrolled_at < high,
            TrackEnrolment.status != TrackEnrolmentStatus.WITHDRAWN,
        )
        .distinct()
        .cte("enrolled")
    )
    people = dict(
        session.execute(
            sa.select(enrolled.c.track_id, sa.func.count()).group_by(enrolled.c.track_id)
        ).all()
    )
    current = current_ratings(end)
    rated = (  # each trainee's current level per competency, as its place on the scale
        sa.select(current.c.user_id, current.c.competency_id, ScaleLevel.position)
        .join(ScaleLevel, ScaleLevel.id == current.c.level_id)
        .subquery("rated")
    )
    needed = (  # each track's target competencies and the place of the level they need
        sa.select(TrackTarget.track_id, TrackTarget.competency_id, ScaleLevel.position)
        .join(ScaleLevel, ScaleLevel.id == TrackTarget.level_id)
        .subquery("needed")
    )
    met = (  # per trainee and track: how many of its targets the trainee's ratings meet
        sa.select(enrolled.c.track_id, sa.func.count().label("met"))
        .select_from(enrolled)
        .join(needed, needed.c.track_id == enrolled.c.track_id)
        .join(
            rated,
            sa.and_(
                rated.c.user_id == enrolled.c.user_id,
                rated.c.competency_id == needed.c.competency_id,
            ),
        )
        .where(rated.c.position >= needed.c.position)
        .group_by(enrolled.c.track_id, enrolled.c.user_id)
        .subquery("met")
    )
    targets = (
        sa.select(TrackTarget.track_id, sa.func.count().label("targets"))
        .group_by(TrackTarget.track_id)
        .subquery("targets")
    )
    reached = dict(
        session.execute(
            sa.select(met.c.track_id, sa.func.count())
            .join(targets, targets.c.track_id == met.c.track_id)
            .where(met.c.met == targets.c.targets)
            .group_by(met.c.track_id)
        ).all()
    )
    return [
        TrackTargets(
            localised(track, "name"),
            len(track.targets),
            people.get(track.id, 0),
            reached.get(track.id, 0) if track.targets else None,
        )
        for track in tracks
    ]
