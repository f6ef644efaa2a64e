"""Track enrolment and intakes, and completion when courses announce results."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services
from lms.progress.models import TrackEnrolmentStatus
from tests.courses.fixtures import TODAY, after
from tests.translations import french_catalogue


def _enrol(world, user, course_session=None):
    return courses.request_enrolment(
        db.session, course_session or world.session_a, user, actor=user, today=TODAY
    )


def test_results_give_ratings_and_complete_the_track_with_a_certificate(world, make_user):
    from lms.progress.models import Certificate

    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    a = _enrol(world, trainee)
    b = _enrol(world, trainee, world.session_b)
    courses.record_result(
        db.session,
        a,
        score=Decimal("82"),
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(a.session),
    )
    db.session.commit()
    state = services.track_progress(db.session, trainee, world.specialists)
    assert (state.required_done, state.targets_met, state.percent) == (1, 1, 50)
    assert not state.is_complete

    courses.record_result(
        db.session,
        b,
        score=None,
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(b.session),
    )
    db.session.commit()
    state = services.track_progress(db.session, trainee, world.specialists)
    assert state.is_complete and state.percent == 100
    assert state.enrolment.status == TrackEnrolmentStatus.COMPLETED
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.user_id == trainee.id and certificate.track_id == world.specialists.id
    assert len(certificate.verification_code) == 14
    # The domain's roll-up rule (all children proficient) rated the parent too.
    ratings = services.latest_ratings(db.session, trainee.id)
    assert ratings[world.domain.id].source.value == "rollup"


def test_experts_track_requires_a_completed_data_specialists_track(world, make_user):
    trainee = make_user(Role.TRAINEE, full_name="Omar Farouk")
    with pytest.raises(ValidationError, match="requires a completed Data specialists track"):
        services.enrol_in_track(db.session, trainee, world.experts, actor=trainee)


def test_intake_members_are_enrolled_in_its_track_including_later_joiners(
    world, make_user, make_member
):
    kenya = make_member(country_code="KE")
    early = make_user(Role.TRAINEE, member=kenya)
    intake = services.create_intake(
        db.session,
        actor=world.manager,
        name="2026 intake — Kenya",
        track=world.specialists,
        year=2026,
        member_administration_id=kenya.id,
    )
    services.add_to_intake(db.session, intake, early, actor=world.manager)
    db.session.commit()
    later = make_user(Role.TRAINEE, member=kenya)
    enrolment = services.add_to_intake(db.session, intake, later, actor=world.manager)
    db.session.commit()
    assert enrolment.track_id == world.specialists.id and enrolment.intake_id == intake.id
    stranger = make_user(Role.TRAINEE)
    with pytest.raises(ValidationError, match="does not belong to"):
        services.add_to_intake(db.session, intake, stranger, actor=world.manager)


def test_a_pass_writes_its_notes_in_the_trainees_language(world, make_user):
    """The rating's comment and the evidence a pass writes on a French-speaking trainee's
    record are in French (the catalogue's msgstr, the course's French title when it has one)."""
    from lms.progress.models import CompetencyEvidence

    fr = french_catalogue()
    trainee = make_user(Role.TRAINEE)
    trainee.preferred_language = "fr"
    world.session_a.course.title_fr = "Fondamentaux"
    a = _enrol(world, trainee)
    courses.record_result(
        db.session,
        a,
        score=Decimal("82"),
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(a.session),
    )
    db.session.commit()
    expected = fr["Passed %(code)s %(title)s"] % {
        "code": world.session_a.course.code,
        "title": "Fondamentaux",
    }
    rated = services.latest_ratings(db.session, trainee.id)
    assert {r.comment for r in rated.values() if r.source.value == "course"} == {expected}
    evidence = db.session.scalars(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.user_id == trainee.id)
    ).all()
    assert evidence and {e.description for e in evidence} == {expected}
