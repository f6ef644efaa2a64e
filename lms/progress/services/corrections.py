"""Correcting or withdrawing ratings and claim decisions, and what follows from a correction
anywhere (``lms.core.corrections``: the one pattern).

A superseded rating stays in the history and ``ratings_as_of`` skips it, so profiles, track
progress, reports and charts follow. A correction then goes up the tree (a roll-up rating whose
rule is no longer met is withdrawn too), and across the tracks the correction touched: a
completed track that is no longer complete is reopened and its certificate revoked, with a
notification to the holder. A result corrected in courses reaches here through
``signals.session_result_corrected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.core import signals
from lms.core.audit import record_change
from lms.core.corrections import CorrectionAction, clean_reason
from lms.core.errors import PermissionDenied, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.courses.models import SessionEnrolment, TrackCourse
from lms.frameworks.models import Competency, ScaleLevel, TrackTarget
from lms.frameworks.services import rollup_met
from lms.notifications.registry import notification_kind
from lms.notifications.services import notify
from lms.progress.correction_models import ClaimCorrection, RatingCorrection
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    ClaimStatus,
    CompetencyRating,
    PriorLearningClaim,
    RatingSource,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.progress.permissions import can_correct_claim_decision, can_correct_rating
from lms.progress.services.ratings import (
    _apply_rollups,
    _check_level,
    latest_ratings,
    rate_accepted_claim,
)
from lms.progress.services.tracks import (
    on_session_result_recorded,
    progress_for_tracks,
    update_track_completion,
)

CERTIFICATE_REVOKED_KIND = notification_kind(
    "certificate.revoked",
    _l("A certificate of yours was revoked"),
    description=_l("A correction of your record removed what the certificate was based on."),
)


def _rating_picture(rating: CompetencyRating) -> dict[str, Any]:
    return {
        "rating_id": rating.id,
        "level": rating.level.name,
        "source": rating.source.value,
        "comment": rating.comment,
    }


def is_superseded(session: Session, rating: CompetencyRating) -> bool:
    return bool(
        session.scalar(
            sa.select(RatingCorrection.id).where(RatingCorrection.rating_id == rating.id)
        )
    )


def rating_corrections(session: Session, rating_ids: Iterable[int]) -> dict[int, RatingCorrection]:
    """The correction of each superseded rating, by rating id (the history shows them)."""
    ids = list(rating_ids)
    if not ids:
        return {}
    return {
        c.rating_id: c
        for c in session.scalars(
            sa.select(RatingCorrection)
            .options(joinedload(RatingCorrection.corrected_by))
            .where(RatingCorrection.rating_id.in_(ids))
        )
    }


def _supersede_rating(
    session: Session,
    rating: CompetencyRating,
    *,
    reason: str,
    actor: Any,
    replacement: CompetencyRating | None = None,
) -> RatingCorrection:
    before = _rating_picture(rating)
    correction = RatingCorrection(
        rating_id=rating.id,
        replacement_id=replacement.id if replacement else None,
        action=CorrectionAction.CORRECTED if replacement else CorrectionAction.WITHDRAWN,
        reason=reason,
        corrected_by_id=getattr(actor, "id", None),
        corrected_at=utcnow(),
        before=before,
        after=_rating_picture(replacement) if replacement else {},
    )
    session.add(correction)
    session.flush()
    record_change(
        session,
        actor=actor,
        action=f"rating.{correction.action.value}",
        entity=rating,
        entity_type="CompetencyRating",
        before=before,
        after=correction.after or {"rating_id": None},
        summary=f"{rating.user.email} {rating.competency.code}: {reason}",
    )
    return correction


def _check_rating(session: Session, rating: CompetencyRating, actor: Any) -> None:
    if is_superseded(session, rating):
        raise ValidationError(_("This rating has already been corrected or withdrawn."))
    if not can_correct_rating(actor, rating):
        raise PermissionDenied(
            _("Only the person who gave this rating, or an administrator, can correct it.")
        )


def correct_rating(
    session: Session,
    rating: CompetencyRating,
    *,
    level: ScaleLevel,
    reason: str,
    actor: Any,
    today: date,
    comment: str = "",
) -> RatingCorrection:
    """Replace a rating by one at the corrected level; it keeps the original's place in time
    (a later rating still wins) and its origin."""
    reason = clean_reason(reason)
    _check_rating(session, rating, actor)
    _check_level(rating.competency, level)
    if level.id == rating.level_id:
        raise ValidationError(_("Choose a different level, or withdraw the rating."), field="level")
    replacement = CompetencyRating(
        user_id=rating.user_id,
        competency_id=rating.competency_id,
        level_id=level.id,
        source=rating.source,
        rated_by_id=getattr(actor, "id", None),
        rated_at=rating.rated_at,
        comment=(comment or "").strip() or rating.comment,
        evidence_url=rating.evidence_url,
        session_enrolment_id=rating.session_enrolment_id,
        claim_id=rating.claim_id,
    )
    session.add(replacement)
    session.flush()
    correction = _supersede_rating(
        session, rating, reason=reason, actor=actor, replacement=replacement
    )
    follow_correction(
        session, rating.user, [rating.competency], actor=actor, reason=reason, today=today
    )
    return correction


def withdraw_rating(
    session: Session, rating: CompetencyRating, *, reason: str, actor: Any, today: date
) -> RatingCorrection:
    """The rating no longer counts: the one before it (if any) is current again."""
    reason = clean_reason(reason)
    _check_rating(session, rating, actor)
    correction = _supersede_rating(session, rating, reason=reason, actor=actor)
    follow_correction(
        session, rating.user, [rating.competency], actor=actor, reason=reason, today=today
    )
    return correction


def _withdraw_ratings_from(
    session: Session, where: sa.ColumnElement[bool], *, actor: Any, reason: str
) -> list[Competency]:
    """Withdraw (as a consequence, without a permission check) the standing ratings that came
    from a record that no longer counts."""
    touched = []
    for rating in session.scalars(
        sa.select(CompetencyRating)
        .where(where, ~sa.exists().where(RatingCorrection.rating_id == CompetencyRating.id))
        .order_by(CompetencyRating.id)
    ):
        _supersede_rating(session, rating, reason=reason, actor=actor)
        touched.append(rating.competency)
    return touched


def _revisit_rollups(
    session: Session, user: User, competency: Competency, *, actor: Any, reason: str
) -> list[Competency]:
    """Walk up from ``competency``: a parent rated by its roll-up rule whose rule is no longer
    met is withdrawn too; a rule now met rates the parent (``_apply_rollups``)."""
    touched = []
    parent = competency.parent
    while parent is not None and parent.rule.value != "none":
        ids = [c.id for c in parent.children] + [parent.id]
        current = latest_ratings(session, user.id, ids)
        proficient = {cid for cid, r in current.items() if r.level.is_proficient}
        standing = current.get(parent.id)
        if (
            standing is None
            or standing.source != RatingSource.ROLLUP
            or rollup_met(parent, proficient)
        ):
            break
        _supersede_rating(
            session,
            standing,
            reason=f"Roll-up rule no longer met after a correction: {reason}",
            actor=actor,
        )
        touched.append(parent)
        parent = parent.parent
    _apply_rollups(session, user, competency.parent, actor=actor)
    return touched


def revoke_certificate(
    session: Session, certificate: Certificate, *, actor: Any, reason: str
) -> None:
    """Revoke a certificate (the status ``certificate_status`` reports as revoked) and tell
    the holder."""
    if certificate.status == CertificateStatus.REVOKED:
        return
    before = {"status": certificate.status.value}
    certificate.status = CertificateStatus.REVOKED
    session.flush()
    record_change(
        session,
        actor=actor,
        action="certificate.revoked",
        entity=certificate,
        before=before,
        after={"status": certificate.status.value},
        summary=f"{certificate.user.email} {certificate.track.code}: {reason}",
    )
    signals.certificate_revoked.send(session, certificate=certificate, actor=actor, reason=reason)
    notify(
        session,
        certificate.user,
        CERTIFICATE_REVOKED_KIND.key,
        f"Your {certificate.track.name} certificate was revoked",
        f"A correction of your record removed what it was based on: {reason}",
        "/learning",
    )


def _tracks_touched(session: Session, competency_ids: set[int], course_ids: set[int]) -> set[int]:
    by_target = set(
        session.scalars(
            sa.select(TrackTarget.track_id).where(TrackTarget.competency_id.in_(competency_ids))
        )
    )
    by_course = set(
        session.scalars(
            sa.select(TrackCourse.track_id).where(TrackCourse.course_id.in_(course_ids))
        )
    )
    return by_target | by_course


def follow_correction(
    session: Session,
    user: User,
    competencies: list[Competency],
    *,
    actor: Any,
    reason: str,
    today: date,
    course_ids: Iterable[int] = (),
) -> list[Certificate]:
    """After a correction: roll-ups up the tree, then every completed track the correction
    touched is checked again — no longer complete, it is reopened and its certificates
    revoked — and tracks now complete are completed (``update_track_completion``)."""
    touched = list(competencies)
    for competency in competencies:
        touched += _revisit_rollups(session, user, competency, actor=actor, reason=reason)
    track_ids = _tracks_touched(session, {c.id for c in touched}, set(course_ids))
    completed = [
        e
        for e in session.scalars(
            sa.select(TrackEnrolment).where(
                TrackEnrolment.user_id == user.id,
                TrackEnrolment.status == TrackEnrolmentStatus.COMPLETED,
                TrackEnrolment.track_id.in_(track_ids),
            )
        )
    ]
    revoked: list[Certificate] = []
    for progress in progress_for_tracks(session, user, [e.track for e in completed]):
        if progress.is_complete:
            continue
        enrolment = progress.enrolment
        enrolment.status, enrolment.completed_at = TrackEnrolmentStatus.ACTIVE, None
        record_change(
            session,
            actor=actor,
            action="track.reopened",
            entity=enrolment,
            before={"status": TrackEnrolmentStatus.COMPLETED.value},
            after={"status": enrolment.status.value},
            summary=f"{user.email} {progress.track.code}: {reason}",
        )
        for certificate in session.scalars(
            sa.select(Certificate).where(
                Certificate.user_id == user.id,
                Certificate.track_id == progress.track.id,
                Certificate.status == CertificateStatus.VALID,
            )
        ):
            revoke_certificate(session, certificate, actor=actor, reason=reason)
            revoked.append(certificate)
    update_track_completion(session, user, actor=actor, today=today)
    return revoked


def on_session_result_corrected(
    session: Session,
    *,
    enrolment: SessionEnrolment,
    actor: Any,
    was_passed: bool,
    reason: str,
    today: date,
    **_: Any,
) -> None:
    """Listener of ``session_result_corrected``: a pass that no longer stands takes its
    ratings with it (and what they supported); a new pass counts as one."""
    now_passed = bool(enrolment.passed)
    if now_passed and not was_passed:
        on_session_result_recorded(session, enrolment=enrolment, actor=actor, today=today)
    elif was_passed and not now_passed:
        touched = _withdraw_ratings_from(
            session,
            CompetencyRating.session_enrolment_id == enrolment.id,
            actor=actor,
            reason=f"The result it came from was corrected: {reason}",
        )
        follow_correction(
            session,
            enrolment.user,
            touched,
            actor=actor,
            reason=reason,
            today=today,
            course_ids=[enrolment.session.course_id],
        )


# Claim decisions -------------------------------------------------------------------------


def _claim_picture(claim: PriorLearningClaim) -> dict[str, Any]:
    return {
        "status": claim.status.value,
        "reviewed_by_id": claim.reviewed_by_id,
        "reviewed_at": claim.reviewed_at.isoformat() if claim.reviewed_at else None,
        "review_comment": claim.review_comment,
    }


def claim_corrections(session: Session, claim: PriorLearningClaim) -> list[ClaimCorrection]:
    return list(
        session.scalars(
            sa.select(ClaimCorrection)
            .where(ClaimCorrection.claim_id == claim.id)
            .order_by(ClaimCorrection.corrected_at, ClaimCorrection.id)
        )
    )


def _decide_again(
    session: Session,
    claim: PriorLearningClaim,
    *,
    status: ClaimStatus,
    comment: str,
    reason: str,
    actor: Any,
    today: date,
) -> ClaimCorrection:
    reason = clean_reason(reason)
    if not can_correct_claim_decision(actor, claim):
        raise PermissionDenied(
            _("Only the trainer who decided this claim, or an administrator, can correct it.")
        )
    if status == claim.status:
        raise ValidationError(_("The claim is already decided that way."))
    if claim.user_id == getattr(actor, "id", None):
        raise ValidationError(_("You cannot decide your own claim."))
    was_accepted = claim.status == ClaimStatus.ACCEPTED
    before = _claim_picture(claim)
    claim.status = status
    if status == ClaimStatus.PENDING:
        claim.reviewed_by_id = claim.reviewed_at = None
        claim.review_comment = ""
    else:
        claim.reviewed_by_id, claim.reviewed_at = actor.id, utcnow()
        claim.review_comment = (comment or "").strip()
    session.flush()
    pending = status == ClaimStatus.PENDING
    correction = ClaimCorrection(
        claim_id=claim.id,
        action=CorrectionAction.WITHDRAWN if pending else CorrectionAction.CORRECTED,
        reason=reason,
        corrected_by_id=actor.id,
        corrected_at=utcnow(),
        before=before,
        after={} if pending else _claim_picture(claim),
    )
    session.add(correction)
    session.flush()
    record_change(
        session,
        actor=actor,
        action=f"claim.decision_{correction.action.value}",
        entity=claim,
        before=before,
        after=_claim_picture(claim),
        summary=f"{claim.user.email} {claim.competency.code}: {reason}",
    )
    touched: list[Competency] = []
    if was_accepted:
        touched = _withdraw_ratings_from(
            session,
            CompetencyRating.claim_id == claim.id,
            actor=actor,
            reason=f"The claim decision it came from was corrected: {reason}",
        )
    if status == ClaimStatus.ACCEPTED:
        rate_accepted_claim(session, claim, actor=actor)
    follow_correction(session, claim.user, touched, actor=actor, reason=reason, today=today)
    return correction


def correct_claim_decision(
    session: Session,
    claim: PriorLearningClaim,
    *,
    accept: bool,
    reason: str,
    actor: Any,
    today: date,
    comment: str = "",
) -> ClaimCorrection:
    """Accepted ↔ rejected. Accepting rates the competency; un-accepting withdraws that rating."""
    status = ClaimStatus.ACCEPTED if accept else ClaimStatus.REJECTED
    return _decide_again(
        session, claim, status=status, comment=comment, reason=reason, actor=actor, today=today
    )


def withdraw_claim_decision(
    session: Session, claim: PriorLearningClaim, *, reason: str, actor: Any, today: date
) -> ClaimCorrection:
    """The decision no longer counts: the claim waits in the queue again."""
    return _decide_again(
        session,
        claim,
        status=ClaimStatus.PENDING,
        comment="",
        reason=reason,
        actor=actor,
        today=today,
    )
