"""The seat service checks capacity itself: a full session answers "waiting list", whoever
asks and however stale their copy of the session is. The database CHECK on ``seats_taken`` is
only the last defence; a user must never meet it as a server error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from tests.conftest import _config, post_form
from tests.courses.fixtures import TODAY


@pytest.fixture
def app_config(database_url: str) -> dict:
    # An error escaping a view is answered as the 500 page a user would see, not re-raised
    # into the test.
    return _config(database_url, PROPAGATE_EXCEPTIONS=False)


def _fill(world, make_user, course_session):
    for _ in range(course_session.capacity):
        trainee = make_user(Role.TRAINEE)
        services.request_enrolment(db.session, course_session, trainee, actor=trainee, today=TODAY)
    db.session.commit()


def _seats_taken(session_id: int) -> int:
    db.session.expire_all()
    return db.session.get(CourseSession, session_id).seats_taken


def test_asking_for_a_seat_in_a_full_session_puts_the_trainee_on_the_waiting_list(
    client, world, make_user, logged_in
):
    session_a = world.session_a
    assert session_a.capacity == 2
    _fill(world, make_user, session_a)
    assert _seats_taken(session_a.id) == 2
    me = logged_in(Role.TRAINEE)

    response = post_form(client, f"/sessions/{session_a.id}/enrol")

    assert response.status_code == 302, f"the trainee was answered {response.status_code}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The session is full: you are on the waiting list" in page
    enrolment = db.session.scalar(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.session_id == session_a.id, SessionEnrolment.user_id == me.id
        )
    )
    assert enrolment.status == EnrolmentStatus.WAITLISTED
    assert enrolment.events[-1].note == "Approved automatically"
    assert _seats_taken(session_a.id) == 2


def test_approving_a_request_for_a_full_session_puts_it_on_the_waiting_list(world, make_user):
    session_a = world.session_a
    session_a.requires_approval = True
    db.session.commit()
    trainee = make_user(Role.TRAINEE)
    waiting = services.request_enrolment(db.session, session_a, trainee, actor=trainee, today=TODAY)
    for _ in range(2):
        other = make_user(Role.TRAINEE)
        request = services.request_enrolment(db.session, session_a, other, actor=other, today=TODAY)
        services.approve_enrolment(db.session, request, actor=world.trainer)
    db.session.commit()
    assert _seats_taken(session_a.id) == 2

    services.approve_enrolment(db.session, waiting, actor=world.trainer)
    db.session.commit()

    assert waiting.status == EnrolmentStatus.WAITLISTED
    assert _seats_taken(session_a.id) == 2


def test_the_check_reads_the_seats_from_the_database_not_from_a_stale_copy(world, make_user):
    session_a = world.session_a
    assert session_a.seats_taken == 0  # loaded now, and kept in this session
    first, second, late = (make_user(Role.TRAINEE) for _ in range(3))
    # Another worker fills the session meanwhile, on its own connection.
    with Session(db.engine) as other_worker:
        their_copy = other_worker.get(CourseSession, session_a.id)
        for trainee in (first, second):
            person = other_worker.get(User, trainee.id)
            services.request_enrolment(other_worker, their_copy, person, actor=person, today=TODAY)
        other_worker.commit()
    assert session_a.seats_taken == 0  # this session's copy is stale
    enrolment = services.request_enrolment(db.session, session_a, late, actor=late, today=TODAY)
    assert session_a.seats_taken == 2  # the copy is refreshed on the way, before any commit
    db.session.commit()

    assert enrolment.status == EnrolmentStatus.WAITLISTED
    assert _seats_taken(session_a.id) == 2
