"""Three years of programme history for the demo's generated trainees (``LMS_DEMO_TRAINEES``).

Every quarter since three years before the day the demo is loaded, the trainees on a track
take its next course: a session is planned, they enrol two weeks before it starts, attendance
is taken on its first day and results are recorded two days after it ends. Each step runs
through the services inside ``clock.travel`` to the day it happened, so enrolments, ratings,
completions and certificates carry the dates they were made on, and no result is recorded
before its session has ended. Some trainees fail and retake, miss a session, or withdraw;
Data specialists who finish early go on to the Experts track; Leaders' certificates are valid
two years, so the first cohorts' have lapsed.

The history is drawn with a fixed seed: the same day and size always build the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import generated_trainee_emails, history_start
from lms.accounts.models import User
from lms.core import clock
from lms.courses import services as courses
from lms.courses.models import (
    Course,
    CourseSession,
    DeliveryMode,
    EnrolmentStatus,
    SessionStatus,
    TrackCourse,
)
from lms.progress import services
from lms.progress.models import RatingSource, TrackEnrolmentStatus

QUARTERS = 12  # three years
QUARTER_DAYS = 91
CAPACITY = 24
REFRESHER = "DS-RC"  # the Data specialists' recertification course
VENUES = ("Brussels", "Nairobi", "Dakar", "Amman", "Santiago", "Kuala Lumpur", "Tbilisi")
# Share of trainees who start on each track (the rest of the Data specialists may go on to
# the Experts track once they complete).
LEADERS_SHARE = 0.3  # in tenths, so it applies exactly
EXPERTS_SHARE = 0.6  # of Data specialists who complete in time


@dataclass
class Learner:
    user: User
    track: str
    joins: int  # quarter
    done: list[str] = field(default_factory=list)
    withdrawn: bool = False
    finished_on: date | None = None
    certified: list[str] = field(default_factory=list)  # tracks completed


@dataclass
class History:
    sessions: int = 0
    results: int = 0
    trainees: int = 0


def _track_courses(session: Session, tracks: dict) -> dict[str, list]:
    """Each track's required courses, in their order on the track."""
    found: dict[str, list] = {}
    for code, track in tracks.items():
        links = session.scalars(
            sa.select(TrackCourse)
            .where(
                TrackCourse.track_id == track.id,
                TrackCourse.is_required.is_(True),
                TrackCourse.for_recertification.is_(False),
            )
            .order_by(TrackCourse.position, TrackCourse.id)
        ).all()
        found[code] = sorted((link.course for link in links), key=lambda c: c.code)
    return found


def _generated(session: Session) -> list[User]:
    emails = generated_trainee_emails()
    if not emails:
        return []
    by_email = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(emails)))}
    return [by_email[e] for e in emails]


class _Builder:
    def __init__(self, session: Session, world, today: date) -> None:
        self.session, self.world, self.today = session, world, today
        self.start = history_start(today)
        self.rng = random.Random(f"lms-demo-history-{self.start.isoformat()}")  # nosec B311  # seeded: same history
        self.tracks = world.tracks
        self.courses = _track_courses(session, world.tracks)
        self.history = History()

    def quarter_start(self, quarter: int) -> date:
        return self.start + timedelta(days=QUARTER_DAYS * quarter)

    def plan_learners(self, users: list[User]) -> list[Learner]:
        """A cohort joins every quarter but the last (in turn, so even a small demo has one
        each quarter); three in ten are Leaders, the others Data specialists."""
        order = list(range(len(users)))
        self.rng.shuffle(order)
        learners = []
        for index, user in zip(order, users, strict=True):
            track = "LEADERS" if index % 10 < LEADERS_SHARE * 10 else "DATA-SPECIALISTS"
            learners.append(Learner(user, track, joins=index % (QUARTERS - 1)))
        return learners

    def join(self, learner: Learner, quarter: int) -> None:
        day = self.quarter_start(quarter) - timedelta(days=21)
        with clock.travel(max(day, self.start)):
            services.enrol_in_track(
                self.session,
                learner.user,
                self.tracks[learner.track],
                actor=self.world.actor if self.rng.random() < 0.5 else learner.user,
            )

    def new_session(self, course, starts_on: date, index: int) -> CourseSession:
        online = course.delivery_mode in (DeliveryMode.E_LEARNING, DeliveryMode.VIRTUAL_CLASSROOM)
        days = 2 if online else 3 + index % 2
        with clock.travel(starts_on - timedelta(days=60)):
            course_session = courses.create_session(
                self.session,
                course,
                actor=self.world.actor,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=days),
                capacity=CAPACITY,
                venue="Online" if online else VENUES[index % len(VENUES)],
                timezone="UTC",
                trainer_ids=[(self.world.trainer if index % 2 else self.world.trainer2).id],
                enrolment_deadline=starts_on - timedelta(days=7),
            )
        self.history.sessions += 1
        return course_session

    def deliver(self, course_session: CourseSession, learners: list[Learner]) -> None:
        """Enrol, take attendance on the first day, record results after the last."""
        trainer = course_session.trainers[0] if course_session.trainers else self.world.trainer
        enrolments = []
        with clock.travel(course_session.starts_on - timedelta(days=14)):
            for learner in learners:
                enrolment = courses.request_enrolment(
                    self.session,
                    course_session,
                    learner.user,
                    actor=learner.user,
                    today=clock.today(),
                )
                enrolments.append((learner, enrolment))
        outcomes = {}
        with clock.travel(course_session.starts_on):
            for learner, enrolment in enrolments:
                present = self.rng.random() > 0.05
                outcomes[learner.user.id] = present
                if enrolment.status == EnrolmentStatus.ENROLLED:
                    courses.mark_attendance(
                        self.session, enrolment, attended=present, actor=trainer
                    )
        recorded = course_session.ends_on + timedelta(days=2)
        with clock.travel(recorded):
            for learner, enrolment in enrolments:
                if enrolment.status != EnrolmentStatus.ATTENDED:
                    continue
                passed = self.rng.random() > 0.1
                score = self.rng.randint(62, 97) if passed else self.rng.randint(30, 58)
                courses.record_result(
                    self.session,
                    enrolment,
                    score=Decimal(score),
                    passed=passed,
                    actor=trainer,
                    today=recorded,
                )
                self.history.results += 1
                if passed:
                    learner.done.append(course_session.course.code)
        course_session.status = SessionStatus.CLOSED

    def assess_gaps(self, learner: Learner, day: date) -> None:
        """Targets the courses leave open are rated by an assessor after the last course; the
        track is then complete (and its certificate issued) as of that day."""
        track = self.tracks[learner.track]
        with clock.travel(day):
            progress = services.track_progress(self.session, learner.user, track)
            for gap in progress.gaps:
                services.rate_competency(
                    self.session,
                    user=learner.user,
                    competency=gap.competency,
                    level=gap.target_level,
                    source=RatingSource.ASSESSOR,
                    actor=self.world.trainer,
                    comment="Assessed on the capstone work.",
                )
            services.update_track_completion(
                self.session, learner.user, actor=self.world.trainer, today=day
            )

    def quarter(self, quarter: int, learners: list[Learner]) -> None:
        """Who takes what this quarter, then each session in date order."""
        taking: dict[str, list[Learner]] = {}
        for learner in learners:
            if learner.withdrawn or learner.finished_on or learner.joins > quarter:
                continue
            if learner.joins == quarter:
                self.join(learner, quarter)
            if quarter > learner.joins and self.rng.random() < 0.03:
                enrolment = self._track_enrolment(learner)
                with clock.travel(self.quarter_start(quarter)):
                    services.withdraw_from_track(self.session, enrolment, actor=learner.user)
                learner.withdrawn = True
                continue
            remaining = [
                c
                for c in self.courses[learner.track]
                if c.code not in learner.done
                and all(p.code in learner.done for p in c.prerequisites)
            ]
            per_quarter = 2 if learner.track == "DATA-SPECIALISTS" and len(remaining) > 3 else 1
            for course in remaining[:per_quarter]:
                taking.setdefault(course.code, (course, []))[1].append(learner)
        plan = []
        for index, (_code, (course, group)) in enumerate(sorted(taking.items())):
            for batch in range(0, len(group), CAPACITY):
                offset = 7 + (index * 5 + batch // CAPACITY * 9) % 70
                plan.append(
                    (
                        self.quarter_start(quarter) + timedelta(days=offset),
                        course,
                        group[batch : batch + CAPACITY],
                    )
                )
        for starts_on, course, group in sorted(plan, key=lambda p: (p[0], p[1].code)):
            if starts_on + timedelta(days=6) >= self.today:
                continue  # not over yet: these trainees are midway
            course_session = self.new_session(course, starts_on, self.history.sessions)
            self.deliver(course_session, group)
        for learner in learners:
            self.finish_if_done(learner, quarter)

    def finish_if_done(self, learner: Learner, quarter: int) -> None:
        if learner.withdrawn or learner.finished_on or learner.joins > quarter:
            return
        if any(c.code not in learner.done for c in self.courses[learner.track]):
            return
        day = self.quarter_start(quarter + 1) - timedelta(days=3)
        if day >= self.today:
            return
        self.assess_gaps(learner, day)
        learner.finished_on = day
        learner.certified.append(learner.track)
        if (
            learner.track == "DATA-SPECIALISTS"
            and quarter < QUARTERS - 3
            and self.rng.random() < EXPERTS_SHARE
        ):
            learner.track, learner.joins, learner.done = "EXPERTS", quarter + 1, []
            learner.finished_on = None

    def _track_enrolment(self, learner: Learner):
        return next(
            e
            for e in services.enrolled_tracks(self.session, learner.user)
            if e.track.code == learner.track and e.status == TrackEnrolmentStatus.ACTIVE
        )

    def this_week(self, learners: list[Learner]) -> None:
        """For each trainer, a session running this week (attendance taken on its first day)
        with trainees due for their next course, and a Data specialists refresher that ended
        four days ago for certified ones, its results not yet recorded: the trainers' home
        pages have something to do."""
        waiting: dict[str, tuple] = {}
        for learner in learners:
            if learner.withdrawn or learner.finished_on:
                continue
            for course in self.courses[learner.track]:
                if course.code not in learner.done and all(
                    p.code in learner.done for p in course.prerequisites
                ):
                    waiting.setdefault(course.code, (course, []))[1].append(learner)
                    break
        running = _two(sorted(waiting.values(), key=lambda g: (-len(g[1]), g[0].code)))
        refresher = self.session.scalar(sa.select(Course).where(Course.code == REFRESHER))
        certified = [x for x in learners if "DATA-SPECIALISTS" in x.certified]
        ended = _two([(refresher, certified)] if refresher and certified else [])
        plan = [(g, 1, 3) for g in running] + [(g, 8, 4) for g in ended]
        for number, ((course, group), days_ago, length) in enumerate(plan):
            trainer = self.world.trainer if number % 2 == 0 else self.world.trainer2
            starts_on = self.today - timedelta(days=days_ago)
            with clock.travel(starts_on - timedelta(days=40)):
                course_session = courses.create_session(
                    self.session,
                    course,
                    actor=self.world.actor,
                    starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=length),
                    capacity=CAPACITY,
                    venue=VENUES[number % len(VENUES)],
                    timezone="UTC",
                    trainer_ids=[trainer.id],
                    enrolment_deadline=starts_on - timedelta(days=7),
                )
            self.history.sessions += 1
            with clock.travel(starts_on - timedelta(days=14)):
                enrolments = [
                    courses.request_enrolment(
                        self.session,
                        course_session,
                        learner.user,
                        actor=learner.user,
                        today=clock.today(),
                    )
                    for learner in group[:CAPACITY]
                ]
            with clock.travel(starts_on):
                for index, enrolment in enumerate(enrolments):
                    courses.mark_attendance(
                        self.session,
                        enrolment,
                        attended=index == 0 or self.rng.random() > 0.05,
                        actor=trainer,
                    )


def _two(groups: list[tuple]) -> list[tuple]:
    """Two groups of (course, learners), one per trainer: the two largest, or the largest
    split in two when there is only one."""
    if len(groups) == 1 and len(groups[0][1]) > 1:
        course, group = groups[0]
        half = len(group) // 2
        return [(course, group[:half]), (course, group[half:])]
    return groups[:2]


def load_history(session: Session, world, today: date) -> History:
    builder = _Builder(session, world, today)
    users = _generated(session)
    learners = builder.plan_learners(users)
    for quarter in range(QUARTERS):
        builder.quarter(quarter, learners)
    builder.this_week(learners)
    builder.history.trainees = len(learners)
    session.flush()
    return builder.history
