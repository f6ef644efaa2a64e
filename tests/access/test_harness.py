"""The matrix's own machinery: a request's writes are rolled back, and both ways of finding
what it changed (every table's checksum; the tables its statements named) agree."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.extensions import db
from tests.access.harness import changed_tables, rolled_back, send


def test_an_allowed_write_is_seen_then_rolled_back(arena):
    trainee = arena.world.values["user_id"]
    url = f"/admin/users/{trainee}/deactivate"
    with rolled_back(arena.app) as conn:
        answer = send(arena.app, arena.callers["admin"], "POST", url, api=False)
        every = changed_tables(conn, arena.baseline)
        named = changed_tables(conn, arena.baseline, every=False)
        active = conn.execute(sa.select(User.is_active).where(User.id == trainee)).scalar()
    assert answer.status == 302 and active is False
    assert "users" in every and every == named
    assert db.session.get(User, trainee).is_active
    with rolled_back(arena.app) as conn:
        assert changed_tables(conn, arena.baseline) == []
