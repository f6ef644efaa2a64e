"""Capacity under simultaneous requests: 20 trainees ask for a 10-seat session at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from tests.conftest import BACKEND
from tests.courses.fixtures import TODAY


@pytest.mark.skipif(BACKEND != "postgresql", reason="the concurrency proof runs on PostgreSQL")
def test_twenty_simultaneous_requests_on_ten_seats(world, make_user):
    course_session = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=5),
        ends_on=TODAY + timedelta(days=6),
        capacity=10,
    )
    db.session.commit()
    session_id = course_session.id
    user_ids = [make_user(Role.TRAINEE).id for _ in range(20)]
    # One connection per request, as 20 web workers would have; not the app's small pool.
    engine = sa.create_engine(db.engine.url, poolclass=NullPool)
    barrier = threading.Barrier(len(user_ids))
    errors: list[BaseException] = []

    def request(user_id: int) -> None:
        try:
            with Session(engine) as own:
                user = own.get(User, user_id)
                target = own.get(CourseSession, session_id)
                barrier.wait(timeout=30)
                services.request_enrolment(own, target, user, actor=user, today=TODAY)
                own.commit()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert not errors, errors
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            sa.select(SessionEnrolment.status, sa.func.count())
            .where(SessionEnrolment.session_id == session_id)
            .group_by(SessionEnrolment.status)
        ).all()
    )
    assert counts == {EnrolmentStatus.ENROLLED: 10, EnrolmentStatus.WAITLISTED: 10}
    assert db.session.get(CourseSession, session_id).seats_taken == 10
