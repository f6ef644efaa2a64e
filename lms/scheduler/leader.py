"""The leader lock: exactly one ``lms scheduler`` process runs jobs; the others wait.

PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection held for the process's life.
The server releases the lock when that connection ends, so a killed leader is replaced at once;
``renew`` checks the connection is still alive (a lost connection means a lost lock).

SQLite (no advisory locks): a lease row with the holder and an expiry, renewed periodically,
taken over by a standby only when it has expired. A leader that cannot renew in time must
assume it lost the lease and stop running jobs.

Both write the ``scheduler_leases`` row, which the admin page reads as the leader's heartbeat.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from lms.core.model_base import utcnow
from lms.scheduler.models import SchedulerLease

log = logging.getLogger("lms.scheduler")
LEASE_NAME = "leader"
# A stable 63-bit key derived from a name, so other features' advisory locks cannot collide.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"lms.scheduler.leader").digest()[:8], "big") >> 1

Clock = Callable[[], datetime]
_lease = SchedulerLease.__table__


class LeaseLock:
    """The lease-row lock (SQLite; also usable on PostgreSQL)."""

    def __init__(self, engine: Engine, holder: str, ttl: timedelta, clock: Clock = utcnow):
        self.engine, self.holder, self.ttl, self.clock = engine, holder, ttl, clock

    def _ensure_row(self, conn: Connection, now: datetime) -> None:
        insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert
        conn.execute(
            insert(_lease)
            .values(name=LEASE_NAME, holder="", acquired_at=now, renewed_at=now, expires_at=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )

    def try_acquire(self) -> bool:
        now = self.clock()
        with self.engine.begin() as conn:
            self._ensure_row(conn, now)
            result = conn.execute(
                _lease.update()
                .where(
                    _lease.c.name == LEASE_NAME,
                    sa.or_(_lease.c.holder == self.holder, _lease.c.expires_at <= now),
                )
                .values(
                    holder=self.holder, acquired_at=now, renewed_at=now, expires_at=now + self.ttl
                )
            )
        return result.rowcount == 1

    def renew(self) -> bool:
        now = self.clock()
        with self.engine.begin() as conn:
            result = conn.execute(
                _lease.update()
                .where(
                    _lease.c.name == LEASE_NAME,
                    _lease.c.holder == self.holder,
                    _lease.c.expires_at > now,
                )
                .values(renewed_at=now, expires_at=now + self.ttl)
            )
        return result.rowcount == 1

    def release(self) -> None:
        """Expire our lease now, so a standby takes over without waiting for the TTL."""
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    _lease.update()
                    .where(_lease.c.name == LEASE_NAME, _lease.c.holder == self.holder)
                    .values(expires_at=now)
                )
        except sa.exc.SQLAlchemyError:
            log.exception("Could not release the scheduler lease; it expires by itself")


class AdvisoryLock:
    """The PostgreSQL advisory lock, plus the lease row as a heartbeat for the admin page."""

    def __init__(self, engine: Engine, holder: str, ttl: timedelta, clock: Clock = utcnow):
        self.engine, self.holder, self.ttl, self.clock = engine, holder, ttl, clock
        self._conn: Connection | None = None

    def _heartbeat(self, *, acquired: bool) -> None:
        now = self.clock()
        values = {"holder": self.holder, "renewed_at": now, "expires_at": now + self.ttl}
        if acquired:
            values["acquired_at"] = now
        with self.engine.begin() as conn:
            LeaseLock(self.engine, self.holder, self.ttl, self.clock)._ensure_row(conn, now)
            conn.execute(_lease.update().where(_lease.c.name == LEASE_NAME).values(**values))

    def try_acquire(self) -> bool:
        if self._conn is None:
            # Outside the pool's reach for its whole life: the lock belongs to this session.
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(
                self._conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            )
        except sa.exc.SQLAlchemyError:
            self._drop_connection()
            return False
        if got:
            self._heartbeat(acquired=True)
        return got

    def renew(self) -> bool:
        if self._conn is None:
            return False
        try:
            # Still our session and still holding the lock?
            held = self._conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid() AND granted"
                    " AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": ADVISORY_KEY},
            )
        except sa.exc.SQLAlchemyError:
            self._drop_connection()
            return False
        if not held:
            return False
        self._heartbeat(acquired=False)
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            with self.engine.begin() as conn:
                conn.execute(
                    _lease.update()
                    .where(_lease.c.name == LEASE_NAME, _lease.c.holder == self.holder)
                    .values(expires_at=self.clock())
                )
        except sa.exc.SQLAlchemyError:
            log.exception("Could not release the advisory lock cleanly")
        finally:
            self._drop_connection()

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never return a lock-holding connection to the pool
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                pass
            self._conn = None


def make_leader_lock(
    engine: Engine, holder: str, ttl: timedelta, clock: Clock = utcnow
) -> LeaseLock | AdvisoryLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, holder, ttl, clock)
    return LeaseLock(engine, holder, ttl, clock)
