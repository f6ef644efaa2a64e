"""Deleting an account held by progress records is refused with a reason, not an integrity
error (the ``user_history_probe`` listener of the progress feature): one test per kind."""

from __future__ import annotations

import pytest

from lms.accounts import services as accounts
from lms.accounts.history import history_reasons
from lms.accounts.models import Role
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.progress import services
from lms.progress.models import (
    CompetencyEvidence,
    EvidenceKind,
    Intake,
    IntakeMember,
    RatingSource,
)
from tests.courses.fixtures import TODAY

OWN_HISTORY = ("has logged in", "has made recorded changes")


def _reason(user):
    """The first reason after the account's own history (every change to a learning record is
    audited, so whoever made one "has made recorded changes" first)."""
    db.session.commit()
    assert accounts.history_reason(db.session, user) is not None
    return next(r for r in history_reasons(db.session, user) if r not in OWN_HISTORY)


def test_a_trainee_who_never_logged_in_but_has_a_track_enrolment_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=world.manager)
    assert _reason(trainee) == "has track enrolments"
    with pytest.raises(ConflictError, match=r"has track enrolments.*deactivate it instead"):
        accounts.delete_user(db.session, trainee, actor=world.manager)


def test_a_manager_who_enrolled_someone_in_a_track_is_not_deleted(world, make_user):
    enroller = make_user(Role.DIRECTORATE)
    trainee = make_user(Role.TRAINEE)
    enrolment = services.enrol_in_track(db.session, trainee, world.specialists, actor=None)
    enrolment.enrolled_by_id = enroller.id
    assert _reason(enroller) == "has track enrolments"


def test_an_intake_member_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    intake = Intake(name="2026 intake", track_id=world.specialists.id, year=2026)
    db.session.add(intake)
    db.session.flush()
    db.session.add(IntakeMember(intake_id=intake.id, user_id=trainee.id))
    assert _reason(trainee) == "belongs to an intake"


def test_a_rated_trainee_and_the_rater_are_not_deleted(world, make_user):
    trainee, rater = make_user(Role.TRAINEE), make_user(Role.TRAINER)
    services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Practitioner"],
        source=RatingSource.ASSESSOR,
        actor=rater,
    )
    assert _reason(trainee) == "has competency ratings"
    assert _reason(rater) == "has competency ratings"


def test_a_trainee_with_evidence_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    db.session.add(
        CompetencyEvidence(
            user_id=trainee.id, competency_id=world.quality.id, kind=EvidenceKind.ASSESSOR_NOTE
        )
    )
    assert _reason(trainee) == "has competency evidence"


def test_a_trainee_with_a_self_assessment_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.add_self_assessment(
        db.session, user=trainee, competency=world.quality, level=world.levels["Awareness"]
    )
    assert _reason(trainee) == "has self-assessments"


def test_a_trainee_with_a_prior_learning_claim_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Practitioner"],
        description="Ten years of declaration audits",
    )
    assert _reason(trainee) == "has prior-learning claims"


def test_a_trainee_with_a_review_request_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.request_review(db.session, user=trainee, competency=world.quality)
    assert _reason(trainee) == "has review requests"


def test_a_certificate_holder_is_not_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.issue_certificate(
        db.session, trainee, world.specialists, today=TODAY, actor=world.manager
    )
    assert _reason(trainee) == "holds certificates"
