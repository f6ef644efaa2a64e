"""What the progress feature answers to ``signals.user_history_probe``: an account with a
track enrolment, intake membership, ratings, evidence, self-assessments, prior-learning
claims, review requests or certificates, as holder or as the person who recorded them,
cannot be hard-deleted; the admin gets the reason instead of an integrity error."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.progress.models import (
    Certificate,
    CompetencyEvidence,
    CompetencyRating,
    IntakeMember,
    PriorLearningClaim,
    ReviewRequest,
    SelfAssessment,
    TrackEnrolment,
)


def _checks(user_id: int) -> tuple[tuple[sa.Select, str], ...]:
    return (
        (
            sa.select(TrackEnrolment.id).where(
                sa.or_(TrackEnrolment.user_id == user_id, TrackEnrolment.enrolled_by_id == user_id)
            ),
            "has track enrolments",
        ),
        (
            sa.select(IntakeMember.intake_id).where(IntakeMember.user_id == user_id),
            "belongs to an intake",
        ),
        (
            sa.select(CompetencyRating.id).where(
                sa.or_(CompetencyRating.user_id == user_id, CompetencyRating.rated_by_id == user_id)
            ),
            "has competency ratings",
        ),
        (
            sa.select(CompetencyEvidence.id).where(
                sa.or_(
                    CompetencyEvidence.user_id == user_id,
                    CompetencyEvidence.created_by_id == user_id,
                )
            ),
            "has competency evidence",
        ),
        (
            sa.select(SelfAssessment.id).where(SelfAssessment.user_id == user_id),
            "has self-assessments",
        ),
        (
            sa.select(PriorLearningClaim.id).where(
                sa.or_(
                    PriorLearningClaim.user_id == user_id,
                    PriorLearningClaim.reviewed_by_id == user_id,
                )
            ),
            "has prior-learning claims",
        ),
        (
            sa.select(ReviewRequest.id).where(ReviewRequest.user_id == user_id),
            "has review requests",
        ),
        (
            sa.select(Certificate.id).where(Certificate.user_id == user_id),
            "holds certificates",
        ),
    )


def progress_history(session: Session, *, user: Any, **_: Any) -> str | None:
    """The first progress record that holds the account, as a short reason, or ``None``."""
    for stmt, reason in _checks(user.id):
        if session.scalar(sa.select(stmt.exists())):
            return reason
    return None
