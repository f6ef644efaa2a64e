"""Bulk inserts through SQLAlchemy Core: rows as dicts, ids assigned in Python (so later rows
can point at earlier ones without reading them back), written in batches; the counts kept per
table; PostgreSQL's sequences moved past the ids used at the end."""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.models import AuditEntry

BATCH = 5_000


class Progress(Protocol):
    """Called once per stage with its label and number of steps; the context it returns
    takes ``advance(n)`` calls (the CLI draws a bar; tests pass nothing)."""

    def __call__(self, label: str, total: int) -> Any: ...


@contextmanager
def _silent(label: str, total: int) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


def _stored(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class Loader:
    def __init__(self, session: Session, progress: Progress | None = None) -> None:
        self.session = session
        self.progress = progress or _silent
        self.counts: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._pending: dict[str, list[dict]] = {}
        self._tables: dict[str, sa.Table] = {}
        self._sorted: list[sa.Table] | None = None

    # Ids -------------------------------------------------------------------------------
    def next_id(self, table: sa.Table) -> int:
        """The next free id of ``table``: after what the database holds (rows written by the
        ORM services earlier in the run), then counting up."""
        if table.name not in self._next:
            self._next[table.name] = (
                self.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            ) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    # Rows ------------------------------------------------------------------------------
    def add(self, table: sa.Table, row: dict) -> dict:
        """Queue one row (all rows of a table carry the same keys); written in batches."""
        pending = self._pending.setdefault(table.name, [])
        self._tables[table.name] = table
        pending.append(row)
        if len(pending) >= BATCH:
            self.flush()
        return row

    def add_all(self, table: sa.Table, rows: Iterable[dict]) -> None:
        for row in rows:
            self.add(table, row)

    def flush(self) -> None:
        """Write everything queued, referenced tables first (the metadata's dependency
        order), so every foreign key already resolves when its row arrives."""
        for table in self._order():
            self._write(table.name)

    def _order(self) -> list[sa.Table]:
        if not self._tables:
            return []
        if self._sorted is None:
            self._sorted = list(next(iter(self._tables.values())).metadata.sorted_tables)
        return [t for t in self._sorted if self._pending.get(t.name)]

    def _write(self, name: str) -> None:
        rows = self._pending.get(name)
        if not rows:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            self._copy(name, rows)
        else:
            self.session.execute(sa.insert(self._tables[name]), rows)
        self.counts[name] += len(rows)
        self._pending[name] = []

    def _copy(self, name: str, rows: list[dict]) -> None:
        """PostgreSQL: COPY the rows in (several times faster than INSERTs), in the
        session's transaction. The rows carry every column they set, values as the columns
        store them (enums as their values, JSON as text)."""
        table = self._tables[name]
        columns = list(rows[0])
        # COPY applies no Python-side defaults (an INSERT through Core would): fill them in.
        defaults = {
            c.name: c.default
            for c in table.c
            if c.name not in rows[0] and c.default is not None and not c.default.is_sequence
        }
        for row in rows:
            for column, default in defaults.items():
                row[column] = default.arg(None) if default.is_callable else default.arg
        columns += list(defaults)
        listed = ", ".join(f'"{c}"' for c in columns)
        raw = self.session.connection().connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f'COPY "{name}" ({listed}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_stored(row[c]) for c in columns])

    # End -------------------------------------------------------------------------------
    def finish(self) -> None:
        self.flush()
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name, table in self._tables.items():
            if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
                continue
            # Built by SQLAlchemy (the name a bound parameter, the table quoted), not by hand.
            highest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
            sequence = sa.func.pg_get_serial_sequence(name, "id")
            self.session.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(highest, 1))))


def audit_row(loader: Loader, action, entity, entity_id, actor, when, summary, after) -> None:
    """The audit entry the service would have written for the change."""
    table = AuditEntry.__table__
    loader.add(
        table,
        {
            "id": loader.next_id(table),
            "at": when,
            "actor_id": actor,
            "action": action,
            "entity_type": entity,
            "entity_id": str(entity_id),
            "summary": summary[:300],
            "before": None,
            "after": after,
            "ip_address": None,
        },
    )
