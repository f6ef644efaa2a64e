"""Requests against a world built once: each request runs inside a transaction that is rolled
back afterwards, so an allowed write (deleting a user, publishing a framework) leaves the next
request the same world, and a refused one can be checked for having written nothing.

The app's session joins an outer transaction on one connection (``join_transaction_mode=
"create_savepoint"``): the request's commit releases a savepoint, its rollback returns to it,
and the outer transaction is rolled back when the request is done. The table checksums are
taken on that connection before the rollback, so they see what the request wrote."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from lms.core.extensions import db
from tests.conftest import FreshContextClient, csrf_token, login

# Columns every request may touch: the login session's last sight, the token's last use.
VOLATILE = {
    "auth_sessions": {"last_seen_at"},
    "api_tokens": {"last_used_at"},
}


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _note_writes(conn, _cursor, statement, *_args) -> None:
    match = _WRITE.match(statement)
    if match:
        conn.info.setdefault("written", set()).add(match.group(1))


def written_tables(conn: sa.engine.Connection) -> set[str]:
    """The tables an INSERT, UPDATE or DELETE on ``conn`` named, and every table whose rows a
    foreign key ties to them (a cascade or SET NULL changes those without naming them)."""
    found = set(conn.info.get("written", ()))
    grew = True
    while grew:
        more = {
            table.name
            for table in db.metadata.sorted_tables
            for fk in table.foreign_keys
            if fk.column.table.name in found
        }
        grew = bool(more - found)
        found |= more
    return found


def checksums(
    bind: sa.engine.Connection | sa.engine.Engine, only: set[str] | None = None
) -> dict[str, str]:
    """A digest of every table's rows (in primary-key order), volatile columns left out;
    ``only``: of these tables."""
    digests = {}
    with _connection(bind) as conn:
        for table in db.metadata.sorted_tables:
            if only is not None and table.name not in only:
                continue
            skip = VOLATILE.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            order = list(table.primary_key.columns) or columns
            rows = conn.execute(sa.select(*columns).order_by(*order)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@contextmanager
def _connection(bind):
    if isinstance(bind, sa.engine.Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


@contextmanager
def rolled_back(app: Flask) -> Iterator[sa.engine.Connection]:
    """Within the block the app's sessions write into a transaction rolled back at its end."""
    engines = db._app_engines[app]
    engine = engines[None]
    factory = db.session.session_factory
    db.session.remove()
    conn = engine.connect()
    outer = conn.begin()
    engines[None] = conn  # type: ignore[assignment]  # Session.get_bind returns it
    sa.event.listen(conn, "before_cursor_execute", _note_writes)
    before = factory.kw.get("join_transaction_mode")
    factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield conn
    finally:
        db.session.remove()
        factory.kw.pop("join_transaction_mode", None)
        if before is not None:
            factory.configure(join_transaction_mode=before)
        engines[None] = engine
        outer.rollback()
        conn.close()


@dataclass
class Caller:
    """Who sends requests: a session cookie and a CSRF token for the pages, a Bearer token for
    the API (none for the anonymous visitor)."""

    cookie: str
    csrf: str
    bearer: str | None


@dataclass
class Answer:
    status: int
    location: str
    mimetype: str
    text: str

    @property
    def outcome(self) -> str:
        """The status, or ``login`` for a redirect to the login page."""
        if self.status == 302 and "/auth/login" in self.location:
            return "login"
        return str(self.status)


def log_in(app: Flask, user: Any | None, bearer: str | None) -> Caller:
    """Log in through the login page (anonymous: only a session with a CSRF token)."""
    client = FreshContextClient(app, app.response_class)
    if user is not None:
        assert login(client, user).status_code == 302, f"cannot log in {user.email}"
    token = csrf_token(client)
    cookie = client.get_cookie("session")
    return Caller(cookie=f"session={cookie.value}" if cookie else "", csrf=token, bearer=bearer)


def send(
    app: Flask,
    caller: Caller,
    method: str,
    url: str,
    *,
    api: bool,
    data: Any = None,
    json: Any = None,
    headers: dict | None = None,
) -> Answer:
    """One request as ``caller``; run it inside ``rolled_back`` (pages' writes carry the
    caller's CSRF token, the API's calls its Bearer token)."""
    headers = dict(headers or {})
    if api:
        if caller.bearer:
            headers.setdefault("Authorization", f"Bearer {caller.bearer}")
    elif caller.cookie:
        headers["Cookie"] = caller.cookie
    kwargs: dict[str, Any] = {"headers": headers}
    if json is not None:
        kwargs["json"] = json
    elif method != "GET" and not api:
        kwargs["data"] = MultiDict([("csrf_token", caller.csrf), *_pairs(data)])
    elif data is not None:
        kwargs["data"] = data
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    response = client.open(url, method=method, **kwargs)
    return Answer(
        status=response.status_code,
        location=response.headers.get("Location", ""),
        mimetype=response.mimetype,
        text=response.get_data().decode("utf-8", "replace"),
    )


def _pairs(data: Any) -> list[tuple[str, Any]]:
    if not data:
        return []
    return list(data.items()) if isinstance(data, dict) else list(data)


def changed_tables(
    conn: sa.engine.Connection, baseline: dict[str, str], *, every: bool = True
) -> list[str]:
    """The tables whose rows differ from ``baseline`` as seen on ``conn``: every table's
    checksum, or (``every=False``, faster) those of the tables the requests wrote to."""
    only = None if every else written_tables(conn)
    if only is not None and not only:
        return []
    digests = checksums(conn, only)
    return sorted(name for name, digest in digests.items() if baseline[name] != digest)
