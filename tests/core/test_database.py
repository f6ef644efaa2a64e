"""Database settings and model-level conventions."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.core.extensions import db
from tests.conftest import BACKEND


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite connection settings")
def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_timestamps_come_back_timezone_aware_in_utc(app, make_user):
    user = make_user(Role.TRAINEE)
    db.session.expire_all()
    created = db.session.get(User, user.id).created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(app, make_user):
    user = make_user(Role.TRAINEE)
    user.last_login_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_email_must_be_stored_lower_case(app):
    db.session.add(User(email="Upper@Example.org", full_name="X"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_savepoint_as_the_first_write_is_rolled_back_with_the_transaction(app, make_user):
    """On SQLite a SAVEPOINT opened before any other write used to start, and on release
    commit, a transaction of its own, so the request's rollback left the write in place."""
    user = make_user(Role.TRAINEE, full_name="Before")
    db.session.commit()
    db.session.scalar(sa.select(User.id).where(User.id == user.id))  # a read first, as views do
    with db.session.begin_nested():
        db.session.get(User, user.id).full_name = "Inside the savepoint"
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Before"
