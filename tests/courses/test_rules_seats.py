"""Seats, the waiting list and the enrolment transitions (approve, reject, withdraw): counts
of seats per session, who is promoted and in which order, and what each event records.
Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus
from tests.courses.fixtures import TODAY


def _enrol(world, user, course_session=None):
    return services.request_enrolment(
        db.session, course_session or world.session_a, user, actor=user, today=TODAY
    )


def _seats(course_session) -> int:
    return db.session.scalar(
        sa.select(CourseSession.seats_taken).where(CourseSession.id == course_session.id)
    )


def test_withdrawing_frees_a_seat_of_that_session_only(world, make_user):
    s = db.session
    here, there = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    mine = _enrol(world, here)
    _enrol(world, there, world.session_b)
    _enrol(world, here, world.session_b)
    s.commit()
    assert (_seats(world.session_a), _seats(world.session_b)) == (1, 2)
    services.withdraw_enrolment(s, mine, actor=here)
    s.commit()
    assert mine.status == EnrolmentStatus.WITHDRAWN
    assert (_seats(world.session_a), _seats(world.session_b)) == (0, 2)
    assert world.session_a.seats_taken == 0  # the loaded session is refreshed too
    assert (mine.events[-1].to_status, mine.events[-1].actor_id) == ("withdrawn", here.id)
    assert mine.events[-1].note == ""


def test_a_seat_count_never_goes_below_zero(world, make_user):
    s = db.session
    trainee = make_user(Role.TRAINEE)
    enrolment = _enrol(world, trainee)
    s.commit()
    s.execute(sa.update(CourseSession).values(seats_taken=0))  # out of step, say
    s.commit()
    services.withdraw_enrolment(s, enrolment, actor=trainee, note="Changed jobs")
    s.commit()
    assert _seats(world.session_a) == 0
    assert enrolment.events[-1].note == "Changed jobs"


def test_the_waiting_list_is_first_come_first_served_and_per_session(world, make_user):
    s = db.session
    world.session_b.capacity = 1
    s.commit()
    holders = [make_user(Role.TRAINEE) for _ in range(2)]
    held = [_enrol(world, t) for t in holders]
    early, late, other = (make_user(Role.TRAINEE) for _ in range(3))
    _enrol(world, make_user(Role.TRAINEE), world.session_b)
    elsewhere = _enrol(world, other, world.session_b)  # waiting for session b
    late_wait = _enrol(world, late)  # lower id, but asked later (below)
    early_wait = _enrol(world, early)
    s.flush()
    late_wait.requested_at = early_wait.requested_at + timedelta(minutes=5)
    s.commit()
    assert [e.status for e in (late_wait, early_wait, elsewhere)] == [
        EnrolmentStatus.WAITLISTED
    ] * 3

    services.withdraw_enrolment(s, held[0], actor=world.trainer)
    s.commit()
    assert early_wait.status == EnrolmentStatus.ENROLLED
    assert late_wait.status == EnrolmentStatus.WAITLISTED
    assert elsewhere.status == EnrolmentStatus.WAITLISTED
    promotion = early_wait.events[-1]
    assert (promotion.to_status, promotion.actor_id) == ("enrolled", world.trainer.id)
    assert promotion.note == "Promoted from the waiting list"
    assert _seats(world.session_a) == 2

    # Withdrawing from the waiting list frees no seat and promotes nobody.
    services.withdraw_enrolment(s, late_wait, actor=late)
    s.commit()
    assert _seats(world.session_a) == 2
    assert elsewhere.status == EnrolmentStatus.WAITLISTED


def test_withdrawn_or_rejected_enrolments_cannot_be_withdrawn_again(world, make_user):
    trainee = make_user(Role.TRAINEE)
    enrolment = _enrol(world, trainee)
    services.withdraw_enrolment(db.session, enrolment, actor=trainee)
    with pytest.raises(ValidationError) as refused:
        services.withdraw_enrolment(db.session, enrolment, actor=trainee)
    assert str(refused.value) == "This enrolment can no longer be withdrawn."


def test_approval_places_the_request_with_an_approved_event(world, make_user):
    s = db.session
    world.session_a.requires_approval = True
    world.session_a.capacity = 1
    s.commit()
    first, second = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    a, b = _enrol(world, first), _enrol(world, second)
    services.approve_enrolment(s, a, actor=world.trainer)
    services.approve_enrolment(s, b, actor=world.trainer)
    s.commit()
    assert (a.status, b.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    assert [e.events[-1].note for e in (a, b)] == ["Approved", "Approved"]
    with pytest.raises(ValidationError) as refused:
        services.approve_enrolment(s, a, actor=world.trainer)
    assert str(refused.value) == "Only a request awaiting approval can be approved."


def test_requests_and_waitlisted_enrolments_can_be_rejected_others_not(world, make_user):
    s = db.session
    world.session_a.requires_approval = True
    world.session_a.capacity = 1
    s.commit()
    first, second, third = (make_user(Role.TRAINEE) for _ in range(3))
    seated, waiting, asking = _enrol(world, first), _enrol(world, second), _enrol(world, third)
    services.approve_enrolment(s, seated, actor=world.trainer)
    services.approve_enrolment(s, waiting, actor=world.trainer)
    s.commit()
    services.reject_enrolment(s, asking, actor=world.trainer, note="Not eligible this year")
    services.reject_enrolment(s, waiting, actor=world.trainer)
    s.commit()
    assert (asking.status, waiting.status) == (EnrolmentStatus.REJECTED,) * 2
    event = asking.events[-1]
    assert (event.from_status, event.to_status) == ("requested", "rejected")
    assert (event.actor_id, event.note) == (world.trainer.id, "Not eligible this year")
    assert (waiting.events[-1].from_status, waiting.events[-1].note) == ("waitlisted", "")
    assert _seats(world.session_a) == 1
    with pytest.raises(ValidationError) as refused:
        services.reject_enrolment(s, seated, actor=world.trainer)
    assert str(refused.value) == "Only a pending or waitlisted request can be rejected."
    assert seated.status == EnrolmentStatus.ENROLLED
