"""The database down or read-only: every page that needs it answers 503 with a page that
needs no database (anonymous navbar, the reader's language, Retry-After), the API a problem
document; /healthz says why; a read-only database still serves reads; the application
recovers by itself when the database returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.accounts.models import Role
from lms.api import tokens
from lms.core import clock
from lms.core.extensions import db
from lms.core.faults import database_fault
from lms.courses.models import SessionEnrolment
from tests.conftest import BACKEND, FreshContextClient, _config, csrf_token, login
from tests.faults import driver_error, failing_statement


@contextmanager
def database_down() -> Iterator[None]:
    """Every statement fails as on a dropped connection, until the block ends."""

    def fail(*_args) -> None:
        raise driver_error()

    sa.event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", fail)


def _assert_unavailable_page(response, fault: str = "down") -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:1000]
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    assert f'data-testid="unavailable-{fault}"' in html and "Traceback" not in html
    assert 'class="navbar' in html and 'href="/auth/login"' in html  # the anonymous navbar
    assert 'data-testid="current-user"' not in html and 'data-testid="bell"' not in html
    return html


def test_a_signed_in_page_while_the_database_is_down_is_a_503_page(client, logged_in):
    logged_in(Role.TRAINEE)
    with database_down():
        response = client.get("/")  # loading the user fails first
    html = _assert_unavailable_page(response)
    assert "The database cannot be reached at the moment" in html
    assert client.get("/").status_code == 200  # back by itself


def test_the_page_is_in_the_readers_language(client, logged_in, world):
    logged_in(Role.TRAINEE, preferred_language="fr")
    token, url = csrf_token(client), f"/sessions/{world.session_a.id}/enrol"
    with failing_statement(1):  # the first write fails, her row loaded: her language is kept
        response = client.post(url, data={"csrf_token": token})
    html = _assert_unavailable_page(response)
    assert '<html lang="fr">' in html and "Service momentanément indisponible" in html
    with database_down():  # nothing loaded: the browser's language
        response = client.get("/", headers={"Accept-Language": "fr"})
    assert "Service momentanément indisponible" in _assert_unavailable_page(response)


def test_an_error_page_rendered_while_the_database_is_down_becomes_the_503(app, client, logged_in):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler runs
    logged_in(Role.TRAINEE)
    with database_down():
        response = client.get("/no/such/page")  # the 404 page's navbar loads the user
    _assert_unavailable_page(response)


def test_the_api_answers_a_problem_document(client, make_user):
    user = make_user(Role.TRAINEE)
    _record, secret = tokens.create_token(
        db.session, user, name="t", scope="read", days=1, now=clock.now()
    )
    db.session.commit()
    with database_down():
        response = client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert response.get_json()["title"] == "Service temporarily unavailable"


def test_healthz_when_the_database_answers(client):
    body = client.get("/healthz").get_json()
    assert (body["status"], body["database"], body["backend"]) == (
        "ok",
        "up",
        db.engine.dialect.name,
    )
    assert "reason" not in body


def test_healthz_when_a_statement_fails(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"]) == ("unavailable", "down")
    assert body["reason"] in ("connection closed by the server", "disk I/O error")


@pytest.fixture
def unreachable(tmp_path, _schema) -> Iterator:
    """An app whose database cannot be reached: a closed port, or a file in no folder."""
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:1/lms?connect_timeout=2"
        if BACKEND == "postgresql"
        else f"sqlite:///{tmp_path / 'missing' / 'lms.sqlite3'}"
    )
    app = create_app(_config(url))
    app.test_client_class = FreshContextClient
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_unreachable_database(unreachable):
    client = unreachable.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"]) == ("unavailable", "down")
    assert body["reason"] in ("connection refused", "the database file cannot be opened")
    token = csrf_token(client)  # the login page itself needs no database
    response = client.post(
        "/auth/login", data={"email": "a@example.org", "password": "x", "csrf_token": token}
    )
    _assert_unavailable_page(response)


@contextmanager
def read_only_database() -> Iterator[str]:
    """New connections refuse writes: PostgreSQL's ``default_transaction_read_only`` set on
    the database (as for maintenance), SQLite's ``PRAGMA query_only``."""
    if BACKEND == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            name = conn.scalar(sa.text("SELECT current_database()"))
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        db.engine.dispose()
        try:
            yield "transactions are read-only (default_transaction_read_only)"
        finally:
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("SET default_transaction_read_only = off")
                conn.exec_driver_sql(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
            db.engine.dispose()
        return

    def query_only(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    db.session.remove()
    db.engine.dispose()
    sa.event.listen(db.engine, "connect", query_only)
    try:
        yield "PRAGMA query_only is on"
    finally:
        sa.event.remove(db.engine, "connect", query_only)
        db.session.remove()
        db.engine.dispose()


def test_a_read_only_database_serves_reads_and_refuses_writes(client, world, make_user):
    trainee = make_user(Role.TRAINEE)
    login(client, trainee)
    token, session_url = csrf_token(client), f"/sessions/{world.session_a.id}"
    with read_only_database() as reason:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.get_json() | {"version": None} == {
            "app": "lms",
            "status": "degraded",
            "database": "read-only",
            "backend": db.engine.dialect.name,
            "reason": reason,
            "version": None,
        }
        assert client.get("/").status_code == 200  # the home page, without keeping a summary
        assert client.get(session_url).status_code == 200
        response = client.post(f"{session_url}/enrol", data={"csrf_token": token})
        html = _assert_unavailable_page(response, "read-only")
        assert "read-only for maintenance" in html
        assert int(response.headers["Retry-After"]) == 300
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionEnrolment)) == 0
    response = client.post(f"{session_url}/enrol", data={"csrf_token": token})
    assert response.status_code == 302  # writable again: the same request now works
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionEnrolment)) == 1


def test_a_read_only_sqlite_file_is_reported(tmp_path, _schema):
    if BACKEND != "sqlite":
        pytest.skip("a file opened read-only is SQLite's case")
    path = tmp_path / "ro.sqlite3"
    writable = create_app(_config(f"sqlite:///{path}"))
    with writable.app_context():
        db.create_all()
        db.engine.dispose()
    app = create_app(_config(f"sqlite:///file:{path}?mode=ro&uri=true"))
    body = app.test_client().get("/healthz").get_json()
    assert (body["database"], body["reason"]) == ("read-only", "the database file is read-only")
    with app.app_context():
        db.engine.dispose()


def test_other_database_errors_stay_errors():
    """A constraint or a query's own bug is not an outage: the 500 page, not a 503."""
    integrity = sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert database_fault(integrity) is None
    import sqlite3

    assert (
        database_fault(sa.exc.OperationalError("S", {}, sqlite3.OperationalError("no such table")))
        is None
    )
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorname = "SQLITE_BUSY"
    assert database_fault(sa.exc.OperationalError("S", {}, locked)) == "down"
    assert database_fault(sa.exc.TimeoutError()) == "down"


@pytest.mark.skipif(BACKEND != "postgresql", reason="server connections are PostgreSQL's")
def test_the_next_request_succeeds_after_the_server_dropped_every_connection(client, logged_in):
    logged_in(Role.TRAINEE)
    assert client.get("/").status_code == 200  # the pool now holds a connection
    db.session.remove()  # the test's own session lets go of its connection too
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        killed = conn.scalar(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert killed >= 1
    assert client.get("/").status_code == 200  # pool_pre_ping replaced the dead connection
    assert client.get("/healthz").get_json()["database"] == "up"
