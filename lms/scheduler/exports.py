"""The run history as CSV rows (``lms.core.csv_export``), from the page's own SELECT (the
job is joined with each run)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.i18n import _


def runs_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Job"), _("Started"), _("Trigger"), _("Status"), _("Duration (ms)")]
    header += [_("Result"), _("Error"), _("Scheduler")]
    rows = [
        [
            run.job.name,
            run.started_at,
            _("manual") if run.trigger.value == "manual" else _("schedule"),
            run.status.value,
            run.duration_ms,
            run.summary_text,
            run.error or "",
            run.runner_id,
        ]
        for run in session.scalars(stmt).unique()
    ]
    return header, rows
