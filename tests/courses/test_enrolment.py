"""The session enrolment workflow: approval, seats, waiting list, history, results."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus
from tests.courses.fixtures import TODAY, after


def _enrol(world, user, course_session=None):
    return services.request_enrolment(
        db.session, course_session or world.session_a, user, actor=user, today=TODAY
    )


def test_open_session_without_approval_gives_seats_then_waiting_list(world, make_user):
    trainees = [make_user(Role.TRAINEE) for _ in range(3)]
    statuses = [_enrol(world, t).status for t in trainees]
    db.session.commit()
    assert statuses == [
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITLISTED,
    ]
    db.session.refresh(world.session_a)
    assert world.session_a.seats_taken == 2


def test_a_freed_seat_promotes_the_first_waitlisted(world, make_user):
    first, second, third, fourth = (make_user(Role.TRAINEE) for _ in range(4))
    e1 = _enrol(world, first)
    _enrol(world, second)
    e3 = _enrol(world, third)
    e4 = _enrol(world, fourth)
    services.withdraw_enrolment(db.session, e1, actor=first)
    db.session.commit()
    assert e3.status == EnrolmentStatus.ENROLLED
    assert e4.status == EnrolmentStatus.WAITLISTED
    assert [(e.from_status, e.to_status) for e in e3.events] == [
        (None, "requested"),
        ("requested", "waitlisted"),
        ("waitlisted", "enrolled"),
    ]
    assert e3.events[-1].note == "Promoted from the waiting list"


def test_session_requiring_approval_waits_for_a_trainer(world, make_user):
    world.session_a.requires_approval = True
    db.session.commit()
    trainee = make_user(Role.TRAINEE)
    enrolment = _enrol(world, trainee)
    assert enrolment.status == EnrolmentStatus.REQUESTED
    assert world.session_a.seats_taken == 0
    services.approve_enrolment(db.session, enrolment, actor=world.trainer)
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.events[-1].actor_id == world.trainer.id


def test_capacity_is_a_database_invariant(world):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(CourseSession)
            .where(CourseSession.id == world.session_a.id)
            .values(seats_taken=3)
        )
        db.session.commit()
    db.session.rollback()


def test_restrictions_deadline_and_duplicates_are_refused_with_reasons(
    world, make_user, make_member
):
    kenya, chile = make_member(country_code="KE"), make_member(country_code="CL")
    world.session_a.restricted_to = [kenya]
    db.session.commit()
    outsider = make_user(Role.TRAINEE, member=chile)
    with pytest.raises(ValidationError, match="reserved for officers of"):
        _enrol(world, outsider)
    insider = make_user(Role.TRAINEE, member=kenya)
    _enrol(world, insider)
    with pytest.raises(ConflictError, match="already enrolled"):
        _enrol(world, insider)
    world.session_b.enrolment_deadline = TODAY.replace(day=1)
    with pytest.raises(ValidationError, match="Enrolment closed"):
        _enrol(world, insider, world.session_b)


def test_prerequisite_courses_are_checked(world, make_user):
    world.course_b.prerequisites = [world.course_a]
    db.session.commit()
    trainee = make_user(Role.TRAINEE)
    with pytest.raises(ValidationError, match="DQ101"):
        _enrol(world, trainee, world.session_b)


def test_a_failed_result_gives_no_evidence(world, make_user):
    from lms.progress.models import CompetencyEvidence

    trainee = make_user(Role.TRAINEE)
    enrolment = _enrol(world, trainee)
    services.record_result(
        db.session,
        enrolment,
        score=Decimal("31"),
        passed=False,
        actor=world.trainer,
        today=TODAY,
        now=after(enrolment.session),
    )
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.passed is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyEvidence)) == 0


def test_results_csv_with_errors_is_rejected_whole_with_row_numbers(world, make_user):
    good = make_user(Role.TRAINEE, email="good@example.org")
    enrolment = _enrol(world, good)
    db.session.commit()
    content = (
        b"email,attended,score,passed\n"
        b"good@example.org,yes,75,yes\n"
        b"stranger@example.org,yes,80,yes\n"
        b"good@example.org,maybe,,\n"
    )
    with pytest.raises(services.ResultsUploadError) as info:
        services.parse_results_csv(db.session, world.session_a, content)
    assert info.value.errors == [
        "row 3: stranger@example.org is not enrolled in this session",
        "row 4: good@example.org appears twice",
    ]
    assert enrolment.status == EnrolmentStatus.ENROLLED
    with pytest.raises(services.ResultsUploadError, match="row 2: score 'lots'"):
        services.parse_results_csv(
            db.session, world.session_a, b"email,score,passed\ngood@example.org,lots,yes\n"
        )
    with pytest.raises(services.ResultsUploadError, match="not UTF-8"):
        services.parse_results_csv(
            db.session, world.session_a, "email,passed\né,yes".encode("latin-1")
        )
    rows = services.parse_results_csv(
        db.session, world.session_a, b"email,attended,score,passed\nGOOD@example.org,yes,75,yes\n"
    )
    assert (
        services.apply_results(
            db.session, rows, actor=world.trainer, today=TODAY, now=after(world.session_a)
        )
        == 1
    )
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.score == 75
