"""Whether an account holds history, so that deleting it would lose (or break) records.

The rule is derived from the schema rather than listed by hand, so a feature that adds a
table pointing at ``users`` is covered the day it is written: every foreign key to
``users.id`` whose ``ON DELETE`` is RESTRICT or NO ACTION (the default) holds the user, since
the database would refuse the delete anyway. Keys with CASCADE or SET NULL do not: the rows
(the account's own sign-in sessions, tokens, preferences, notifications) go with it.

Features may still answer the ``user_history_probe`` signal with nicer wording; their answers
come before the generic ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import signals
from lms.core.model_base import Base
from lms.core.models import AuditEntry

# ON DELETE actions under which the database refuses to delete a referenced user.
HOLDING_ON_DELETE = {"", "RESTRICT", "NO ACTION"}


@dataclass(frozen=True)
class UserReference:
    """One column that points at a user and keeps the account from being deleted."""

    table: sa.Table
    column: sa.Column

    @property
    def key(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    def label(self, count: int) -> str:
        """Words for the rows: ``table.info["label"]`` (singular, plural) when a feature gave
        one, else the table's name in words ("session_enrolments" → "session enrolments")."""
        given = self.table.info.get("label")
        if given:
            singular, plural = given if isinstance(given, tuple) else (given, given)
        else:
            plural = self.table.name.replace("_", " ")
            singular = plural[:-1] if plural.endswith("s") else plural
        return singular if count == 1 else plural

    def reason(self, count: int) -> str:
        return f"has {count} {self.label(count)} ({self.key})"


def user_references(metadata: sa.MetaData | None = None) -> list[UserReference]:
    """Every column holding a user, in a stable order (the schema's dependency order).

    Complete only once every feature's models are imported (``lms.features.wire()``).
    """
    metadata = metadata if metadata is not None else Base.metadata
    users = User.__table__
    found = []
    for table in metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            if fk.column.table is not users or fk.column.name != "id":
                continue
            if (fk.ondelete or "").upper() not in HOLDING_ON_DELETE:
                continue
            found.append(UserReference(table, fk.parent))
    return found


def _count(session: Session, reference: UserReference, user: User) -> int:
    stmt = sa.select(sa.func.count()).select_from(reference.table)
    return session.scalar(stmt.where(reference.column == user.id)) or 0


def _own_history(session: Session, user: User) -> str | None:
    if user.last_login_at is not None:
        return "has logged in"
    if session.scalar(sa.select(sa.func.count()).where(AuditEntry.actor_id == user.id)):
        return "has made recorded changes"
    return None


def history_reasons(session: Session, user: User, *, first_only: bool = False) -> list[str]:
    """Every reason the account cannot be deleted: its own history, the features' answers to
    ``user_history_probe``, then each table holding it (one COUNT per holding column)."""
    reasons = [r for r in [_own_history(session, user)] if r]
    reasons += signals.values_from_signal(signals.user_history_probe.send(session, user=user))
    if user.id is None:
        return reasons
    for reference in user_references():
        if first_only and reasons:
            break
        count = _count(session, reference, user)
        if count:
            reasons.append(reference.reason(count))
    return reasons


def history_reason(session: Session, user: User) -> str | None:
    """Why the account cannot be deleted, if anything holds it (the first reason found)."""
    reasons = history_reasons(session, user, first_only=True)
    return reasons[0] if reasons else None
