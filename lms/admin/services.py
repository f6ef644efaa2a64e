"""Queries behind the admin's audit log and email outbox pages.

The records belong to ``lms.core``; the filters (an actor found by email) need accounts, so the
queries live here, above both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.models import (
    AuditEntry,
    OutboundRequest,
    OutboundStatus,
    OutboxMessage,
    OutboxStatus,
)

USER_TRAIL_LENGTH = 20


@dataclass(frozen=True)
class AuditFilters:
    """``action`` matches a prefix ("user." finds every user change); ``actor`` part of an
    email."""

    action: str = ""
    entity_type: str = ""
    actor: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        return cls(
            action=(args.get("action") or "").strip(),
            entity_type=(args.get("entity_type") or "").strip(),
            actor=(args.get("actor") or "").strip().lower(),
        )


def audit_query(filters: AuditFilters) -> sa.Select[tuple[AuditEntry]]:
    """Audit entries matching the filters, newest first."""
    stmt = sa.select(AuditEntry)
    if filters.action:
        stmt = stmt.where(AuditEntry.action.like(f"{filters.action}%"))
    if filters.entity_type:
        stmt = stmt.where(AuditEntry.entity_type == filters.entity_type)
    if filters.actor:
        actors = sa.select(User.id).where(User.email.like(f"%{filters.actor}%"))
        stmt = stmt.where(AuditEntry.actor_id.in_(actors))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def audit_entity_types(session: Session) -> list[str]:
    """The entity types present in the log, for the filter's choice list."""
    return list(
        session.scalars(
            sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
        )
    )


def user_audit_trail(
    session: Session, user: User, *, limit: int = USER_TRAIL_LENGTH
) -> tuple[list[AuditEntry], int]:
    """The latest changes made to or by ``user``, and how many there are in all, so the page
    can say that it shows only the latest and link to the full log."""
    condition = sa.or_(
        sa.and_(AuditEntry.entity_type == "User", AuditEntry.entity_id == str(user.id)),
        AuditEntry.actor_id == user.id,
    )
    entries = session.scalars(
        sa.select(AuditEntry)
        .where(condition)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(condition))
    return list(entries), total or 0


def outbox_query(status: str | None) -> sa.Select[tuple[OutboxMessage]]:
    """Outbox messages, newest first, of one status when ``status`` names one."""
    stmt = sa.select(OutboxMessage)
    if status in {s.value for s in OutboxStatus}:
        stmt = stmt.where(OutboxMessage.status == status)
    return stmt.order_by(OutboxMessage.id.desc())


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    rows = session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status: count for status, count in rows}


def http_outbox_query(status: str | None) -> sa.Select[tuple[OutboundRequest]]:
    """Outgoing HTTP requests, newest first, of one status when ``status`` names one."""
    stmt = sa.select(OutboundRequest)
    if status in {s.value for s in OutboundStatus}:
        stmt = stmt.where(OutboundRequest.status == status)
    return stmt.order_by(OutboundRequest.id.desc())


def http_outbox_counts(session: Session) -> dict[OutboundStatus, int]:
    rows = session.execute(
        sa.select(OutboundRequest.status, sa.func.count()).group_by(OutboundRequest.status)
    ).all()
    return {status: count for status, count in rows}
