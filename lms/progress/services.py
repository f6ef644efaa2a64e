"""Competency evidence and ratings, self-assessments, prior learning, review requests, track
progress, certificates and gap analysis.

``progress_for_tracks`` is the one function that says how far a trainee is on a track; every
page, report and job that shows progress calls it, so progress reads the same everywhere.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.accounts.models import Role, User
from lms.core import signals
from lms.core.audit import record_change
from lms.core.errors import ValidationError
from lms.core.model_base import utcnow
from lms.courses.models import (
    Course,
    CourseCompetency,
    CourseSession,
    PassOutcome,
    SessionEnrolment,
    TrackCourse,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.frameworks.models import (
    Competency,
    CompetencyMapping,
    Framework,
    ScaleLevel,
    Track,
    TrackTarget,
)
from lms.frameworks.services import rollup_met
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    ClaimStatus,
    CompetencyEvidence,
    CompetencyRating,
    EvidenceKind,
    PriorLearningClaim,
    RatingSource,
    ReviewRequest,
    ReviewStatus,
    SelfAssessment,
    TrackCertificationPolicy,
)

# Ratings -----------------------------------------------------------------------------------


def latest_ratings(
    session: Session, user_id: int, competency_ids: Iterable[int] | None = None
) -> dict[int, CompetencyRating]:
    """The current rating per competency: the latest one (ratings are never overwritten)."""
    stmt = (
        sa.select(CompetencyRating)
        .where(CompetencyRating.user_id == user_id)
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    )
    if competency_ids is not None:
        stmt = stmt.where(CompetencyRating.competency_id.in_(list(competency_ids)))
    current: dict[int, CompetencyRating] = {}
    for rating in session.scalars(stmt):
        current[rating.competency_id] = rating
    return current


def latest_ratings_for_users(
    session: Session, user_ids: Iterable[int], competency_ids: Iterable[int]
) -> dict[int, dict[int, CompetencyRating]]:
    """Current rating per competency and user, for many trainees at once (reports, roll-ups)."""
    user_ids, competency_ids = list(user_ids), list(competency_ids)
    current: dict[int, dict[int, CompetencyRating]] = defaultdict(dict)
    if not user_ids or not competency_ids:
        return current
    for rating in session.scalars(
        sa.select(CompetencyRating)
        .where(
            CompetencyRating.user_id.in_(user_ids),
            CompetencyRating.competency_id.in_(competency_ids),
        )
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ):
        current[rating.competency_id][rating.user_id] = rating
    return current


def latest_self_assessments(session: Session, user_id: int) -> dict[int, SelfAssessment]:
    current: dict[int, SelfAssessment] = {}
    for item in session.scalars(
        sa.select(SelfAssessment)
        .where(SelfAssessment.user_id == user_id)
        .order_by(SelfAssessment.created_at, SelfAssessment.id)
    ):
        current[item.competency_id] = item
    return current


def _check_level(competency: Competency, level: ScaleLevel) -> None:
    if level.scale_id != competency.framework.scale_id:
        raise ValidationError(
            f"{level.name} is not a level of {competency.code}'s scale.", field="level_id"
        )


def rate_competency(
    session: Session,
    *,
    user: User,
    competency: Competency,
    level: ScaleLevel,
    source: RatingSource,
    actor: Any,
    comment: str = "",
    evidence_url: str = "",
) -> CompetencyRating:
    """Append a rating. Open review requests for the competency are resolved by it, and roll-up
    rules of the parents are applied."""
    _check_level(competency, level)
    if source == RatingSource.ASSESSOR and not (actor and actor.has_role(Role.TRAINER)):
        raise ValidationError("Only a trainer or assessor can rate a competency.")
    rating = CompetencyRating(
        user_id=user.id,
        competency_id=competency.id,
        level_id=level.id,
        source=source,
        rated_by_id=getattr(actor, "id", None),
        comment=(comment or "").strip(),
        evidence_url=(evidence_url or "").strip(),
        rated_at=utcnow(),
    )
    session.add(rating)
    session.flush()
    for request in session.scalars(
        sa.select(ReviewRequest).where(
            ReviewRequest.user_id == user.id,
            ReviewRequest.competency_id == competency.id,
            ReviewRequest.status == ReviewStatus.OPEN,
        )
    ):
        request.status = ReviewStatus.DONE
        request.resolved_by_rating_id = rating.id
    _apply_rollups(session, user, competency.parent, actor=actor)
    return rating


def _apply_rollups(session: Session, user: User, parent: Competency | None, *, actor: Any) -> None:
    """Walk up the tree: a parent whose rule is met by proficient children is rated at the
    scale's default level, with the rule as evidence."""
    while parent is not None and parent.rule.value != "none":
        ids = [c.id for c in parent.children] + [parent.id]
        current = latest_ratings(session, user.id, ids)
        proficient = {cid for cid, r in current.items() if r.level.is_proficient}
        parent_rating = current.get(parent.id)
        if parent_rating is not None and parent_rating.level.is_proficient:
            return
        if not rollup_met(parent, proficient):
            return
        scale = parent.framework.scale
        level = scale.default_level or scale.proficient_from
        if level is None:
            return
        note = f"Roll-up rule met ({parent.rule.value})"
        session.add(
            CompetencyEvidence(
                user_id=user.id,
                competency_id=parent.id,
                kind=EvidenceKind.ROLLUP,
                level_id=level.id,
                description=note,
            )
        )
        session.add(
            CompetencyRating(
                user_id=user.id,
                competency_id=parent.id,
                level_id=level.id,
                source=RatingSource.ROLLUP,
                comment=note,
                rated_at=utcnow(),
            )
        )
        session.flush()
        parent = parent.parent


def apply_course_pass(session: Session, enrolment: SessionEnrolment, *, actor: Any) -> None:
    """What a pass does to each competency the course develops (Moodle's rule outcomes)."""
    course: Course = enrolment.session.course
    user = enrolment.user
    for link in course.competencies:
        if link.outcome == PassOutcome.NONE:
            continue
        session.add(
            CompetencyEvidence(
                user_id=user.id,
                competency_id=link.competency_id,
                kind=EvidenceKind.COURSE_COMPLETION,
                level_id=link.level_id,
                session_enrolment_id=enrolment.id,
                description=f"Passed {course.code} {course.title}",
                created_by_id=getattr(actor, "id", None),
            )
        )
        if link.outcome == PassOutcome.REVIEW:
            request_review(
                session,
                user=user,
                competency=link.competency,
                note=f"Passed {course.code}; please review.",
            )
        elif link.outcome == PassOutcome.RATE:
            current = latest_ratings(session, user.id, [link.competency_id]).get(link.competency_id)
            if current is None or current.level.position < link.level.position:
                rate_competency(
                    session,
                    user=user,
                    competency=link.competency,
                    level=link.level,
                    source=RatingSource.COURSE,
                    actor=actor,
                    comment=f"Passed {course.code} {course.title}",
                )
    session.flush()


# Self-assessment, prior learning, review requests ---------------------------------------------


def add_self_assessment(
    session: Session, *, user: User, competency: Competency, level: ScaleLevel, comment: str = ""
) -> SelfAssessment:
    _check_level(competency, level)
    item = SelfAssessment(
        user_id=user.id,
        competency_id=competency.id,
        level_id=level.id,
        comment=(comment or "").strip(),
    )
    session.add(item)
    session.flush()
    return item


def claim_prior_learning(
    session: Session,
    *,
    user: User,
    competency: Competency,
    level: ScaleLevel,
    description: str,
    evidence_url: str = "",
) -> PriorLearningClaim:
    _check_level(competency, level)
    if not (description or "").strip():
        raise ValidationError("Describe the earlier learning or experience.", field="description")
    claim = PriorLearningClaim(
        user_id=user.id,
        competency_id=competency.id,
        level_id=level.id,
        description=description.strip(),
        evidence_url=(evidence_url or "").strip(),
    )
    session.add(claim)
    session.flush()
    return claim


def review_claim(
    session: Session, claim: PriorLearningClaim, *, accept: bool, actor: User, comment: str = ""
) -> None:
    if claim.status != ClaimStatus.PENDING:
        raise ValidationError("This claim has already been reviewed.")
    if not actor.has_role(Role.TRAINER):
        raise ValidationError("Only a trainer or assessor can review a claim.")
    if claim.user_id == actor.id:
        raise ValidationError("You cannot review your own claim.")
    claim.status = ClaimStatus.ACCEPTED if accept else ClaimStatus.REJECTED
    claim.reviewed_by_id, claim.reviewed_at = actor.id, utcnow()
    claim.review_comment = (comment or "").strip()
    if accept:
        session.add(
            CompetencyEvidence(
                user_id=claim.user_id,
                competency_id=claim.competency_id,
                kind=EvidenceKind.PRIOR_LEARNING,
                level_id=claim.level_id,
                description=claim.description,
                url=claim.evidence_url,
                created_by_id=actor.id,
            )
        )
        rate_competency(
            session,
            user=claim.user,
            competency=claim.competency,
            level=claim.level,
            source=RatingSource.PRIOR_LEARNING,
            actor=actor,
            comment=claim.review_comment or "Prior learning accepted",
            evidence_url=claim.evidence_url,
        )
    session.flush()


def request_review(
    session: Session, *, user: User, competency: Competency, note: str = ""
) -> ReviewRequest:
    """At most one open request per competency: asking again returns the open one."""
    existing = session.scalar(
        sa.select(ReviewRequest).where(
            ReviewRequest.user_id == user.id,
            ReviewRequest.competency_id == competency.id,
            ReviewRequest.status == ReviewStatus.OPEN,
        )
    )
    if existing is not None:
        return existing
    request = ReviewRequest(user_id=user.id, competency_id=competency.id, note=(note or "").strip())
    session.add(request)
    session.flush()
    return request


def assessment_queue(session: Session) -> tuple[list[ReviewRequest], list[PriorLearningClaim]]:
    requests = list(
        session.scalars(
            sa.select(ReviewRequest)
            .options(joinedload(ReviewRequest.user), joinedload(ReviewRequest.competency))
            .where(ReviewRequest.status == ReviewStatus.OPEN)
            .order_by(ReviewRequest.requested_at)
        )
    )
    claims = list(
        session.scalars(
            sa.select(PriorLearningClaim)
            .options(joinedload(PriorLearningClaim.user), joinedload(PriorLearningClaim.competency))
            .where(PriorLearningClaim.status == ClaimStatus.PENDING)
            .order_by(PriorLearningClaim.created_at)
        )
    )
    return requests, claims


# Track progress ------------------------------------------------------------------------------


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
    from lms.courses.services import completed_course_ids

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


# Certificates ------------------------------------------------------------------------------


def _verification_code(session: Session) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not session.scalar(
            sa.select(Certificate.id).where(Certificate.verification_code == code)
        ):
            return code


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def issue_certificate(
    session: Session,
    user: User,
    track: Track,
    *,
    today: date,
    actor: Any,
    renews: Certificate | None = None,
) -> Certificate:
    policy = session.get(TrackCertificationPolicy, track.id)
    expires = (
        _add_months(today, policy.validity_months) if policy and policy.validity_months else None
    )
    certificate = Certificate(
        user_id=user.id,
        track_id=track.id,
        issued_on=today,
        expires_on=expires,
        verification_code=_verification_code(session),
        renews_id=renews.id if renews else None,
    )
    if renews is not None:
        renews.status = CertificateStatus.SUPERSEDED
    session.add(certificate)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="certificate.issued",
        entity=certificate,
        summary=f"{user.email} {track.code} {certificate.verification_code}",
    )
    return certificate


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
    return issued


def certificates_for(session: Session, user: User) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def recertification_done(session: Session, user: User, certificate: Certificate) -> bool:
    """A certificate that expires is renewed when every course of the track's recertification
    path has been passed since it was issued."""
    if certificate.expires_on is None:
        return False
    course_ids = set(
        session.scalars(
            sa.select(TrackCourse.course_id).where(
                TrackCourse.track_id == certificate.track_id,
                TrackCourse.for_recertification.is_(True),
            )
        )
    )
    if not course_ids:
        return False
    passed_since = set(
        session.scalars(
            sa.select(CourseSession.course_id)
            .join(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
            .where(
                SessionEnrolment.user_id == user.id,
                SessionEnrolment.passed.is_(True),
                CourseSession.course_id.in_(course_ids),
                CourseSession.ends_on >= certificate.issued_on,
            )
        )
    )
    return course_ids <= passed_since


def certificates_expiring(
    session: Session,
    *,
    today: date,
    within_days: int,
) -> list[Certificate]:
    """Valid certificates that lapse within ``within_days`` (for reminders)."""
    from datetime import timedelta

    return list(
        session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.user))
            .where(
                Certificate.status == CertificateStatus.VALID,
                Certificate.expires_on.is_not(None),
                Certificate.expires_on >= today,
                Certificate.expires_on <= today + timedelta(days=within_days),
            )
            .order_by(Certificate.expires_on)
        )
    )


# Gap analysis ----------------------------------------------------------------------------------


@dataclass
class Gap:
    status: TargetStatus
    courses: list[CourseCompetency]
    sessions: dict[int, list[CourseSession]]


def gap_analysis(session: Session, user: User, track: Track, *, today: date) -> list[Gap]:
    """Each competency below target, with the published courses that develop it to the target
    level or above, and their next open sessions."""
    from lms.courses.services import next_open_sessions

    progress = track_progress(session, user, track)
    gaps = progress.gaps
    if not gaps:
        return []
    links = session.scalars(
        sa.select(CourseCompetency)
        .options(joinedload(CourseCompetency.course))
        .join(Course)
        .join(ScaleLevel, ScaleLevel.id == CourseCompetency.level_id)
        .where(
            CourseCompetency.competency_id.in_([g.competency.id for g in gaps]),
            Course.status == "published",
        )
    ).all()
    by_competency: dict[int, list[CourseCompetency]] = defaultdict(list)
    for link in links:
        by_competency[link.competency_id].append(link)
    upcoming = next_open_sessions(session, [link.course_id for link in links], today)
    result = []
    for status in gaps:
        useful = [
            link
            for link in by_competency[status.competency.id]
            if link.level.position >= status.target_level.position
        ]
        useful.sort(key=lambda link: link.course.code)
        result.append(
            Gap(
                status,
                useful,
                {link.course_id: upcoming.get(link.course_id, [])[:3] for link in useful},
            )
        )
    return result


# Who may see a trainee's record -----------------------------------------------------------------


def _trainer_remit(session: Session, viewer: User, trainee: User) -> bool:
    """Trainers read the records of trainees in their sessions and of those waiting in the
    assessment queue."""
    if not viewer.has_role(Role.TRAINER):
        return False
    from lms.courses.models import session_trainers

    in_my_session = session.scalar(
        sa.select(SessionEnrolment.id)
        .join(session_trainers, session_trainers.c.session_id == SessionEnrolment.session_id)
        .where(session_trainers.c.user_id == viewer.id, SessionEnrolment.user_id == trainee.id)
        .limit(1)
    )
    if in_my_session:
        return True
    return bool(
        session.scalar(
            sa.select(ReviewRequest.id)
            .where(ReviewRequest.user_id == trainee.id, ReviewRequest.status == ReviewStatus.OPEN)
            .limit(1)
        )
        or session.scalar(
            sa.select(PriorLearningClaim.id)
            .where(
                PriorLearningClaim.user_id == trainee.id,
                PriorLearningClaim.status == ClaimStatus.PENDING,
            )
            .limit(1)
        )
    )


def can_view_trainee(session: Session, viewer: Any, trainee: User) -> bool:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == trainee.id or viewer.has_role(Role.ADMIN, Role.DIRECTORATE):
        return True
    # Other features widen the remit through the ``trainee_remit`` signal (a project manager
    # reads the records of her projects' beneficiaries).
    return _trainer_remit(session, viewer, trainee) or signals.any_listener_agrees(
        signals.trainee_remit, session, viewer=viewer, trainee=trainee
    )


def competency_profile(
    session: Session, user: User
) -> list[tuple[Competency, CompetencyRating | None, SelfAssessment | None]]:
    """Every competency the trainee has a rating or self-assessment for."""
    ratings = latest_ratings(session, user.id)
    selves = latest_self_assessments(session, user.id)
    ids = set(ratings) | set(selves)
    competencies = session.scalars(
        sa.select(Competency)
        .options(selectinload(Competency.framework))
        .where(Competency.id.in_(ids))
        .order_by(Competency.code)
    ).all()
    return [(c, ratings.get(c.id), selves.get(c.id)) for c in competencies]


def rating_history(session: Session, user: User, competency: Competency) -> list[CompetencyRating]:
    return list(
        session.scalars(
            sa.select(CompetencyRating)
            .options(joinedload(CompetencyRating.rated_by))
            .where(
                CompetencyRating.user_id == user.id, CompetencyRating.competency_id == competency.id
            )
            .order_by(CompetencyRating.rated_at.desc(), CompetencyRating.id.desc())
        )
    )


def competency_record(session: Session, user: User, competency: Competency) -> dict[str, Any]:
    """Everything recorded about one trainee and one competency, newest first."""

    def newest(model, order_column):
        return list(
            session.scalars(
                sa.select(model)
                .where(model.user_id == user.id, model.competency_id == competency.id)
                .order_by(order_column.desc(), model.id.desc())
            )
        )

    return {
        "history": rating_history(session, user, competency),
        "selves": newest(SelfAssessment, SelfAssessment.created_at),
        "claims": newest(PriorLearningClaim, PriorLearningClaim.created_at),
        "evidence": newest(CompetencyEvidence, CompetencyEvidence.created_at),
        "open_review": session.scalar(
            sa.select(ReviewRequest).where(
                ReviewRequest.user_id == user.id,
                ReviewRequest.competency_id == competency.id,
                ReviewRequest.status == ReviewStatus.OPEN,
            )
        ),
    }


def set_certification_policy(
    session: Session,
    track: Track,
    *,
    actor: Any,
    validity_months: int | None,
    reminder_days_before: int,
    recertification_note: str = "",
) -> TrackCertificationPolicy:
    """How long the track's certificates stay valid. Existing certificates keep the expiry
    they were issued with; the policy applies to certificates issued from now on."""
    if validity_months is not None and validity_months < 1:
        raise ValidationError("The validity must be at least one month.", field="validity_months")
    if reminder_days_before < 0:
        raise ValidationError("Reminders cannot come after expiry.", field="reminder_days_before")
    policy = session.get(TrackCertificationPolicy, track.id)
    before = None
    if policy is None:
        policy = TrackCertificationPolicy(track_id=track.id)
        session.add(policy)
    else:
        before = {
            "validity_months": policy.validity_months,
            "reminder_days_before": policy.reminder_days_before,
        }
    policy.validity_months = validity_months
    policy.reminder_days_before = reminder_days_before
    policy.recertification_note = (recertification_note or "").strip()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.certification_policy",
        entity=track,
        before=before,
        after={"validity_months": validity_months, "reminder_days_before": reminder_days_before},
        summary=track.code,
    )
    return policy


def carry_over_ratings(session: Session, framework: Framework, actor: Any = None) -> int:
    """When a new version is published, each trainee's current rating of an earlier
    competency is carried to the competency it became, as a new rating marked "carried over".
    The original ratings keep pointing at the version they were made against."""
    mappings = session.execute(
        sa.select(CompetencyMapping.old_competency_id, CompetencyMapping.new_competency_id)
        .join(Competency, Competency.id == CompetencyMapping.new_competency_id)
        .where(Competency.framework_id == framework.id)
        .order_by(CompetencyMapping.id)
    ).all()
    if not mappings:
        return 0
    new_by_old: dict[int, int] = {}
    for old_id, new_id in mappings:
        new_by_old.setdefault(old_id, new_id)  # a split competency: the first mapping wins
    old_ids = list(new_by_old)
    new_levels = {lv.position: lv for lv in framework.scale.levels}
    current: dict[tuple[int, int], CompetencyRating] = {}
    for rating in session.scalars(
        sa.select(CompetencyRating)
        .where(CompetencyRating.competency_id.in_(old_ids))
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ):
        current[(rating.user_id, rating.competency_id)] = rating
    already = set(
        session.execute(
            sa.select(CompetencyRating.user_id, CompetencyRating.competency_id).where(
                CompetencyRating.competency_id.in_(list(new_by_old.values()))
            )
        ).all()
    )
    carried = 0
    for (user_id, old_id), rating in current.items():
        new_id = new_by_old[old_id]
        level = new_levels.get(rating.level.position)
        if level is None or (user_id, new_id) in already:
            continue
        session.add(
            CompetencyRating(
                user_id=user_id,
                competency_id=new_id,
                level_id=level.id,
                source=RatingSource.CARRIED_OVER,
                rated_by_id=None,
                rated_at=utcnow(),
                comment=f"Carried over from {framework.code} v{framework.version - 1}: "
                f"{rating.level.name} ({rating.source.value})",
                evidence_url=rating.evidence_url,
            )
        )
        carried += 1
    session.flush()
    return carried
