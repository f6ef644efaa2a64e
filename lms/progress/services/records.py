"""Read models of a trainee's record: the competency profile, one competency's full record,
the whole record pages and reports show, and the trainee search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.accounts.models import Role, User
from lms.accounts.queries import user_search_query
from lms.courses.models import (
    SessionEnrolment,
)
from lms.courses.services import transcript, upcoming_enrolments
from lms.frameworks.models import (
    Competency,
    TrackTarget,
)
from lms.progress.models import (
    Certificate,
    CompetencyEvidence,
    CompetencyRating,
    EvidenceFile,
    PriorLearningClaim,
    ReviewRequest,
    ReviewStatus,
    SelfAssessment,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.progress.services.certificates import (
    CertificateState,
    certificate_status,
    certificates_for,
)
from lms.progress.services.corrections import rating_corrections
from lms.progress.services.ratings import latest_ratings, latest_self_assessments
from lms.progress.services.tracks import TrackProgress, enrolled_tracks, progress_for_tracks


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

    history = rating_history(session, user, competency)
    return {
        "history": history,
        # each superseded rating's correction, by rating id: one query for the whole history
        "corrections": rating_corrections(session, (r.id for r in history)),
        "selves": newest(SelfAssessment, SelfAssessment.created_at),
        "claims": newest(PriorLearningClaim, PriorLearningClaim.created_at),
        "evidence": newest(CompetencyEvidence, CompetencyEvidence.created_at),
        "files": newest(EvidenceFile, EvidenceFile.created_at),
        "targets": list(
            session.scalars(
                sa.select(TrackTarget)
                .join(TrackEnrolment, TrackEnrolment.track_id == TrackTarget.track_id)
                .options(joinedload(TrackTarget.track))
                .where(
                    TrackEnrolment.user_id == user.id,
                    TrackEnrolment.status != TrackEnrolmentStatus.WITHDRAWN,
                    TrackTarget.competency_id == competency.id,
                )
                .order_by(TrackTarget.track_id)
            )
        ),
        "open_review": session.scalar(
            sa.select(ReviewRequest).where(
                ReviewRequest.user_id == user.id,
                ReviewRequest.competency_id == competency.id,
                ReviewRequest.status == ReviewStatus.OPEN,
            )
        ),
    }


@dataclass
class TraineeRecord:
    """Everything a trainee's record shows: tracks and how far along each is, sessions to
    come, the transcript, certificates with their status on the day, and the competency
    profile when asked for."""

    trainee: User
    on: date
    progress: list[TrackProgress]
    upcoming: list[SessionEnrolment]
    transcript: list[SessionEnrolment]
    certificates: list[tuple[Certificate, CertificateState]]
    competencies: list[tuple[Competency, CompetencyRating | None, SelfAssessment | None]] = field(
        default_factory=list
    )


def trainee_record(
    session: Session,
    trainee: User,
    *,
    on: date,
    with_competencies: bool = False,
    with_progress: bool = True,
) -> TraineeRecord:
    """The one read model of a trainee's record (dashboard, profile pages, reports, API).

    ``with_progress=False`` leaves the track progress out, for a page that reads the stored
    summaries instead (``track_progress_summaries``)."""
    enrolments = enrolled_tracks(session, trainee) if with_progress else []
    return TraineeRecord(
        trainee=trainee,
        on=on,
        progress=progress_for_tracks(session, trainee, [e.track for e in enrolments]),
        upcoming=upcoming_enrolments(session, trainee, on),
        transcript=transcript(session, trainee),
        certificates=[
            (c, certificate_status(c, on=on)) for c in certificates_for(session, trainee)
        ],
        competencies=competency_profile(session, trainee) if with_competencies else [],
    )


def trainees_query(
    *, q: str = "", active_only: bool = False, member_administration_id: int | None = None
) -> sa.Select:
    """The trainee search behind the trainee pages, pickers and report forms: the accounts
    search (``user_search_query``) narrowed to people with the trainee role."""
    return user_search_query(
        q,
        role=Role.TRAINEE,
        member_id=member_administration_id,
        active=True if active_only else None,
    )
