"""What ``compute_rag`` reads, as loader options: one statement per collection, whatever the
number of projects. Kept apart from the read model so the summary writer can load projects
without importing the read model that reads its rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lms.projects.models import Indicator, Project


def rag_ready_options() -> tuple[ORMOption, ...]:
    """Loader options for everything ``compute_rag`` and ``portfolio_row`` read."""
    return (
        selectinload(Project.managers),
        selectinload(Project.beneficiaries),
        selectinload(Project.milestones),
        selectinload(Project.indicators).selectinload(Indicator.targets),
        selectinload(Project.indicators).selectinload(Indicator.actuals),
        selectinload(Project.rag_overrides),
    )


def rag_ready_projects_query() -> sa.Select:
    """``SELECT`` projects ready to be rated; callers add their filters and order."""
    return sa.select(Project).options(*rag_ready_options())
