"""What every page costs before its own work: the user, her session record and roles in one
statement, the navbar's unread count in one indexed COUNT, no write on an ordinary request
(the session's last-seen is touched at most once a minute), templates compiled once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.notifications.models import Notification

WRITES = ("INSERT", "UPDATE", "DELETE")


def _statements(client, path: str = "/") -> list[str]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_the_user_session_and_roles_come_in_one_statement(logged_in, client):
    user = logged_in([Role.TRAINER, Role.PROJECT_MANAGER])
    db.session.add_all(
        Notification(user_id=user.id, kind="session.reminder", title=f"n{n}") for n in range(3)
    )
    db.session.commit()
    client.get("/")
    statements = _statements(client)
    reading_sessions = [s for s in statements if "FROM auth_sessions" in s]
    assert len(reading_sessions) == 1
    assert "user_roles" in reading_sessions[0] and "users" in reading_sessions[0]
    assert not [s for s in statements if s.startswith("SELECT user_roles.")]
    counting = [s for s in statements if "FROM notifications" in s]
    assert len(counting) == 1 and counting[0].startswith("SELECT count(*)")
    assert 'data-testid="unread-count">3<' in client.get("/").get_data(as_text=True)


def test_an_ordinary_request_writes_nothing_and_last_seen_moves_once_a_minute(logged_in, client):
    logged_in(Role.TRAINEE)
    now = utcnow()
    writes = {}
    for label, seconds in (("at once", 5), ("a minute on", 65), ("soon after", 95)):
        with clock.travel(now + timedelta(seconds=seconds)):
            writes[label] = [s for s in _statements(client) if s.startswith(WRITES)]
    assert writes["at once"] == [] and writes["soon after"] == []
    assert len(writes["a minute on"]) == 1
    assert writes["a minute on"][0].startswith("UPDATE auth_sessions SET last_seen_at")


def test_templates_are_compiled_once_not_on_every_request(app, logged_in, client):
    logged_in(Role.TRAINER)
    assert app.jinja_env.auto_reload is False  # no stat of every template file per request
    compiled: list[str] = []
    original = app.jinja_env.compile

    def compile(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(source, name, filename, raw, defer_init)

    app.jinja_env.compile = compile
    try:
        client.get("/trainer/sessions")
        first = list(compiled)
        client.get("/trainer/sessions")
    finally:
        del app.jinja_env.compile
    assert "courses/my_sessions.html" in first  # the first request compiled the page
    assert compiled == first  # the second request compiled nothing more
