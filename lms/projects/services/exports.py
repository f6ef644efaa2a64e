"""The portfolio as CSV rows (``lms.core.csv_export``): the projects ``portfolio_query``
lets the reader see, filtered as on the page, with the figures of ``portfolio_rows`` (read
from the stored summaries in a fixed number of statements)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.i18n import _
from lms.projects.services.portfolio import portfolio_rows


def portfolio_table(session: Session, stmt: sa.Select, today: date) -> tuple[list[str], list[list]]:
    header = [_("Code"), _("Project"), _("Start"), _("End"), _("Beneficiaries"), _("Manager")]
    header += [_("Status"), _("RAG"), _("Late milestones"), _("Time elapsed (%)")]
    header += [_("Milestones done (%)"), _("Next milestones")]
    projects = list(session.scalars(stmt).unique())
    rows = []
    for row in portfolio_rows(session, projects, today):
        p = row.project
        rating = row.assessment.rating
        rows.append(
            [
                p.code,
                p.title,
                p.start_date,
                p.end_date,
                ", ".join(m.country_code for m in p.beneficiaries),
                ", ".join(u.full_name for u in p.managers),
                p.status.label,
                rating.label if rating else "",
                row.late_count,
                row.elapsed_pct,
                "" if row.done_pct is None else row.done_pct,
                "; ".join(f"{m.due_date.isoformat()} {m.title}" for m in row.next_milestones),
            ]
        )
    return header, rows
