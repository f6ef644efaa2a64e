"""Who may read a trainee's record, who may rate it, and who manages intakes.

A trainee reads her own record; the directorate and administrators read every record;
trainers read the records of their sessions' trainees and of those in the assessment queue;
other features widen the remit through the ``trainee_remit`` signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import Role, User
from lms.core import signals
from lms.core.corrections import is_recorder_or_admin
from lms.courses.models import (
    SessionEnrolment,
    session_trainers,
)
from lms.courses.permissions import is_editor
from lms.progress.models import (
    ClaimStatus,
    CompetencyRating,
    EvidenceFile,
    Intake,
    PriorLearningClaim,
    ReviewRequest,
    ReviewStatus,
)


def _trainer_remit(session: Session, viewer: User, trainee: User) -> bool:
    """Trainers read the records of trainees in their sessions and of those waiting in the
    assessment queue."""
    if not viewer.has_role(Role.TRAINER):
        return False
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


def trainees_in_remit(session: Session, viewer: Any, trainees: Iterable[User]) -> set[int]:
    """The ids of ``trainees`` whose records ``viewer`` may read: the answer of
    ``can_view_trainee`` for each, in a fixed number of queries for the whole list (a page of
    trainees asks once, not once per row)."""
    trainees = list(trainees)
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not trainees:
        return set()
    ids = {trainee.id for trainee in trainees}
    if viewer.has_role(Role.ADMIN, Role.DIRECTORATE):
        return ids
    granted = {viewer.id} & ids
    granted |= _trainer_remit_set(session, viewer, ids - granted)
    others = [trainee for trainee in trainees if trainee.id not in granted]
    if others:
        for answer in signals.values_from_signal(
            signals.trainee_remit_set.send(session, viewer=viewer, trainees=others)
        ):
            granted |= set(answer) & ids
    return granted


def _trainer_remit_set(session: Session, viewer: User, ids: set[int]) -> set[int]:
    """``_trainer_remit`` for many trainees: one query for all of them."""
    if not ids or not viewer.has_role(Role.TRAINER):
        return set()
    in_my_sessions = (
        sa.select(SessionEnrolment.user_id)
        .join(session_trainers, session_trainers.c.session_id == SessionEnrolment.session_id)
        .where(session_trainers.c.user_id == viewer.id, SessionEnrolment.user_id.in_(ids))
    )
    in_review = sa.select(ReviewRequest.user_id).where(
        ReviewRequest.user_id.in_(ids), ReviewRequest.status == ReviewStatus.OPEN
    )
    claiming = sa.select(PriorLearningClaim.user_id).where(
        PriorLearningClaim.user_id.in_(ids), PriorLearningClaim.status == ClaimStatus.PENDING
    )
    return set(session.scalars(sa.union(in_my_sessions, in_review, claiming)))


def can_view_evidence_file(session: Session, viewer: Any, evidence: EvidenceFile) -> bool:
    """An evidence file is read by whoever may read the trainee's record, and by the person
    who uploaded it (the assessor who rated with it)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == evidence.uploaded_by_id or can_view_trainee(session, viewer, evidence.user)


def can_rate(user: Any, trainee: User) -> bool:
    """Any trainer (or assessor) may rate a trainee, except herself: nobody rates their own
    competencies."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_role(Role.TRAINER)
        and user.id != trainee.id
    )


def is_own_record(user: Any, trainee: User) -> bool:
    """Self-assessments, prior-learning claims and review requests are the trainee's own."""
    return getattr(user, "id", None) == trainee.id


def can_correct_rating(user: Any, rating: CompetencyRating) -> bool:
    """A rating is corrected or withdrawn by the person who gave it, or an administrator
    (ratings given by a rule, a roll-up or a carried-over version: administrators only)."""
    return is_recorder_or_admin(user, rating.rated_by_id)


def can_correct_claim_decision(user: Any, claim: PriorLearningClaim) -> bool:
    """A claim decision is corrected by the trainer who took it, or an administrator."""
    return claim.status != ClaimStatus.PENDING and is_recorder_or_admin(user, claim.reviewed_by_id)


def _editor_rule(user: Any, record: Any) -> bool:
    return is_editor(user)


RULES = ((Intake, _editor_rule, _editor_rule),)
