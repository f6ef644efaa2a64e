"""Fault injection for tests: fail the Nth statement of a write with the driver's own
OperationalError (as a dropped connection or a full disk would), and checksums of every table
to prove a failed request left nothing behind."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.core.extensions import db

# Statements that start a write; counting starts at the first one, since a fault in the reads
# before it cannot leave anything half-written (tests/core/test_faults.py covers those).
_WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")
# Touched on their own schedule, outside the change under test (once a minute per session).
_IGNORED_COLUMNS = {("auth_sessions", "last_seen_at")}


def driver_error(message: str = "server closed the connection unexpectedly") -> Exception:
    """The DBAPI's OperationalError, which SQLAlchemy wraps as it would a real one."""
    if db.engine.dialect.name == "postgresql":
        import psycopg

        return psycopg.OperationalError(message)
    import sqlite3

    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR"
    return error


@dataclass
class Injector:
    """Fails the ``fail_at``-th statement from the first write up to the request's commit,
    the commit included; after the commit it only watches: a write then means the request
    committed half-way."""

    fail_at: int
    seen: int = 0
    fired: bool = False
    armed: bool = False
    committed: bool = False
    writes_after_commit: list[str] = field(default_factory=list)

    def __call__(self, _conn, _cursor, statement: str, *_args) -> None:
        writes = statement.lstrip().upper().startswith(_WRITES)
        if self.committed:
            if writes:
                self.writes_after_commit.append(statement[:120])
            return
        self.armed = self.armed or writes
        if not self.armed or self.fired:
            return
        self.seen += 1
        if self.seen == self.fail_at:
            self.fired = True
            raise driver_error()

    def on_commit(self, _conn) -> None:
        """The commit is the last place to fail (a connection lost as it commits)."""
        if self.armed and not self.fired and not self.committed:
            self.seen += 1
            if self.seen == self.fail_at:
                self.fired = True
                raise sa.exc.OperationalError("COMMIT", {}, driver_error())
        self.committed = True


@contextmanager
def failing_statement(n: int) -> Iterator[Injector]:
    """Within the block, the ``n``-th statement from the first write on fails (once)."""
    injector = Injector(n)
    sa.event.listen(db.engine, "before_cursor_execute", injector)
    sa.event.listen(db.engine, "commit", injector.on_commit)
    try:
        yield injector
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", injector)
        sa.event.remove(db.engine, "commit", injector.on_commit)


def checksums() -> dict[str, str]:
    """Every table's rows, in primary-key order, hashed (on a connection of its own): one
    statement counts the rows of all tables, and only the tables holding some are read."""
    tables = db.metadata.sorted_tables
    sums: dict[str, str] = {}
    with db.engine.connect() as conn:
        counts = conn.execute(
            sa.select(
                *(
                    sa.select(sa.func.count()).select_from(t).scalar_subquery().label(f"c{i}")
                    for i, t in enumerate(tables)
                )
            )
        ).one()
        for table, count in zip(tables, counts, strict=True):
            if not count:
                sums[table.name] = "empty"
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in _IGNORED_COLUMNS]
            order = list(table.primary_key.columns) or columns
            rows = conn.execute(sa.select(*columns).order_by(*order)).all()
            sums[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return sums


def changed_tables(before: dict[str, str]) -> set[str]:
    after = checksums()
    return {name for name, value in after.items() if before.get(name) != value}


def assert_all_or_nothing(
    send: Callable[[], object],
    *,
    succeeded: Callable[[object], bool],
    writes_after_commit: bool = False,
    max_statements: int = 400,
) -> int:
    """Send the request again and again with its 1st, 2nd, … statement from the first write
    to the commit (the commit included) failing: each failed request answers the 503 page (no
    traceback) and leaves every table as it was. The first request whose statements all ran
    must succeed, with no write after its commit (unless ``writes_after_commit``: work on the
    committed data, such as delivering the outbox). Returns how many statements were failed in
    turn."""
    before = checksums()
    for n in range(1, max_statements + 1):
        with failing_statement(n) as injector:
            response = send()
        if not injector.fired:
            assert succeeded(response), (n, response.status_code)
            assert n > 1, "the operation wrote nothing"
            assert writes_after_commit or not injector.writes_after_commit, (
                f"writes after the commit (a commit half-way): {injector.writes_after_commit}"
            )
            return n - 1
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (n, response.status_code, body[:2000])
        assert "Traceback" not in body and 'data-testid="unavailable-down"' in body, n
        assert response.headers["Retry-After"]
        assert changed_tables(before) == set(), f"statement {n} left a partial write"
        db.session.rollback()
    raise AssertionError(f"still failing after {max_statements} statements")
