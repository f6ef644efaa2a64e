"""The one read model of a project: what every rating, row and page needs loaded up front,
and the one reader of the stored status summaries (``ProjectSummary``).

The jobs and the reports rate projects live with ``compute_rag``, loading what it reads once
(``rag_ready_projects_query``: one statement per collection). The portfolio and the project
page read the stored summary instead (``project_summaries``): one statement for any number of
projects, and live figures only for projects whose row is missing or was computed for another
day (see ``lms.projects.services.summary`` for how rows are kept right).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.projects.models import (
    Indicator,
    IndicatorActual,
    LogframeElement,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectSummary,
)
from lms.projects.services.loading import rag_ready_options, rag_ready_projects_query
from lms.projects.services.summary import StatusSummary, stored_summary, summarise

__all__ = [
    "StatusSummary",
    "load_project",
    "next_milestones",
    "project_summaries",
    "project_summary",
    "rag_ready_options",
    "rag_ready_project",
    "rag_ready_projects_query",
]


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


def project_summaries(
    session: Session, projects: Sequence[Project], today: date
) -> dict[int, StatusSummary]:
    """Each project's status on ``today`` by id, from its stored row: one statement. Projects
    whose row is missing or stale are rated live, loaded together (one statement per
    collection), and nothing is written. ``projects`` need their ``rag_overrides`` loaded
    (the override in force is read from its own table, not stored)."""
    if not projects:
        return {}
    by_id = {p.id: p for p in projects}
    rows = session.scalars(
        sa.select(ProjectSummary).where(
            ProjectSummary.project_id.in_(by_id), ProjectSummary.computed_for == today
        )
    ).all()
    summaries = {row.project_id: stored_summary(row, by_id[row.project_id]) for row in rows}
    stale = [project_id for project_id in by_id if project_id not in summaries]
    if stale:
        for project in session.scalars(
            rag_ready_projects_query().where(Project.id.in_(stale))
        ).all():
            summaries[project.id] = summarise(project, today)
    return summaries


def project_summary(session: Session, project: Project, today: date) -> StatusSummary:
    """One project's status on ``today`` for its page (``project`` from ``load_project``): its
    stored row, or, when stale, the rules run on what the page loaded anyway."""
    row = session.scalar(
        sa.select(ProjectSummary).where(
            ProjectSummary.project_id == project.id, ProjectSummary.computed_for == today
        )
    )
    return stored_summary(row, project) if row is not None else summarise(project, today)


def next_milestones(
    session: Session, project_ids: Sequence[int], per_project: int = 2
) -> dict[int, list[Milestone]]:
    """The first ``per_project`` open (not done, not cancelled) milestones of each project by
    due date, in one statement, without loading the others."""
    if not project_ids:
        return {}
    ranked = (
        sa.select(
            Milestone.id,
            sa.func.row_number()
            .over(partition_by=Milestone.project_id, order_by=(Milestone.due_date, Milestone.id))
            .label("rank"),
        )
        .where(
            Milestone.project_id.in_(project_ids),
            Milestone.status.not_in([MilestoneStatus.DONE, MilestoneStatus.CANCELLED]),
        )
        .subquery()
    )
    found: dict[int, list[Milestone]] = {project_id: [] for project_id in project_ids}
    for milestone in session.scalars(
        sa.select(Milestone)
        .join(ranked, ranked.c.id == Milestone.id)
        .where(ranked.c.rank <= per_project)
        .order_by(Milestone.project_id, Milestone.due_date, Milestone.id)
    ):
        found[milestone.project_id].append(milestone)
    return found
