"""Recording changes in the audit log. Services call ``record_change`` inside their transaction,
so the log entry commits or rolls back together with the change it describes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lms.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """A JSON-friendly picture of ``obj`` for the before/after columns."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(
    session: Session,
    *,
    actor: Any,
    action: str,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        session.flush()
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    if before is not None and after is not None:
        # Keep only what changed, so the log reads as a list of differences.
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type or "",
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        summary=summary[:300],
        ip_address=ip_address,
    )
    session.add(entry)
    return entry


Snapshot = tuple[str, ...] | list[str] | Callable[[Any], dict[str, Any]]


@contextmanager
def audited(
    session: Session,
    entity: Any,
    fields: Snapshot,
    *,
    actor: Any,
    action: str,
    summary: str | Callable[[], str] = "",
) -> Iterator[None]:
    """Record what the block changes on ``entity`` as one audit entry (before/after).

    ``fields`` names the attributes to compare, or is a function returning the picture. The
    entry is written only when the block finishes, so a refused change leaves no trace.
    """

    def picture() -> dict[str, Any]:
        return fields(entity) if callable(fields) else snapshot(entity, fields)

    before = picture()
    yield
    record_change(
        session,
        actor=actor,
        action=action,
        entity=entity,
        before=before,
        after=picture(),
        summary=summary() if callable(summary) else summary,
    )
