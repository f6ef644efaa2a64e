"""A database fault at any write statement of an enrolment, a waiting-list promotion, a
result or an enrolments import leaves every table as it was (one transaction per request),
and the page says the service is unavailable; the next request without the fault succeeds."""

from __future__ import annotations

import io

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from tests.conftest import csrf_token, login
from tests.courses.fixtures import TODAY, after
from tests.faults import assert_all_or_nothing


def _status(user) -> EnrolmentStatus | None:
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.select(SessionEnrolment.status).where(SessionEnrolment.user_id == user.id)
        )


def _seats(course_session) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            sa.select(CourseSession.seats_taken).where(CourseSession.id == course_session.id)
        )


def test_enrolment_is_all_or_nothing(client, world, make_user):
    waiting = make_user(Role.TRAINEE)
    full = [make_user(Role.TRAINEE) for _ in range(2)]
    for trainee in full:  # session A has two seats: the next trainee waits
        services.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    login(client, waiting)
    token = csrf_token(client)
    url = f"/sessions/{world.session_a.id}/enrol"
    failed = assert_all_or_nothing(
        lambda: client.post(url, data={"csrf_token": token}),
        succeeded=lambda r: r.status_code == 302 and _status(waiting) is not None,
    )
    assert failed >= 3  # the request, its history event and the waiting list, at least
    assert _status(waiting) == EnrolmentStatus.WAITLISTED
    assert _seats(world.session_a) == 2


def test_a_withdrawal_and_the_promotion_it_gives_are_all_or_nothing(client, world, make_user):
    first, second, third = (make_user(Role.TRAINEE) for _ in range(3))
    mine = services.request_enrolment(db.session, world.session_a, first, actor=first, today=TODAY)
    for trainee in (second, third):
        services.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    assert _status(third) == EnrolmentStatus.WAITLISTED
    login(client, first)
    token = csrf_token(client)
    assert_all_or_nothing(
        lambda: client.post(f"/enrolments/{mine.id}/withdraw", data={"csrf_token": token}),
        succeeded=lambda r: r.status_code == 302 and _status(third) == EnrolmentStatus.ENROLLED,
    )
    assert _status(first) == EnrolmentStatus.WITHDRAWN
    assert _seats(world.session_a) == 2


def test_recording_a_result_is_all_or_nothing(client, world, make_user, monkeypatch):
    trainee = make_user(Role.TRAINEE)
    enrolment = services.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: after(world.session_a))
    login(client, world.trainer)
    token = csrf_token(client)

    def passed() -> bool:
        with db.engine.connect() as conn:
            return conn.scalar(
                sa.select(SessionEnrolment.passed).where(SessionEnrolment.id == enrolment.id)
            )

    failed = assert_all_or_nothing(
        lambda: client.post(
            f"/enrolments/{enrolment.id}/result",
            data={"csrf_token": token, "score": "81", "passed": "yes"},
        ),
        succeeded=lambda r: r.status_code == 302 and passed() is True,
    )
    assert failed >= 5  # the result, its history, attendance, the rating and its evidence


def test_an_enrolments_import_is_all_or_nothing(client, world, make_user):
    trainees = [make_user(Role.TRAINEE, email=f"i{n}@example.org") for n in range(2)]
    login(client, world.trainer)
    token = csrf_token(client)

    def send():
        content = b"email,status\ni0@example.org,enrolled\ni1@example.org,enrolled\n"
        return client.post(
            f"/sessions/{world.session_b.id}/enrolments/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "enrolments.csv")},
            content_type="multipart/form-data",
        )

    assert_all_or_nothing(
        send, succeeded=lambda r: r.status_code == 302 and _status(trainees[1]) is not None
    )
    assert [_status(t) for t in trainees] == [EnrolmentStatus.ENROLLED] * 2
    assert _seats(world.session_b) == 2
