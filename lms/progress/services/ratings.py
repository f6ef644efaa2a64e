"""Competency ratings and evidence: the one "latest rating wins" read model, rating (by a
trainer, a course pass, a roll-up rule, accepted prior learning or a new framework version),
self-assessments, prior-learning claims and review requests.

Ratings are append-only: the current level is the latest rating, never an overwritten row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.accounts.models import Role, User
from lms.core import signals
from lms.core.audit import record_change
from lms.core.errors import ValidationError
from lms.core.i18n import _, in_language, localised
from lms.core.model_base import utcnow
from lms.courses.models import (
    Course,
    ExternalCompletion,
    PassOutcome,
    SessionEnrolment,
)
from lms.frameworks.models import (
    Competency,
    CompetencyMapping,
    Framework,
    ScaleLevel,
)
from lms.frameworks.services import rollup_met
from lms.progress.correction_models import RatingCorrection
from lms.progress.models import (
    ClaimStatus,
    CompetencyEvidence,
    CompetencyRating,
    EvidenceKind,
    PriorLearningClaim,
    RatingSource,
    ReviewRequest,
    ReviewStatus,
    SelfAssessment,
)
from lms.progress.services.summaries import refresh_summaries, refresh_user_summaries


def ratings_as_of(
    session: Session,
    *,
    user_ids: Iterable[int] | None = None,
    competency_ids: Iterable[int] | None = None,
    on: date | None = None,
) -> dict[tuple[int, int], CompetencyRating]:
    """The current rating per (user id, competency id): the latest one, since ratings are
    never overwritten. With ``on``, as the record stood at the end of that day (reports of a
    past period). ``None`` for users or competencies means all of them.

    The one "latest rating wins" rule: every page, report and job asks here."""
    stmt = (
        sa.select(CompetencyRating)
        .options(joinedload(CompetencyRating.level))
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    )
    if user_ids is not None:
        user_ids = list(user_ids)
        if not user_ids:
            return {}
        stmt = stmt.where(CompetencyRating.user_id.in_(user_ids))
    if competency_ids is not None:
        competency_ids = list(competency_ids)
        if not competency_ids:
            return {}
        stmt = stmt.where(CompetencyRating.competency_id.in_(competency_ids))
    # A corrected or withdrawn rating never counts, on any date: the correction says it was
    # wrong (its replacement, if any, takes its place).
    stmt = stmt.where(~sa.exists().where(RatingCorrection.rating_id == CompetencyRating.id))
    if on is not None:  # the end of that day, in UTC like every timestamp
        end = datetime.combine(on + timedelta(days=1), time(), tzinfo=UTC)
        stmt = stmt.where(CompetencyRating.rated_at < end)
    current: dict[tuple[int, int], CompetencyRating] = {}
    for rating in session.scalars(stmt):
        current[(rating.user_id, rating.competency_id)] = rating
    return current


def latest_ratings(
    session: Session,
    user_id: int,
    competency_ids: Iterable[int] | None = None,
    *,
    on: date | None = None,
) -> dict[int, CompetencyRating]:
    """One trainee's current rating per competency (``ratings_as_of`` for one user)."""
    return {
        competency_id: rating
        for (_user_id, competency_id), rating in ratings_as_of(
            session, user_ids=[user_id], competency_ids=competency_ids, on=on
        ).items()
    }


def latest_ratings_for_users(
    session: Session,
    user_ids: Iterable[int],
    competency_ids: Iterable[int],
    *,
    on: date | None = None,
) -> dict[int, dict[int, CompetencyRating]]:
    """Current rating per competency and user, for many trainees at once (reports, roll-ups)."""
    current: dict[int, dict[int, CompetencyRating]] = defaultdict(dict)
    for (user_id, competency_id), rating in ratings_as_of(
        session, user_ids=user_ids, competency_ids=competency_ids, on=on
    ).items():
        current[competency_id][user_id] = rating
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


def _audit_rating(session: Session, rating: CompetencyRating, actor: Any, email: str) -> None:
    session.flush()
    record_change(
        session,
        actor=actor,
        action="rating.recorded",
        entity=rating,
        after={
            "competency_id": rating.competency_id,
            "level_id": rating.level_id,
            "source": rating.source.value,
        },
        summary=f"{email}: {rating.comment}"[:300],
    )


def _check_level(competency: Competency, level: ScaleLevel) -> None:
    if level.scale_id != competency.framework.scale_id:
        raise ValidationError(
            _(
                "%(name)s is not a level of %(code)s's scale.",
                name=level.name,
                code=competency.code,
            ),
            field="level_id",
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
        raise ValidationError(_("Only a trainer or assessor can rate a competency."))
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
    _audit_rating(session, rating, actor, user.email)
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
    refresh_user_summaries(session, user.id)
    _announce_rating(session, rating, actor)
    return rating


def _announce_rating(session: Session, rating: CompetencyRating, actor: Any) -> None:
    session.flush()
    signals.competency_rated.send(session, rating=rating, actor=actor)


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
        rollup = CompetencyRating(
            user_id=user.id,
            competency_id=parent.id,
            level_id=level.id,
            source=RatingSource.ROLLUP,
            comment=note,
            rated_at=utcnow(),
        )
        session.add(rollup)
        _audit_rating(session, rollup, actor, user.email)
        _announce_rating(session, rollup, actor)
        parent = parent.parent


def apply_course_pass(session: Session, enrolment: SessionEnrolment, *, actor: Any) -> None:
    """What a passed session result does to each competency the course develops."""
    _apply_pass(
        session,
        enrolment.session.course,
        enrolment.user,
        actor=actor,
        source={"session_enrolment_id": enrolment.id},
    )


def apply_external_pass(session: Session, completion: ExternalCompletion, *, actor: Any) -> None:
    """The same for a course completed on another platform (an xAPI statement): the same
    rule, the evidence and ratings tied to the completion instead of a session enrolment."""
    _apply_pass(
        session,
        completion.course,
        completion.user,
        actor=actor,
        source={"external_completion_id": completion.id},
    )


def _apply_pass(
    session: Session, course: Course, user: User, *, actor: Any, source: dict[str, int]
) -> None:
    """What a pass does to each competency the course develops (Moodle's rule outcomes).

    ``source`` names what the pass came from (a session enrolment, an external completion):
    the evidence and ratings keep it, so a correction of it withdraws them too. The notes it
    writes on the trainee's record are in the trainee's language: she is their first reader,
    and a stored note cannot follow each reader's language."""
    with in_language(user.preferred_language):
        passed = _("Passed %(code)s %(title)s", code=course.code, title=localised(course, "title"))
        review_note = _("Passed %(code)s; please review.", code=course.code)
    for link in course.competencies:
        if link.outcome == PassOutcome.NONE:
            continue
        session.add(
            CompetencyEvidence(
                user_id=user.id,
                competency_id=link.competency_id,
                kind=EvidenceKind.COURSE_COMPLETION,
                level_id=link.level_id,
                description=passed,
                created_by_id=getattr(actor, "id", None),
                **source,
            )
        )
        if link.outcome == PassOutcome.REVIEW:
            request_review(
                session,
                user=user,
                competency=link.competency,
                note=review_note,
            )
        elif link.outcome == PassOutcome.RATE:
            current = latest_ratings(session, user.id, [link.competency_id]).get(link.competency_id)
            if current is None or current.level.position < link.level.position:
                rated = rate_competency(
                    session,
                    user=user,
                    competency=link.competency,
                    level=link.level,
                    source=RatingSource.COURSE,
                    actor=actor,
                    comment=passed,
                )
                for key, value in source.items():  # a corrected result withdraws it
                    setattr(rated, key, value)
    session.flush()


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
        raise ValidationError(
            _("Describe the earlier learning or experience."), field="description"
        )
    claim = PriorLearningClaim(
        user_id=user.id,
        competency_id=competency.id,
        level_id=level.id,
        description=description.strip(),
        evidence_url=(evidence_url or "").strip(),
    )
    session.add(claim)
    session.flush()
    record_change(
        session,
        actor=user,
        action="claim.submitted",
        entity=claim,
        after={"competency_id": competency.id, "level_id": level.id, "status": claim.status.value},
        summary=user.email,
    )
    return claim


def review_claim(
    session: Session, claim: PriorLearningClaim, *, accept: bool, actor: User, comment: str = ""
) -> None:
    if claim.status != ClaimStatus.PENDING:
        raise ValidationError(_("This claim has already been reviewed."))
    if not actor.has_role(Role.TRAINER):
        raise ValidationError(_("Only a trainer or assessor can review a claim."))
    if claim.user_id == actor.id:
        raise ValidationError(_("You cannot review your own claim."))
    claim.status = ClaimStatus.ACCEPTED if accept else ClaimStatus.REJECTED
    claim.reviewed_by_id, claim.reviewed_at = actor.id, utcnow()
    claim.review_comment = (comment or "").strip()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="claim.decided",
        entity=claim,
        before={"status": ClaimStatus.PENDING.value},
        after={"status": claim.status.value, "review_comment": claim.review_comment},
        summary=claim.user.email,
    )
    if accept:
        rate_accepted_claim(session, claim, actor=actor)
    session.flush()


def rate_accepted_claim(
    session: Session, claim: PriorLearningClaim, *, actor: Any
) -> CompetencyRating:
    """What accepting a claim records, on a first decision or a corrected one: the claim as
    evidence and a prior-learning rating that names the claim (so a corrected decision can
    withdraw it)."""
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
    rated = rate_competency(
        session,
        user=claim.user,
        competency=claim.competency,
        level=claim.level,
        source=RatingSource.PRIOR_LEARNING,
        actor=actor,
        comment=claim.review_comment or "Prior learning accepted",
        evidence_url=claim.evidence_url,
    )
    rated.claim_id = claim.id
    return rated


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


def open_review_requests_query() -> sa.Select[tuple[ReviewRequest]]:
    """The review requests waiting in the assessment queue, oldest first (trainee and
    competency loaded with them)."""
    return (
        sa.select(ReviewRequest)
        .options(joinedload(ReviewRequest.user), joinedload(ReviewRequest.competency))
        .where(ReviewRequest.status == ReviewStatus.OPEN)
        .order_by(ReviewRequest.requested_at, ReviewRequest.id)
    )


def pending_claims_query() -> sa.Select[tuple[PriorLearningClaim]]:
    """The prior-learning claims waiting in the assessment queue, oldest first (trainee,
    competency and evidence files loaded with them)."""
    return (
        sa.select(PriorLearningClaim)
        .options(
            joinedload(PriorLearningClaim.user),
            joinedload(PriorLearningClaim.competency),
            selectinload(PriorLearningClaim.files),
        )
        .where(PriorLearningClaim.status == ClaimStatus.PENDING)
        .order_by(PriorLearningClaim.created_at, PriorLearningClaim.id)
    )


def assessment_queue(
    session: Session, limit: int | None = None
) -> tuple[list[ReviewRequest], list[PriorLearningClaim], int]:
    """The first ``limit`` (else all) open review requests and pending claims, oldest first,
    and how many of both wait in the queue (one count for the two)."""
    requests = list(session.scalars(open_review_requests_query().limit(limit)))
    claims = list(session.scalars(pending_claims_query().limit(limit)))
    waiting = session.scalar(
        sa.select(
            sa.select(sa.func.count(ReviewRequest.id))
            .where(ReviewRequest.status == ReviewStatus.OPEN)
            .scalar_subquery()
            + sa.select(sa.func.count(PriorLearningClaim.id))
            .where(PriorLearningClaim.status == ClaimStatus.PENDING)
            .scalar_subquery()
        )
    )
    return requests, claims, waiting or 0


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
    current = ratings_as_of(session, competency_ids=old_ids)
    already = set(
        session.execute(
            sa.select(CompetencyRating.user_id, CompetencyRating.competency_id).where(
                CompetencyRating.competency_id.in_(list(new_by_old.values()))
            )
        ).all()
    )
    carried, carried_to = 0, set()
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
        carried_to.add(user_id)
    session.flush()
    if carried_to:
        refresh_summaries(session, user_ids=carried_to)
    if carried:
        record_change(
            session,
            actor=actor,
            action="ratings.carried_over",
            entity=framework,
            after={"ratings": carried},
            summary=f"{framework.code} v{framework.version}",
        )
    return carried
