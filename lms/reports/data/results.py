"""Results of the period for the directorate: the participants and passes of the sessions
delivered, by region, member administration, track and sex; and each track's targets against
actuals (how many of its trainees reached every target level by the end of the period)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Region, Sex, User
from lms.courses.models import TrackCourse
from lms.frameworks.models import Track
from lms.progress import services as progress
from lms.progress.models import TrackEnrolment, TrackEnrolmentStatus
from lms.reports.data.shared import _bounds
from lms.reports.data.statistics import TOOK_PART, delivered_sessions


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
    two tracks counts for each) and by the trainee's sex (or its not being recorded)."""
    places: list[tuple[int, int, bool]] = []  # (user id, course id, passed)
    for item in delivered_sessions(session, start, end, today):
        for e in item.enrolments:
            if e.status in TOOK_PART:
                places.append((e.user_id, item.course_id, bool(e.passed)))
    user_ids = {user_id for user_id, _c, _p in places}
    member_of: dict[int, int | None] = {}
    sex_of: dict[int, Sex | None] = {}
    if user_ids:
        for user_id, member_id, sex in session.execute(
            sa.select(User.id, User.member_administration_id, User.sex).where(User.id.in_(user_ids))
        ):
            member_of[user_id], sex_of[user_id] = member_id, sex
    members = {m.id: m for m in session.scalars(sa.select(MemberAdministration))}
    course_ids = {course_id for _u, course_id, _p in places}
    tracks_of: dict[int, set[str]] = defaultdict(set)
    if course_ids:
        for course_id, name in session.execute(
            sa.select(TrackCourse.course_id, Track.name)
            .join(Track, Track.id == TrackCourse.track_id)
            .where(TrackCourse.course_id.in_(course_ids))
        ):
            tracks_of[course_id].add(name)

    total = Results()
    regions: dict[Region, Results] = defaultdict(Results)
    by_member: dict[int, Results] = defaultdict(Results)
    by_track: dict[str, Results] = defaultdict(Results)
    by_sex: dict[Sex | None, Results] = defaultdict(Results)
    for user_id, course_id, passed in places:
        member = members.get(member_of.get(user_id))
        groups = [total, by_sex[sex_of.get(user_id)], *[by_track[n] for n in tracks_of[course_id]]]
        if member is not None:
            groups += [regions[member.region], by_member[member.id]]
        for group in groups:
            group.participants += 1
            group.passed += passed
    return SessionResults(
        total=total,
        by_region=[(region.label, regions.get(region, Results())) for region in Region],
        by_member=sorted(
            ((members[mid].name, members[mid].region.label, r) for mid, r in by_member.items()),
            key=lambda item: item[0],
        ),
        by_track=sorted(by_track.items()),
        by_sex=[(sex, by_sex.get(sex, Results())) for sex in [*Sex, None]],
    )


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
    the period) is at or above the target level of every competency the track targets."""
    _low, high = _bounds(end, end)
    tracks = session.scalars(
        sa.select(Track)
        .options(selectinload(Track.targets))
        .where(Track.is_active.is_(True))
        .order_by(Track.name)
    ).all()
    enrolled: dict[int, set[int]] = defaultdict(set)
    for user_id, track_id in session.execute(
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
            TrackEnrolment.enrolled_at < high,
            TrackEnrolment.status != TrackEnrolmentStatus.WITHDRAWN,
        )
    ):
        enrolled[track_id].add(user_id)
    user_ids = set().union(*enrolled.values()) if enrolled else set()
    competency_ids = {t.competency_id for track in tracks for t in track.targets}
    current = (
        progress.ratings_as_of(session, user_ids=user_ids, competency_ids=competency_ids, on=end)
        if user_ids and competency_ids
        else {}
    )

    def reached_all(user_id: int, track: Track) -> bool:
        for target in track.targets:
            rating = current.get((user_id, target.competency_id))
            if rating is None or rating.level.position < target.level.position:
                return False
        return True

    rows = []
    for track in tracks:
        people = enrolled.get(track.id, set())
        reached = sum(reached_all(u, track) for u in people) if track.targets else None
        rows.append(TrackTargets(track.name, len(track.targets), len(people), reached))
    return rows
