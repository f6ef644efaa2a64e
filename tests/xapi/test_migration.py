"""Migration 0023_xapi gives every existing session enrolment its own registration UUID."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from lms.accounts.models import Role, User, UserRole
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.models import DeliveryMode, SessionEnrolment
from tests.core.test_migrations import MIGRATIONS, empty_database_url, migration_app  # noqa: F401

TODAY = date(2026, 3, 2)


def test_existing_enrolments_get_distinct_registrations(migration_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    manager = User(
        email="dir@example.org",
        full_name="Dir",
        password_hash="x",
        role_links=[UserRole(role=Role.DIRECTORATE)],
    )
    trainees = [
        User(
            email=f"t{n}@example.org",
            full_name=f"T{n}",
            password_hash="x",
            role_links=[UserRole(role=Role.TRAINEE)],
        )
        for n in range(3)
    ]
    db.session.add_all([manager, *trainees])
    db.session.flush()
    course = courses.create_course(
        db.session,
        actor=manager,
        code="M1",
        title="Migration course",
        hours=7,
        delivery_mode=DeliveryMode.WORKSHOP,
        languages=["en"],
        status="published",
    )
    course_session = courses.create_session(
        db.session,
        course,
        actor=manager,
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 4, 2),
        capacity=10,
    )
    for trainee in trainees:
        courses.request_enrolment(db.session, course_session, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0022_http_outbox")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("session_enrolments")}
    assert "registration" not in columns
    upgrade(directory=MIGRATIONS)
    registrations = db.session.scalars(sa.select(SessionEnrolment.registration)).all()
    assert len(registrations) == 3
    assert all(isinstance(r, uuid.UUID) for r in registrations)
    assert len(set(registrations)) == 3
    db.session.remove()
