"""The audit log and the outbox as CSV rows (``lms.core.csv_export``), from the pages' own
SELECTs (the actor is joined with each entry)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.i18n import _


def _changes(before: dict | None, after: dict | None) -> str:
    before, after = before or {}, after or {}
    parts = []
    for key in sorted(set(before) | set(after)):
        old = json.dumps(before.get(key), ensure_ascii=False, default=str)
        new = json.dumps(after.get(key), ensure_ascii=False, default=str)
        parts.append(f"{key}: {old} → {new}" if key in before else f"{key}: {new}")
    return "; ".join(parts)


def audit_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("When"), _("Who"), _("Action"), _("Record type"), _("Record"), _("Summary")]
    header.append(_("Changes"))
    rows = [
        [
            e.at,
            e.actor.email if e.actor else _("system"),
            e.action,
            e.entity_type,
            e.entity_id or "",
            e.summary,
            _changes(e.before, e.after),
        ]
        for e in session.scalars(stmt).unique()
    ]
    return header, rows


def outbox_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Queued"), _("To"), _("Subject"), _("Status"), _("Attempts"), _("Last error")]
    rows = [
        [m.created_at, m.recipient, m.subject, m.status.value, m.attempts, m.last_error or ""]
        for m in session.scalars(stmt)
    ]
    return header, rows


def http_outbox_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    """The HTTP outbox's requests as listed; bodies stay out (statements name trainees)."""
    header = [_("Queued"), _("Channel"), _("Address"), _("Status"), _("Attempts")]
    header += [_("Next attempt"), _("Sent"), _("Last answer"), _("Last error")]
    rows = [
        [
            r.created_at,
            r.channel,
            f"{r.method} {r.url}",
            r.status.value,
            r.attempts,
            r.next_attempt_at if r.status.value == "pending" else "",
            r.sent_at,
            r.last_status_code or "",
            r.last_error or "",
        ]
        for r in session.scalars(stmt)
    ]
    return header, rows
