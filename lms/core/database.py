"""Engine-level settings: SQLite gets foreign keys, WAL and a busy timeout on every connection,
and a savepoint that stays inside the request's transaction.

Python's ``sqlite3`` module (before 3.12's ``autocommit``) opens a transaction only before an
INSERT, UPDATE or DELETE. A SAVEPOINT issued before any of those (``session.begin_nested()``,
which the enrolment and import services use) starts a transaction of its own, and releasing
the savepoint commits it, so a later rollback of the request left that write in place. Such
a savepoint now opens the transaction first, with ``BEGIN IMMEDIATE``: the savepoint is there
to write, and taking the write lock at once makes a concurrent writer wait (busy timeout)
instead of failing on a lock upgrade. Reads keep running outside any transaction, as before."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_configured = False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_savepoint(connection, _name) -> None:
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engine_events() -> None:
    global _configured
    if not _configured:
        sa.event.listen(Engine, "connect", _sqlite_pragmas)
        sa.event.listen(Engine, "savepoint", _sqlite_savepoint)
        _configured = True
