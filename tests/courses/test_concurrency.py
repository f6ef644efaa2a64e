"""Capacity under simultaneous requests: 20 trainees ask for a 10-seat session at once, and 20
pending requests for a 10-seat session are approved at once. Each request runs in its own
thread on its own database connection, as 20 web workers would, on both backends (SQLite on
a file database in WAL mode).

On SQLite, a request for a seat writes the enrolment before it looks at the seats, and that
first write takes the database's single write lock, so the requests queue up and the first
test proves that they all get an answer (no "database is locked", no overfull session). An
approval reads the seats before writing anything, outside that lock, so the second test races
for the seats on SQLite too: it fails when the seat UPDATE is not conditional on the count it
read. On PostgreSQL both tests race for the row."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from lms.accounts.models import Role, User
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from tests.courses.fixtures import TODAY


def _new_session(world, *, requires_approval: bool = False) -> int:
    course_session = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=5),
        ends_on=TODAY + timedelta(days=6),
        capacity=10,
    )
    course_session.requires_approval = requires_approval
    db.session.commit()
    return course_session.id


def _all_at_once(work: Callable[[Session, int, threading.Barrier], None], ids: list[int]) -> None:
    """Run ``work(own_session, id, barrier)`` for every id, each in its own thread and connection,
    released together; re-raise the first error in the test."""
    # One connection per request, as 20 web workers would have; not the app's small pool.
    engine = sa.create_engine(db.engine.url, poolclass=NullPool)
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def run(item_id: int) -> None:
        try:
            with Session(engine) as own:
                work(own, item_id, barrier)
                own.commit()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item_id,)) for item_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert not errors, errors


def _outcome(session_id: int) -> tuple[dict, int]:
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            sa.select(SessionEnrolment.status, sa.func.count())
            .where(SessionEnrolment.session_id == session_id)
            .group_by(SessionEnrolment.status)
        ).all()
    )
    return counts, db.session.get(CourseSession, session_id).seats_taken


def test_twenty_simultaneous_requests_on_ten_seats(world, make_user):
    session_id = _new_session(world)
    user_ids = [make_user(Role.TRAINEE).id for _ in range(20)]

    def request(own: Session, user_id: int, barrier: threading.Barrier) -> None:
        user = own.get(User, user_id)
        target = own.get(CourseSession, session_id)
        barrier.wait(timeout=30)
        services.request_enrolment(own, target, user, actor=user, today=TODAY)

    _all_at_once(request, user_ids)

    assert _outcome(session_id) == (
        {EnrolmentStatus.ENROLLED: 10, EnrolmentStatus.WAITLISTED: 10},
        10,
    )


def test_twenty_simultaneous_approvals_on_ten_seats(world, make_user):
    session_id = _new_session(world, requires_approval=True)
    course_session = db.session.get(CourseSession, session_id)
    enrolment_ids = []
    for _ in range(20):
        trainee = make_user(Role.TRAINEE)
        enrolment = services.request_enrolment(
            db.session, course_session, trainee, actor=trainee, today=TODAY
        )
        enrolment_ids.append(enrolment.id)
    db.session.commit()
    assert _outcome(session_id) == ({EnrolmentStatus.REQUESTED: 20}, 0)
    trainer_id = world.trainer.id

    def approve(own: Session, enrolment_id: int, barrier: threading.Barrier) -> None:
        enrolment = own.get(SessionEnrolment, enrolment_id)
        assert enrolment.session.capacity == 10  # loaded before the race
        trainer = own.get(User, trainer_id)
        barrier.wait(timeout=30)
        services.approve_enrolment(own, enrolment, actor=trainer)

    _all_at_once(approve, enrolment_ids)

    assert _outcome(session_id) == (
        {EnrolmentStatus.ENROLLED: 10, EnrolmentStatus.WAITLISTED: 10},
        10,
    )


def test_ten_simultaneous_requests_by_one_trainee_give_one_enrolment(world, make_user):
    """A double click, ten times over: the unique (session, trainee) key lets one request in;
    the others are refused as "already enrolled", never a database error."""
    session_id = _new_session(world)
    trainee_id = make_user(Role.TRAINEE).id
    refusals: list[str] = []

    def request(own: Session, _n: int, barrier: threading.Barrier) -> None:
        user = own.get(User, trainee_id)
        target = own.get(CourseSession, session_id)
        barrier.wait(timeout=30)
        try:
            services.request_enrolment(own, target, user, actor=user, today=TODAY)
        except ConflictError as refused:
            own.rollback()
            refusals.append(refused.message)

    _all_at_once(request, list(range(10)))

    assert _outcome(session_id) == ({EnrolmentStatus.ENROLLED: 1}, 1)
    assert len(refusals) == 9
    assert all("already enrolled" in message for message in refusals), refusals


def test_ten_simultaneous_enrol_clicks_on_the_page_give_one_enrolment_and_no_error(
    app, world, make_user
):
    from tests.conftest import csrf_token, login

    session_id = _new_session(world)
    trainee = make_user(Role.TRAINEE)
    clients = []
    for _ in range(10):
        client = app.test_client()
        login(client, trainee)
        clients.append((client, csrf_token(client, f"/sessions/{session_id}")))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def click(client, token) -> None:
        barrier.wait(timeout=30)
        response = client.post(f"/sessions/{session_id}/enrol", data={"csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=click, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302] * 10  # every click is answered with the page, none with a 5xx
    assert _outcome(session_id) == ({EnrolmentStatus.ENROLLED: 1}, 1)
