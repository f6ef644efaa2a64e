"""Track enrolment (alone, by a manager, through an intake), track progress and completion.

``progress_for_tracks`` is the one function that says how far a trainee is on a track; every
page, report and job that shows progress calls it, so progress reads the same everywhere.
Completion is checked when courses announce a result (``session_result_recorded``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.courses.models import (
    Course,
    EnrolmentStatus,
    ExternalCompletion,
    SessionEnrolment,
    TrackCourse,
)
from lms.courses.services import completed_course_ids
from lms.frameworks.models import (
    Competency,
    ScaleLevel,
    Track,
    TrackTarget,
)
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    CompetencyRating,
    Intake,
    IntakeMember,
    SelfAssessment,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.progress.services.certificates import (
    certificates_for,
    issue_certificate,
    recertification_done,
)
from lms.progress.services.ratings import (
    apply_course_pass,
    apply_external_pass,
    latest_ratings,
    latest_self_assessments,
)
from lms.progress.services.summaries import refresh_user_summaries


def has_completed_track(session: Session, user: User, track: Track) -> bool:
    return bool(
        session.scalar(
            sa.select(TrackEnrolment.id).where(
                TrackEnrolment.user_id == user.id,
                TrackEnrolment.track_id == track.id,
                TrackEnrolment.status == TrackEnrolmentStatus.COMPLETED,
            )
        )
    )


def check_entry_requirements(session: Session, user: User, track: Track) -> None:
    required = track.prerequisite_track
    if required is not None and not has_completed_track(session, user, required):
        raise ValidationError(
            _(
                "The %(name)s track requires a completed %(required)s track; %(full_name)s has "
                "not completed it yet.",
                name=track.name,
                required=required.name,
                full_name=user.full_name,
            )
        )


def enrol_in_track(
    session: Session, user: User, track: Track, *, actor: Any, intake: Intake | None = None
) -> TrackEnrolment:
    """Join a track (oneself, by a manager, or through an intake). Entry requirements are
    checked; re-joining after withdrawing reactivates the same record."""
    if not track.is_active:
        raise ValidationError(_("The %(name)s track is not open for enrolment.", name=track.name))
    if not user.has_role(Role.TRAINEE):
        raise ValidationError(_("%(full_name)s is not a trainee.", full_name=user.full_name))
    existing = session.scalar(
        sa.select(TrackEnrolment).where(
            TrackEnrolment.user_id == user.id, TrackEnrolment.track_id == track.id
        )
    )
    if existing is not None and existing.status != TrackEnrolmentStatus.WITHDRAWN:
        if intake is not None and existing.intake_id is None:
            existing.intake_id = intake.id
        return existing
    check_entry_requirements(session, user, track)
    if existing is None:
        existing = TrackEnrolment(user_id=user.id, track_id=track.id)
        session.add(existing)
    existing.status = TrackEnrolmentStatus.ACTIVE
    existing.enrolled_at = utcnow()
    existing.enrolled_by_id = getattr(actor, "id", None)
    existing.intake_id = intake.id if intake else existing.intake_id
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.enrolled",
        entity=existing,
        summary=f"{user.email} → {track.code}",
    )
    refresh_user_summaries(session, user.id)
    return existing


def withdraw_from_track(session: Session, enrolment: TrackEnrolment, *, actor: Any) -> None:
    if enrolment.status != TrackEnrolmentStatus.ACTIVE:
        raise ValidationError(_("Only an active track enrolment can be withdrawn."))
    enrolment.status = TrackEnrolmentStatus.WITHDRAWN
    record_change(
        session,
        actor=actor,
        action="track.withdrawn",
        entity=enrolment,
        before={"status": TrackEnrolmentStatus.ACTIVE.value},
        after={"status": enrolment.status.value},
    )
    refresh_user_summaries(session, enrolment.user_id)


def create_intake(
    session: Session,
    *,
    actor: Any,
    name: str,
    track: Track,
    year: int,
    member_administration_id: int | None = None,
) -> Intake:
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            _("Name the intake, for example “2026 intake — Kenya”."), field="name"
        )
    if session.scalar(sa.select(Intake.id).where(Intake.name == name)):
        raise ConflictError(_("An intake with this name already exists."), field="name")
    intake = Intake(
        name=name, track_id=track.id, year=year, member_administration_id=member_administration_id
    )
    session.add(intake)
    session.flush()
    record_change(session, actor=actor, action="intake.created", entity=intake, summary=name)
    return intake


def add_to_intake(session: Session, intake: Intake, user: User, *, actor: Any) -> TrackEnrolment:
    """Joining an intake enrols the person in the intake's track at once."""
    if (
        intake.member_administration_id
        and user.member_administration_id != intake.member_administration_id
    ):
        raise ValidationError(
            _(
                "%(full_name)s does not belong to %(name)s.",
                full_name=user.full_name,
                name=intake.member_administration.name,
            )
        )
    enrolment = enrol_in_track(session, user, intake.track, actor=actor, intake=intake)
    if session.get(IntakeMember, (intake.id, user.id)) is None:
        session.add(IntakeMember(intake_id=intake.id, user_id=user.id))
    session.flush()
    return enrolment


@dataclass
class CourseRequirement:
    course: Course
    is_required: bool
    completed: bool


@dataclass
class TargetStatus:
    competency: Competency
    target_level: ScaleLevel
    current: CompetencyRating | None
    self_assessment: SelfAssessment | None

    @property
    def current_level(self) -> ScaleLevel | None:
        return self.current.level if self.current else None

    @property
    def met(self) -> bool:
        return self.current is not None and (
            self.current.level.position >= self.target_level.position
        )


@dataclass
class TrackProgress:
    track: Track
    enrolment: TrackEnrolment | None
    courses: list[CourseRequirement] = field(default_factory=list)
    targets: list[TargetStatus] = field(default_factory=list)

    @property
    def required_courses(self) -> list[CourseRequirement]:
        return [c for c in self.courses if c.is_required]

    @property
    def required_done(self) -> int:
        return sum(c.completed for c in self.required_courses)

    @property
    def targets_met(self) -> int:
        return sum(t.met for t in self.targets)

    @property
    def steps_total(self) -> int:
        return len(self.required_courses) + len(self.targets)

    @property
    def percent(self) -> int:
        """Required courses completed and targets reached, as one share of all the steps."""
        if not self.steps_total:
            return 0
        return int(100 * (self.required_done + self.targets_met) / self.steps_total)

    @property
    def is_complete(self) -> bool:
        return self.steps_total > 0 and self.required_done + self.targets_met == self.steps_total

    @property
    def gaps(self) -> list[TargetStatus]:
        return [t for t in self.targets if not t.met]


def progress_for_tracks(
    session: Session, user: User, tracks: Sequence[Track]
) -> list[TrackProgress]:
    """Progress of ``user`` on each track, in a fixed number of queries whatever the counts."""
    track_ids = [t.id for t in tracks]
    if not track_ids:
        return []
    enrolments = {
        e.track_id: e
        for e in session.scalars(
            sa.select(TrackEnrolment).where(
                TrackEnrolment.user_id == user.id, TrackEnrolment.track_id.in_(track_ids)
            )
        )
    }
    links = session.scalars(
        sa.select(TrackCourse)
        .options(joinedload(TrackCourse.course))
        .where(TrackCourse.track_id.in_(track_ids), TrackCourse.for_recertification.is_(False))
        .order_by(TrackCourse.position, TrackCourse.id)
    ).all()
    targets = session.scalars(
        sa.select(TrackTarget)
        .options(joinedload(TrackTarget.competency), joinedload(TrackTarget.level))
        .where(TrackTarget.track_id.in_(track_ids))
    ).all()
    done = completed_course_ids(session, user.id)
    ratings = latest_ratings(session, user.id)
    selves = latest_self_assessments(session, user.id)
    by_track: dict[int, TrackProgress] = {
        t.id: TrackProgress(track=t, enrolment=enrolments.get(t.id)) for t in tracks
    }
    for link in links:
        by_track[link.track_id].courses.append(
            CourseRequirement(link.course, link.is_required, link.course_id in done)
        )
    for target in sorted(targets, key=lambda t: t.competency.code):
        by_track[target.track_id].targets.append(
            TargetStatus(
                target.competency,
                target.level,
                ratings.get(target.competency_id),
                selves.get(target.competency_id),
            )
        )
    return [by_track[t.id] for t in tracks]


def track_progress(session: Session, user: User, track: Track) -> TrackProgress:
    return progress_for_tracks(session, user, [track])[0]


def enrolled_tracks(session: Session, user: User) -> list[TrackEnrolment]:
    return list(
        session.scalars(
            sa.select(TrackEnrolment)
            .where(
                TrackEnrolment.user_id == user.id,
                TrackEnrolment.status != TrackEnrolmentStatus.WITHDRAWN,
            )
            .order_by(TrackEnrolment.enrolled_at)
        )
    )


def update_track_completion(
    session: Session, user: User, *, actor: Any, today: date
) -> list[Certificate]:
    """Complete every active track whose requirements are now met, issuing certificates, and
    renew lapsing certificates whose recertification path is now done."""
    issued: list[Certificate] = []
    active = [e for e in enrolled_tracks(session, user) if e.status == TrackEnrolmentStatus.ACTIVE]
    for progress in progress_for_tracks(session, user, [e.track for e in active]):
        if progress.is_complete:
            progress.enrolment.status = TrackEnrolmentStatus.COMPLETED
            progress.enrolment.completed_at = utcnow()
            record_change(
                session,
                actor=actor,
                action="track.completed",
                entity=progress.enrolment,
                before={"status": TrackEnrolmentStatus.ACTIVE.value},
                after={"status": TrackEnrolmentStatus.COMPLETED.value},
                summary=f"{user.email} {progress.track.code}",
            )
            issued.append(
                issue_certificate(session, user, progress.track, today=today, actor=actor)
            )
    for certificate in certificates_for(session, user):
        if certificate.status == CertificateStatus.VALID and recertification_done(
            session, user, certificate
        ):
            issued.append(
                issue_certificate(
                    session, user, certificate.track, today=today, actor=actor, renews=certificate
                )
            )
    refresh_user_summaries(session, user.id)
    return issued


def on_session_result_recorded(
    session: Session,
    *,
    enrolment: SessionEnrolment,
    actor: Any,
    today: date | None = None,
    **_: Any,
) -> None:
    """Listener of ``session_result_recorded``: a pass is evidence (and, per the course's
    outcomes, ratings or review requests) and may complete the trainee's tracks. Attendance
    alone and failed results change no rating; the stored progress summary is refreshed."""
    if enrolment.status != EnrolmentStatus.COMPLETED or not enrolment.passed:
        refresh_user_summaries(session, enrolment.user_id)
        return
    apply_course_pass(session, enrolment, actor=actor)
    day = today or enrolment.session.ends_on
    update_track_completion(session, enrolment.user, actor=actor, today=day)


def on_external_completion_recorded(
    session: Session,
    *,
    completion: ExternalCompletion,
    actor: Any,
    today: date,
    **_: Any,
) -> None:
    """Listener of ``external_completion_recorded``: a course completed elsewhere is a pass,
    applied by the same rule as a passed session result, and may complete tracks."""
    apply_external_pass(session, completion, actor=actor)
    update_track_completion(session, completion.user, actor=actor, today=today)
    refresh_user_summaries(session, completion.user_id)


def intakes_query() -> sa.Select:
    """Intakes, the latest year first."""
    return sa.select(Intake).order_by(Intake.year.desc(), Intake.name)


def intake_enrolment_counts(session: Session) -> dict[int, int]:
    """How many track enrolments came through each intake."""
    return dict(
        session.execute(
            sa.select(TrackEnrolment.intake_id, sa.func.count())
            .where(TrackEnrolment.intake_id.is_not(None))
            .group_by(TrackEnrolment.intake_id)
        ).all()
    )


def intake_enrolments(session: Session, intake: Intake) -> list[TrackEnrolment]:
    """The track enrolments that came through an intake, with their trainees."""
    return list(
        session.scalars(
            sa.select(TrackEnrolment)
            .options(joinedload(TrackEnrolment.user))
            .where(TrackEnrolment.intake_id == intake.id)
        )
    )


def open_tracks(session: Session, user: User) -> list[Track]:
    """Active tracks the user has not joined (or has withdrawn from)."""
    joined = {e.track_id for e in enrolled_tracks(session, user)}
    return [
        t
        for t in session.scalars(
            sa.select(Track).where(Track.is_active.is_(True)).order_by(Track.name)
        )
        if t.id not in joined
    ]


def intake_form_options(session: Session) -> tuple[list[Track], list[MemberAdministration]]:
    """What the intake and enrolment forms offer: tracks open for enrolment, and every member
    administration an intake can be for."""
    tracks = list(
        session.scalars(sa.select(Track).where(Track.is_active.is_(True)).order_by(Track.name))
    )
    members = list(
        session.scalars(sa.select(MemberAdministration).order_by(MemberAdministration.name))
    )
    return tracks, members
