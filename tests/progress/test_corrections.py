"""Corrections, never silent edits: a corrected or withdrawn result, attendance mark, rating or
claim decision stays in the history, everything computed from it follows, and only the person
who recorded it (or an admin) may correct it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.corrections import CorrectionAction
from lms.core.errors import PermissionDenied, ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.courses import services as courses
from lms.courses.correction_models import EnrolmentCorrection
from lms.courses.models import EnrolmentStatus
from lms.courses.services import corrections as course_corrections
from lms.courses.services.corrections import RecordKind
from lms.notifications.models import Notification
from lms.progress import services
from lms.progress.correction_models import RatingCorrection
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    ClaimStatus,
    RatingSource,
    TrackEnrolmentStatus,
)
from lms.progress.services import corrections
from tests.courses.fixtures import TODAY


def _held(world):
    """Both sessions are over, so results can be recorded whatever the recording rules."""
    for number, course_session in enumerate((world.session_a, world.session_b), start=1):
        course_session.starts_on = TODAY - timedelta(days=10 * number)
        course_session.ends_on = TODAY - timedelta(days=10 * number - 2)
    db.session.flush()


def _certified(world, make_user):
    """A trainee who passed both required courses: track completed, certificate issued."""
    trainee = make_user(Role.TRAINEE, email="holder@example.org")
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    enrolments = [
        courses.request_enrolment(db.session, course_session, trainee, actor=trainee, today=TODAY)
        for course_session in (world.session_a, world.session_b)
    ]
    _held(world)
    for enrolment in enrolments:
        courses.mark_attendance(db.session, enrolment, attended=True, actor=world.trainer)
        courses.record_result(
            db.session,
            enrolment,
            score=Decimal("80"),
            passed=True,
            actor=world.trainer,
            today=TODAY,
        )
    db.session.commit()
    return trainee, enrolments


def test_a_corrected_result_changes_progress_revokes_the_certificate_and_tells_the_holder(
    world, make_user
):
    trainee, (a, _b) = _certified(world, make_user)
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.status == CertificateStatus.VALID
    original_event = course_corrections.recorded_event(db.session, a, RecordKind.RESULT)
    assert original_event.actor_id == world.trainer.id

    course_corrections.correct_result(
        db.session,
        a,
        score=Decimal("42"),
        passed=False,
        reason="Marked the wrong candidate's script",
        actor=world.trainer,
        today=TODAY,
    )
    db.session.commit()

    # The trainee's progress follows: one required course of two, one target of two.
    state = services.track_progress(db.session, trainee, world.specialists)
    assert (state.required_done, state.targets_met, state.percent) == (1, 1, 50)
    assert state.enrolment.status == TrackEnrolmentStatus.ACTIVE
    assert state.enrolment.completed_at is None
    # The course's rating is gone, and with it the domain's roll-up rating.
    current = services.latest_ratings(db.session, trainee.id)
    assert world.quality.id not in current and world.domain.id not in current
    assert current[world.stats.id].level.name == "Practitioner"
    # The certificate is revoked (what certificate_status reports), the holder is told.
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert services.certificate_status(certificate, on=TODAY).value == "revoked"
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == trainee.id))
    assert note.kind == "certificate.revoked" and "Data specialists" in note.title
    # The history keeps the original and the correction.
    assert (a.status, a.passed, a.score) == (EnrolmentStatus.COMPLETED, False, Decimal("42"))
    correction = db.session.scalar(sa.select(EnrolmentCorrection))
    assert correction.event_id == original_event.id
    assert correction.before == {"status": "completed", "score": "80.0", "passed": True}
    assert correction.after == {"status": "completed", "score": "42.0", "passed": False}
    assert correction.reason == "Marked the wrong candidate's script"
    notes = [e.note for e in a.events]
    assert "passed, score 80" in notes and any(n.startswith("result corrected:") for n in notes)
    # Both are in the audit log.
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("result.recorded") == 2
    assert {"result.corrected", "rating.withdrawn", "certificate.revoked", "track.reopened"} <= (
        set(actions)
    )
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "result.corrected"))
    assert entry.before == {"score": "80.0", "passed": True}
    assert entry.after == {"score": "42.0", "passed": False}


def test_a_failed_result_corrected_to_a_pass_completes_the_track(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    a = courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    b = courses.request_enrolment(db.session, world.session_b, trainee, actor=trainee, today=TODAY)
    _held(world)
    for enrolment, passed in ((a, True), (b, False)):
        courses.record_result(
            db.session, enrolment, score=None, passed=passed, actor=world.trainer, today=TODAY
        )
    assert db.session.scalar(sa.select(Certificate)) is None
    course_corrections.correct_result(
        db.session,
        b,
        score=None,
        passed=True,
        reason="Pass mark misread",
        actor=world.trainer,
        today=TODAY,
    )
    db.session.commit()
    assert services.track_progress(db.session, trainee, world.specialists).is_complete
    assert db.session.scalar(sa.select(Certificate)).status == CertificateStatus.VALID


def test_a_withdrawn_result_leaves_the_trainee_attended_with_no_result(world, make_user):
    trainee, (a, _b) = _certified(world, make_user)
    course_corrections.withdraw_result(
        db.session, a, reason="Recorded in the wrong session", actor=world.trainer, today=TODAY
    )
    db.session.commit()
    assert (a.status, a.passed, a.score) == (EnrolmentStatus.ATTENDED, None, None)
    assert world.course_a.id not in courses.completed_course_ids(db.session, trainee.id)
    assert db.session.scalar(sa.select(Certificate)).status == CertificateStatus.REVOKED
    # The mark that stands now is attendance, which can itself be corrected.
    course_corrections.correct_attendance(
        db.session, a, attended=False, reason="Was not there", actor=world.trainer
    )
    assert a.status == EnrolmentStatus.NO_SHOW
    kinds = [c.kind for c in db.session.scalars(sa.select(EnrolmentCorrection))]
    assert kinds == [RecordKind.RESULT, RecordKind.ATTENDANCE]


def test_attendance_corrected_and_withdrawn(world, make_user):
    trainee = make_user(Role.TRAINEE)
    a = courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    _held(world)
    courses.mark_attendance(db.session, a, attended=False, actor=world.trainer)
    with pytest.raises(ValidationError, match="no recorded result"):
        course_corrections.withdraw_result(
            db.session, a, reason="x", actor=world.trainer, today=TODAY
        )
    course_corrections.correct_attendance(
        db.session, a, attended=True, reason="Arrived late", actor=world.trainer
    )
    assert a.status == EnrolmentStatus.ATTENDED
    course_corrections.withdraw_attendance(
        db.session, a, reason="Register not yet checked", actor=world.trainer
    )
    assert a.status == EnrolmentStatus.ENROLLED
    assert course_corrections.recorded_event(db.session, a, RecordKind.ATTENDANCE) is None
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"attendance.corrected", "attendance.withdrawn", "attendance.recorded"} <= actions


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(world, make_user, reason):
    _trainee, (a, _b) = _certified(world, make_user)
    with pytest.raises(ValidationError, match="reason"):
        course_corrections.withdraw_result(
            db.session, a, reason=reason, actor=world.trainer, today=TODAY
        )
    assert db.session.scalar(sa.select(sa.func.count(EnrolmentCorrection.id))) == 0


def test_results_and_attendance_are_corrected_only_by_their_recorder_or_an_admin(world, make_user):
    _trainee, (a, _b) = _certified(world, make_user)
    other_trainer = make_user(Role.TRAINER, email="other.trainer@example.org")
    world.session_a.trainers.append(other_trainer)  # even a trainer of the same session
    with pytest.raises(PermissionDenied):
        course_corrections.withdraw_result(
            db.session, a, reason="Mine now", actor=other_trainer, today=TODAY
        )
    assert a.passed is True
    admin = make_user(Role.ADMIN)
    course_corrections.withdraw_result(
        db.session, a, reason="Admin clean-up", actor=admin, today=TODAY
    )
    # The attendance mark that now stands was recorded by the admin: the trainer is refused.
    with pytest.raises(PermissionDenied):
        course_corrections.correct_attendance(
            db.session, a, attended=False, reason="x", actor=world.trainer
        )


def test_a_withdrawn_rating_leaves_ratings_as_of_and_the_roll_up(world, make_user):
    trainee = make_user(Role.TRAINEE)
    practitioner, expert = world.levels["Practitioner"], world.levels["Expert"]
    for competency in (world.quality, world.stats):
        services.rate_competency(
            db.session,
            user=trainee,
            competency=competency,
            level=practitioner,
            source=RatingSource.ASSESSOR,
            actor=world.trainer,
        )
    later = services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=expert,
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    db.session.commit()
    current = services.ratings_as_of(db.session, user_ids=[trainee.id])
    assert current[(trainee.id, world.quality.id)].id == later.id
    assert current[(trainee.id, world.domain.id)].source == RatingSource.ROLLUP

    # Withdrawing the latest: the earlier rating is current again, the roll-up still holds.
    corrections.withdraw_rating(
        db.session, later, reason="Wrong trainee", actor=world.trainer, today=TODAY
    )
    current = services.ratings_as_of(db.session, user_ids=[trainee.id])
    assert current[(trainee.id, world.quality.id)].level.name == "Practitioner"
    assert (trainee.id, world.domain.id) in current
    # ... also for a past date: a withdrawn rating never counts.
    assert services.ratings_as_of(db.session, user_ids=[trainee.id], on=later.rated_at.date())[
        (trainee.id, world.quality.id)
    ].level.name == ("Practitioner")

    # Withdrawing the stats rating breaks the parent's "all children proficient" rule.
    stats = services.latest_ratings(db.session, trainee.id)[world.stats.id]
    corrections.withdraw_rating(
        db.session, stats, reason="Assessed the wrong module", actor=world.trainer, today=TODAY
    )
    db.session.commit()
    current = services.ratings_as_of(db.session, user_ids=[trainee.id])
    assert set(current) == {(trainee.id, world.quality.id)}
    withdrawn = {c.rating_id for c in db.session.scalars(sa.select(RatingCorrection))}
    assert later.id in withdrawn and stats.id in withdrawn and len(withdrawn) == 3
    # The history still shows every rating, superseded ones included.
    history = services.rating_history(db.session, trainee, world.quality)
    assert history[0].id == later.id and len(history) == 2


def test_a_corrected_rating_takes_the_original_place_and_keeps_the_history(world, make_user):
    trainee = make_user(Role.TRAINEE)
    original = services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Expert"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    correction = corrections.correct_rating(
        db.session,
        original,
        level=world.levels["Practitioner"],
        reason="Typed the wrong level",
        actor=world.trainer,
        today=TODAY,
    )
    db.session.commit()
    current = services.latest_ratings(db.session, trainee.id)[world.quality.id]
    assert current.id == correction.replacement_id and current.level.name == "Practitioner"
    assert current.rated_at == original.rated_at
    assert correction.action == CorrectionAction.CORRECTED
    assert (correction.before["level"], correction.after["level"]) == ("Expert", "Practitioner")
    with pytest.raises(ValidationError, match="already been corrected"):
        corrections.withdraw_rating(
            db.session, original, reason="again", actor=world.trainer, today=TODAY
        )
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "rating.corrected"))
    assert entry.before["level"] == "Expert" and entry.after["level"] == "Practitioner"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "rating.recorded"))


def test_a_rating_is_corrected_only_by_its_assessor_or_an_admin(world, make_user):
    trainee = make_user(Role.TRAINEE)
    rating = services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Expert"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    other = make_user(Role.TRAINER)
    with pytest.raises(PermissionDenied):
        corrections.withdraw_rating(db.session, rating, reason="x", actor=other, today=TODAY)
    assert services.latest_ratings(db.session, trainee.id)[world.quality.id].id == rating.id
    corrections.withdraw_rating(
        db.session, rating, reason="ok", actor=make_user(Role.ADMIN), today=TODAY
    )
    assert services.latest_ratings(db.session, trainee.id) == {}


def _decided_claim(world, make_user, accept=True):
    trainee = make_user(Role.TRAINEE)
    claim = services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Practitioner"],
        description="Ran the data quality unit for three years",
    )
    services.review_claim(db.session, claim, accept=accept, actor=world.trainer)
    db.session.commit()
    return trainee, claim


def test_an_accepted_claim_corrected_to_rejected_withdraws_its_rating(world, make_user):
    trainee, claim = _decided_claim(world, make_user)
    assert services.latest_ratings(db.session, trainee.id)[world.quality.id].claim_id == claim.id
    correction = corrections.correct_claim_decision(
        db.session,
        claim,
        accept=False,
        reason="The evidence was another officer's",
        actor=world.trainer,
        today=TODAY,
    )
    db.session.commit()
    assert claim.status == ClaimStatus.REJECTED
    assert services.latest_ratings(db.session, trainee.id) == {}
    assert correction.before["status"] == "accepted" and correction.after["status"] == "rejected"
    assert [c.id for c in corrections.claim_corrections(db.session, claim)] == [correction.id]
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"claim.decided", "claim.decision_corrected", "rating.withdrawn"} <= actions

    # Rejected → accepted rates again; withdrawing the decision puts the claim back in the queue.
    corrections.correct_claim_decision(
        db.session, claim, accept=True, reason="Checked again", actor=world.trainer, today=TODAY
    )
    assert services.latest_ratings(db.session, trainee.id)[world.quality.id].claim_id == claim.id
    corrections.withdraw_claim_decision(
        db.session, claim, reason="Needs a second assessor", actor=world.trainer, today=TODAY
    )
    db.session.commit()
    assert claim.status == ClaimStatus.PENDING and claim.reviewed_by_id is None
    assert services.latest_ratings(db.session, trainee.id) == {}
    assert claim in services.assessment_queue(db.session)[1]


def test_a_claim_decision_is_corrected_only_by_its_reviewer_or_an_admin(world, make_user):
    _trainee, claim = _decided_claim(world, make_user, accept=False)
    other = make_user(Role.TRAINER)
    with pytest.raises(PermissionDenied):
        corrections.correct_claim_decision(
            db.session, claim, accept=True, reason="x", actor=other, today=TODAY
        )
    assert claim.status == ClaimStatus.REJECTED
    corrections.correct_claim_decision(
        db.session, claim, accept=True, reason="y", actor=make_user(Role.ADMIN), today=TODAY
    )
    assert claim.status == ClaimStatus.ACCEPTED
