"""A trainee's competency profile is built from append-only records: evidence and ratings are
never overwritten; the current level is the latest rating, and the history shows who rated and
why. Self-assessments sit beside the ratings and never count towards them.

Track enrolment (alone, by a manager or through an intake) and its completion live here too:
completing a track needs the ratings, and issues the certificate."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.filetypes import FileKind
from lms.core.model_base import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import MemberAdministration, User
    from lms.frameworks.models import Competency, ScaleLevel, Track


class RatingSource(LabelledEnum):
    ASSESSOR = "assessor"  # a trainer rated the competency
    COURSE = "course"  # passing a course rated it (outcome "rate")
    ROLLUP = "rollup"  # the parent's roll-up rule was met
    PRIOR_LEARNING = "prior_learning"  # an accepted prior-learning claim
    CARRIED_OVER = "carried_over"  # carried from an earlier framework version


RATING_SOURCE_LABELS = {
    RatingSource.ASSESSOR: _l("Assessor rating"),
    RatingSource.COURSE: _l("Course passed"),
    RatingSource.ROLLUP: _l("Roll-up rule met"),
    RatingSource.PRIOR_LEARNING: _l("Prior learning accepted"),
    RatingSource.CARRIED_OVER: _l("Carried over from an earlier version"),
}
LabelledEnum.label_members(RATING_SOURCE_LABELS)


class CompetencyRating(db.Model):
    """A level given to a trainee for a competency. Append-only."""

    __tablename__ = "competency_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT"), index=True
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))
    source: Mapped[RatingSource] = mapped_column(enum_column(RatingSource, "rating_source"))
    rated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # What the rating came from, so a correction of it withdraws the rating too.
    session_enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("session_enrolments.id", ondelete="RESTRICT"), index=True
    )
    claim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prior_learning_claims.id", ondelete="RESTRICT"), index=True
    )
    external_completion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("external_completions.id", ondelete="RESTRICT"), index=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    rated_by: Mapped[User | None] = relationship(foreign_keys=[rated_by_id])
    competency: Mapped[Competency] = relationship()
    level: Mapped[ScaleLevel] = relationship(lazy="joined")

    __table_args__ = (
        sa.Index("ix_competency_ratings_user_competency", "user_id", "competency_id", "rated_at"),
        sa.CheckConstraint(
            "source NOT IN ('assessor', 'prior_learning') OR rated_by_id IS NOT NULL",
            name="assessor_named",
        ),
    )


class EvidenceKind(enum.StrEnum):
    COURSE_COMPLETION = "course_completion"
    PRIOR_LEARNING = "prior_learning"
    ASSESSOR_NOTE = "assessor_note"
    ROLLUP = "rollup"


class CompetencyEvidence(db.Model):
    """Something that shows a competency: a passed course, accepted prior learning, a note."""

    __tablename__ = "competency_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    level_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("scale_levels.id", ondelete="RESTRICT")
    )
    session_enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("session_enrolments.id", ondelete="RESTRICT")
    )
    # A course completed on another platform (lms.courses.models.ExternalCompletion).
    external_completion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("external_completions.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competency: Mapped[Competency] = relationship()
    level: Mapped[ScaleLevel | None] = relationship()

    __table_args__ = (sa.Index("ix_competency_evidence_user_id", "user_id"),)


class EvidenceFile(db.Model):
    """A file uploaded as evidence with a rating or a prior-learning claim (or on its own, for
    the trainee's competency). The bytes live in the evidence folder under ``stored_name``, a
    random name; the name the uploader gave is kept for display only, never used as a path."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT")
    )
    rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competency_ratings.id", ondelete="RESTRICT"), index=True
    )
    claim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prior_learning_claims.id", ondelete="RESTRICT"), index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[FileKind] = mapped_column(enum_column(FileKind, "evidence_file_kind"))
    stored_name: Mapped[str] = mapped_column(sa.String(32), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])

    __table_args__ = (
        sa.CheckConstraint("rating_id IS NULL OR claim_id IS NULL", name="one_record"),
        sa.CheckConstraint("size_bytes > 0", name="not_empty"),
        sa.CheckConstraint("length(stored_name) = 32", name="random_name"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )


class SelfAssessment(db.Model):
    """The trainee's own view of a level. Shown beside the assessor's rating, never averaged."""

    __tablename__ = "self_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT")
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    level: Mapped[ScaleLevel] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_self_assessments_user_competency", "user_id", "competency_id"),)


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class PriorLearningClaim(db.Model):
    """A trainee claims a level from earlier learning; a trainer accepts or rejects it."""

    __tablename__ = "prior_learning_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT")
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(sa.Text)
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column(ClaimStatus, "claim_status"), default=ClaimStatus.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    competency: Mapped[Competency] = relationship()
    level: Mapped[ScaleLevel] = relationship(lazy="joined")
    files: Mapped[list[EvidenceFile]] = relationship(viewonly=True, order_by="EvidenceFile.id")

    __table_args__ = (
        sa.CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
        sa.CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)", name="reviewed_unless_pending"
        ),
    )


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class ReviewRequest(db.Model):
    """A request that a trainer rates a competency; it sits in the queue until rated."""

    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT")
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.OPEN, index=True
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competency_ratings.id", ondelete="RESTRICT")
    )

    user: Mapped[User] = relationship()
    competency: Mapped[Competency] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'done') = (resolved_by_rating_id IS NOT NULL)", name="done_has_rating"
        ),
        # At most one open request per trainee and competency.
        sa.Index(
            "uq_review_requests_open",
            "user_id",
            "competency_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    SUPERSEDED = "superseded"  # renewed by a later certificate
    REVOKED = "revoked"


class Certificate(db.Model):
    """Issued when a trainee completes a track. Expiry comes from the track's validity period;
    renewals are new certificates pointing at the one they renew, so the history is kept."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="RESTRICT"))
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    renews_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    track: Mapped[Track] = relationship(lazy="joined")
    renews: Mapped[Certificate | None] = relationship(remote_side=[id])
    # The track's policy (reminder lead time) when it has one; read-only.
    policy: Mapped[TrackCertificationPolicy | None] = relationship(
        primaryjoin="Certificate.track_id == foreign(TrackCertificationPolicy.track_id)",
        viewonly=True,
        uselist=False,
    )

    __table_args__ = (
        sa.CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after"),
    )

    def is_current(self, today: date) -> bool:
        return self.status == CertificateStatus.VALID and (
            self.expires_on is None or self.expires_on >= today
        )


class TrackCertificationPolicy(db.Model):
    """How long a track's certificate stays valid and when holders are reminded. A track with
    no policy (or no validity) issues certificates that do not expire."""

    __tablename__ = "track_certification_policies"

    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    validity_months: Mapped[int | None]
    reminder_days_before: Mapped[int] = mapped_column(default=60)
    recertification_note: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.CheckConstraint(
            "validity_months IS NULL OR validity_months > 0", name="validity_positive"
        ),
        sa.CheckConstraint("reminder_days_before >= 0", name="reminder_not_negative"),
    )


class TrackEnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Intake(db.Model):
    """A named cohort assigned to a track: everyone in it is enrolled in the track, including
    people who join the intake later."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="RESTRICT"))
    member_administration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_administrations.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    track: Mapped[Track] = relationship(lazy="joined")
    member_administration: Mapped[MemberAdministration | None] = relationship(lazy="joined")
    members: Mapped[list[IntakeMember]] = relationship(
        back_populates="intake", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )


class IntakeMember(db.Model):
    __tablename__ = "intake_members"

    intake_id: Mapped[int] = mapped_column(
        sa.ForeignKey("intakes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    intake: Mapped[Intake] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class TrackEnrolment(db.Model):
    """A trainee on a track. One row per trainee and track; withdrawing keeps the row."""

    __tablename__ = "track_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tracks.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[TrackEnrolmentStatus] = mapped_column(
        enum_column(TrackEnrolmentStatus, "track_enrolment_status"),
        default=TrackEnrolmentStatus.ACTIVE,
    )
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intakes.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])
    track: Mapped[Track] = relationship(lazy="joined")
    intake: Mapped[Intake | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "track_id"),
        sa.CheckConstraint(
            "(status = 'completed') = (completed_at IS NOT NULL)", name="completed_has_date"
        ),
    )


class TrackProgressSummary(db.Model):
    """The stored figures of ``track_progress(user, track)``, so dashboards, lists and reports
    read one row per trainee and track instead of recomputing from ratings and results.

    Kept current by the services that change what progress depends on (results, attendance,
    corrections, ratings, claims, track enrolment and completion, a track's requirements),
    in their transaction; ``lms rebuild-summaries`` recomputes every row. ``gaps`` holds the
    unmet targets as ``[competency id, current level id or null, target level id]``."""

    __tablename__ = "track_progress_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tracks.id", ondelete="CASCADE"), index=True
    )
    enrolment_status: Mapped[TrackEnrolmentStatus | None] = mapped_column(
        enum_column(TrackEnrolmentStatus, "enrolment_status")
    )
    completed_at: Mapped[datetime | None]
    courses_total: Mapped[int]
    required_total: Mapped[int]
    required_done: Mapped[int]
    targets_total: Mapped[int]
    targets_met: Mapped[int]
    percent: Mapped[int]
    is_complete: Mapped[bool]
    gaps: Mapped[list] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    track: Mapped[Track] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "track_id"),
        sa.CheckConstraint(
            "courses_total >= required_total AND required_total >= required_done"
            " AND required_done >= 0",
            name="courses_counted",
        ),
        sa.CheckConstraint(
            "targets_total >= targets_met AND targets_met >= 0", name="targets_counted"
        ),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    @property
    def steps_total(self) -> int:
        return self.required_total + self.targets_total

    @property
    def gap_count(self) -> int:
        return self.targets_total - self.targets_met
