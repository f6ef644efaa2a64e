"""The reader's own notifications as CSV rows (``lms.core.csv_export``), from the page's
SELECT (only theirs, with the page's unread filter)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.i18n import _
from lms.notifications.registry import KINDS


def notifications_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Received"), _("Kind"), _("Title"), _("Message"), _("Read")]
    rows = [
        [
            n.created_at,
            KINDS[n.kind].label if n.kind in KINDS else n.kind,
            n.title,
            n.body,
            n.read_at or "",
        ]
        for n in session.scalars(stmt)
    ]
    return header, rows
