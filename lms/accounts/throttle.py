"""Throttling logins and password-reset requests, with the count and the decision atomic.

Before an attempt counts the recent failures (or requests) of its account and of its address,
it takes the lock of one ``ThrottleKey`` row per key, account first then address (one order,
so two attempts never wait on each other in a cycle), and holds it until the view commits
the verdict. A concurrent attempt on the same account or address waits for that commit and
then counts the attempt it was waiting for: 30 simultaneous wrong passwords for one account
get exactly ``LMS_LOGIN_MAX_FAILURES`` password checks.

- PostgreSQL: ``INSERT … ON CONFLICT DO NOTHING`` creates a missing key (a concurrent insert
  of the same key waits for the first), then ``UPDATE … WHERE key = …`` takes the row lock
  (the conditional update is the lock; READ COMMITTED lets the next statement see what the
  previous holder committed). Attempts on other accounts and addresses do not wait.
- SQLite: the same ``INSERT OR IGNORE`` is the transaction's first write, so it takes the
  database's write lock at once (as ``BEGIN IMMEDIATE`` would; ``busy_timeout`` queues the
  others) and holds it until the commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms.accounts.models import ThrottleKey


def throttle_keys(purpose: str, email: str, ip_address: str) -> tuple[str, str]:
    """The keys an attempt locks, in the order it locks them: its account, then its address."""
    return f"{purpose}:account:{email[:254]}", f"{purpose}:address:{ip_address[:64]}"


def lock_keys(session: Session, keys: tuple[str, ...], now: datetime) -> None:
    """Take the lock of each key's row, in the given order, until the transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key in keys:
        session.execute(
            insert(ThrottleKey).values(key=key, touched_at=now).on_conflict_do_nothing()
        )
        session.execute(sa.update(ThrottleKey).where(ThrottleKey.key == key).values(touched_at=now))


def oldest_counted(
    session: Session, stmt: sa.Select, column: sa.ColumnElement, limit: int
) -> datetime | None:
    """When ``stmt`` (attempt times, newest first) holds ``limit`` rows, the oldest of them:
    the moment the key is free again is that time plus the window. ``None`` below the limit."""
    found = session.scalars(stmt.order_by(column.desc()).limit(limit)).all()
    return found[-1] if len(found) >= limit else None
