"""The one read model of a project: what every rating, row and page needs loaded up front.

The portfolio, the project page, the jobs and the reports all rate projects with
``compute_rag``; loading what it reads here, once, keeps each of them at a fixed number of
statements (one per collection) whatever the number of projects, and keeps them in step when
the rating starts reading something new.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lms.projects.models import Indicator, IndicatorActual, LogframeElement, Milestone, Project


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


def rag_ready_project(session: Session, project_id: int) -> Project | None:
    """One project ready to be rated, or ``None``."""
    return session.scalar(rag_ready_projects_query().where(Project.id == project_id))


def load_project(session: Session, project_id: int) -> Project | None:
    """One project with everything its page shows (the rating and every section), loaded up
    front."""
    return session.scalar(
        rag_ready_projects_query()
        .where(Project.id == project_id)
        .options(
            selectinload(Project.focal_points),
            selectinload(Project.partners),
            selectinload(Project.budget_lines),
            selectinload(Project.logframe_elements).selectinload(LogframeElement.activities),
            selectinload(Project.indicators)
            .selectinload(Indicator.actuals)
            .joinedload(IndicatorActual.reported_by),
            selectinload(Project.phases),
            selectinload(Project.milestones).selectinload(Milestone.replans),
            selectinload(Project.risks),
            selectinload(Project.progress_updates),
        )
    )
