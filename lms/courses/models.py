"""The course catalogue, course sessions, and session enrolment with its full state history.

(Track enrolment, intakes and completion are the progress feature's: ``lms.progress.models``.)

Seats: ``CourseSession.seats_taken`` counts enrolled trainees and a CHECK keeps it within
``capacity``. The service checks for a free seat itself and takes it with an UPDATE
conditional on the count it read (``seats_taken = <read>``), which both SQLite and PostgreSQL
execute atomically, so capacity holds under simultaneous requests without application-level
locks; the CHECK is only the last defence.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import MemberAdministration, User
    from lms.frameworks.models import Competency, ScaleLevel, Track, TrackStage


class DeliveryMode(LabelledEnum):
    E_LEARNING = "e_learning"
    WORKSHOP = "workshop"
    VIRTUAL_CLASSROOM = "virtual_classroom"
    BLENDED = "blended"


DELIVERY_MODE_LABELS = {
    DeliveryMode.E_LEARNING: _l("E-learning"),
    DeliveryMode.WORKSHOP: _l("Face-to-face workshop"),
    DeliveryMode.VIRTUAL_CLASSROOM: _l("Virtual classroom"),
    DeliveryMode.BLENDED: _l("Blended"),
}
LabelledEnum.label_members(DELIVERY_MODE_LABELS)


class CourseStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


LabelledEnum.label_members(
    {
        CourseStatus.DRAFT: lazy_pgettext("status", "Draft"),
        CourseStatus.PUBLISHED: lazy_pgettext("status", "Published"),
        CourseStatus.RETIRED: lazy_pgettext("status", "Retired"),
    }
)


class PassOutcome(LabelledEnum):
    """What passing a course does to a competency it develops (Moodle's rule outcomes)."""

    NONE = "none"
    EVIDENCE = "evidence"  # attach evidence
    REVIEW = "review"  # attach evidence and ask a trainer to review
    RATE = "rate"  # attach evidence and rate the competency at the course's level


PASS_OUTCOME_LABELS = {
    PassOutcome.NONE: _l("Nothing"),
    PassOutcome.EVIDENCE: _l("Add evidence"),
    PassOutcome.REVIEW: _l("Ask a trainer to review"),
    PassOutcome.RATE: _l("Rate the competency"),
}
LabelledEnum.label_members(PASS_OUTCOME_LABELS)

course_prerequisites = sa.Table(
    "course_prerequisites",
    db.metadata,
    sa.Column("course_id", sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "prerequisite_id", sa.ForeignKey("courses.id", ondelete="RESTRICT"), primary_key=True
    ),
    sa.CheckConstraint("course_id <> prerequisite_id", name="not_own_prerequisite"),
)


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    # French text (``lms.core.i18n.localised`` shows the reader's language, else the other).
    title_fr: Mapped[str | None] = mapped_column(sa.String(200))
    summary_fr: Mapped[str | None] = mapped_column(sa.Text)
    objectives_fr: Mapped[str | None] = mapped_column(sa.Text)
    delivery_mode: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "delivery_mode"))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    # ISO 639-1 codes, e.g. ["en", "fr"].
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    # Results may be recorded once a session has started (e-learning, continuous assessment)
    # instead of once it has ended.
    results_from_start: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    prerequisites: Mapped[list[Course]] = relationship(
        secondary=course_prerequisites,
        primaryjoin=lambda: Course.id == course_prerequisites.c.course_id,
        secondaryjoin=lambda: Course.id == course_prerequisites.c.prerequisite_id,
        order_by=lambda: Course.code,
    )
    competencies: Mapped[list[CourseCompetency]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    track_links: Mapped[list[TrackCourse]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.starts_on"
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("hours > 0", name="hours_positive"),
    )

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class CourseCompetency(db.Model):
    """A competency a course develops, the level a pass gives and what a pass does."""

    __tablename__ = "course_competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT"), index=True
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))
    outcome: Mapped[PassOutcome] = mapped_column(
        enum_column(PassOutcome, "pass_outcome"), default=PassOutcome.EVIDENCE
    )

    course: Mapped[Course] = relationship(back_populates="competencies")
    competency: Mapped[Competency] = relationship(lazy="joined")
    level: Mapped[ScaleLevel] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("course_id", "competency_id"),)


class TrackCourse(db.Model):
    """A course on a track's path: required or elective, optionally in a stage, and whether
    it belongs to the shorter recertification path."""

    __tablename__ = "track_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("track_stages.id", ondelete="SET NULL")
    )
    is_required: Mapped[bool] = mapped_column(default=True)
    for_recertification: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    track: Mapped[Track] = relationship()
    course: Mapped[Course] = relationship(back_populates="track_links")
    stage: Mapped[TrackStage | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("track_id", "course_id"),)


class SessionStatus(LabelledEnum):
    PLANNED = "planned"
    OPEN = "open"
    RUNNING = "running"
    CLOSED = "closed"
    CANCELLED = "cancelled"


LabelledEnum.label_members(
    {
        SessionStatus.PLANNED: lazy_pgettext("status", "Planned"),
        SessionStatus.OPEN: lazy_pgettext("status", "Open"),
        SessionStatus.RUNNING: lazy_pgettext("status", "Running"),
        SessionStatus.CLOSED: lazy_pgettext("status", "Closed"),
        SessionStatus.CANCELLED: lazy_pgettext("status", "Cancelled"),
    }
)


session_trainers = sa.Table(
    "session_trainers",
    db.metadata,
    sa.Column(
        "session_id", sa.ForeignKey("course_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True),
)

session_member_restrictions = sa.Table(
    "session_member_restrictions",
    db.metadata,
    sa.Column(
        "session_id", sa.ForeignKey("course_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "member_administration_id",
        sa.ForeignKey("member_administrations.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class CourseSession(db.Model):
    """One offering of a course: from ``starts_on`` to ``ends_on``, every day from
    ``start_time`` to ``end_time`` in the session's IANA ``timezone``."""

    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    start_time: Mapped[time] = mapped_column(default=time(9))
    end_time: Mapped[time] = mapped_column(default=time(17))
    timezone: Mapped[str] = mapped_column(sa.String(60), default="UTC")
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_fr: Mapped[str | None] = mapped_column(sa.String(200))
    virtual_link: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    enrolment_deadline: Mapped[date | None]
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    requires_approval: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.PLANNED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions", lazy="joined")
    trainers: Mapped[list[User]] = relationship(
        secondary=session_trainers, order_by="User.full_name"
    )
    restricted_to: Mapped[list[MemberAdministration]] = relationship(
        secondary=session_member_restrictions,
        order_by="MemberAdministration.name",
    )
    enrolments: Mapped[list[SessionEnrolment]] = relationship(back_populates="session")

    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("end_time > start_time", name="day_ends_after_start"),
    )

    @property
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")

    @property
    def starts_at(self) -> datetime:
        """The first day's start, as an aware datetime in the session's time zone."""
        return datetime.combine(self.starts_on, self.start_time or time(0), self.zone)

    @property
    def ends_at(self) -> datetime:
        """The last day's end, as an aware datetime in the session's time zone."""
        return datetime.combine(self.ends_on, self.end_time or time(23, 59), self.zone)

    def daily_schedule(self) -> list[tuple[date, time, time]]:
        """Each day of the session with its hours (local time)."""
        days = (self.ends_on - self.starts_on).days + 1
        return [
            (self.starts_on + timedelta(days=n), self.start_time, self.end_time)
            for n in range(days)
        ]

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    def __repr__(self) -> str:
        return f"<CourseSession {self.id} {self.starts_on}>"


class EnrolmentStatus(LabelledEnum):
    REQUESTED = "requested"  # waiting for a trainer or project manager to approve
    ENROLLED = "enrolled"  # holds a seat
    WAITLISTED = "waitlisted"  # approved, waiting for a seat
    ATTENDED = "attended"
    COMPLETED = "completed"  # result recorded: passed or failed
    NO_SHOW = "no_show"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


ENROLMENT_STATUS_LABELS = {
    EnrolmentStatus.REQUESTED: _l("Awaiting approval"),
    EnrolmentStatus.ENROLLED: lazy_pgettext("status", "Enrolled"),
    EnrolmentStatus.WAITLISTED: _l("Waitlisted"),
    EnrolmentStatus.ATTENDED: _l("Attended"),
    EnrolmentStatus.COMPLETED: lazy_pgettext("status", "Completed"),
    EnrolmentStatus.NO_SHOW: _l("No-show"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.REJECTED: _l("Rejected"),
}
LabelledEnum.label_members(ENROLMENT_STATUS_LABELS)

# Statuses that hold a seat in the session.
SEAT_HOLDING = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.ATTENDED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NO_SHOW,
)


class SessionEnrolment(db.Model):
    __tablename__ = "session_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_sessions.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_column(EnrolmentStatus, "enrolment_status"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    passed: Mapped[bool | None]
    result_recorded_at: Mapped[datetime | None]
    # The xAPI registration: every statement about this enrolment carries it (lms.xapi).
    registration: Mapped[uuid.UUID] = mapped_column(sa.Uuid, default=uuid.uuid4, unique=True)

    session: Mapped[CourseSession] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship()
    events: Mapped[list[EnrolmentEvent]] = relationship(
        back_populates="enrolment", order_by="EnrolmentEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("session_id", "user_id"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        sa.CheckConstraint(
            "(status = 'completed') = (passed IS NOT NULL)", name="completed_has_result"
        ),
    )


class EnrolmentEvent(db.Model):
    """One state change of a session enrolment. Append-only: the enrolment's history."""

    __tablename__ = "enrolment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("session_enrolments.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    enrolment: Mapped[SessionEnrolment] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ExternalCompletion(db.Model):
    """A course completed (or passed) on another platform, reported by an xAPI statement: it
    counts as a pass of the course, like a passed session result (``completed_course_ids``),
    and the progress feature applies it the same way. One per statement id."""

    __tablename__ = "external_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    statement_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    verb: Mapped[str] = mapped_column(sa.String(20))
    # Scaled score (0 to 1) when the statement gave one.
    score_scaled: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    completed_at: Mapped[datetime]
    platform: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()

    __table_args__ = (
        sa.CheckConstraint("verb IN ('completed', 'passed')", name="verb_known"),
        sa.CheckConstraint(
            "score_scaled IS NULL OR (score_scaled >= 0 AND score_scaled <= 1)",
            name="score_scaled_range",
        ),
    )
