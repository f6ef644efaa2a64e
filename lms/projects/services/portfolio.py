"""The portfolio dashboard: filters, the paginated query, one row per project and the status
counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Region, User
from lms.projects.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
    project_beneficiaries,
    project_managers,
)
from lms.projects.permissions import visible_projects_clause
from lms.projects.services.common import _pct
from lms.projects.services.milestones import late_milestones
from lms.projects.services.rag import (
    RagAssessment,
    compute_rag,
    milestones_done_share,
    time_elapsed,
)
from lms.projects.services.read_model import next_milestones, project_summaries


@dataclass(frozen=True)
class PortfolioFilters:
    region: Region | None = None
    beneficiary_id: int | None = None
    status: ProjectStatus | None = None
    manager_id: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> PortfolioFilters:
        def enum_or_none(enum_cls, value):
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        return cls(
            region=enum_or_none(Region, args.get("region")),
            beneficiary_id=args.get("beneficiary", type=int),
            status=enum_or_none(ProjectStatus, args.get("status")),
            manager_id=args.get("manager", type=int),
        )


def portfolio_query(user: User, filters: PortfolioFilters) -> sa.Select:
    """The projects ``user`` may see, filtered, with what their rows show loaded in a fixed
    number of statements (one per collection), whatever the number of projects; their ratings
    and progress come from the stored summaries (``portfolio_rows``)."""
    stmt = (
        sa.select(Project)
        .options(
            selectinload(Project.managers),
            selectinload(Project.beneficiaries),
            selectinload(Project.rag_overrides),
        )
        .where(visible_projects_clause(user))
    )
    if filters.region is not None:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_beneficiaries.c.project_id)
                .join(
                    MemberAdministration,
                    MemberAdministration.id == project_beneficiaries.c.member_administration_id,
                )
                .where(MemberAdministration.region == filters.region)
            )
        )
    if filters.beneficiary_id:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_beneficiaries.c.project_id).where(
                    project_beneficiaries.c.member_administration_id == filters.beneficiary_id
                )
            )
        )
    if filters.status is not None:
        stmt = stmt.where(Project.status == filters.status)
    if filters.manager_id:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_managers.c.project_id).where(
                    project_managers.c.user_id == filters.manager_id
                )
            )
        )
    return stmt.order_by(Project.start_date, Project.code)


@dataclass
class PortfolioRow:
    project: Project
    assessment: RagAssessment
    elapsed_pct: int
    done_pct: int | None
    late_count: int
    next_milestones: list[Milestone]


def portfolio_rows(
    session: Session, projects: Sequence[Project], today: date
) -> list[PortfolioRow]:
    """The dashboard's rows for ``projects`` (from ``portfolio_query``), read from their stored
    summaries: the same figures as ``portfolio_row``, in a fixed number of statements."""
    summaries = project_summaries(session, projects, today)
    upcoming = next_milestones(session, [p.id for p in projects])
    rows = []
    for project in projects:
        summary = summaries[project.id]
        rows.append(
            PortfolioRow(
                project=project,
                assessment=summary.assessment,
                elapsed_pct=_pct(summary.elapsed_share),
                done_pct=None if summary.done_share is None else _pct(summary.done_share),
                late_count=summary.late_milestones,
                next_milestones=upcoming[project.id],
            )
        )
    return rows


def portfolio_row(project: Project, today: date) -> PortfolioRow:
    """One row computed live from a project loaded ``rag_ready`` (the reports' portfolio)."""
    done = milestones_done_share(project)
    upcoming = [
        m
        for m in project.milestones
        if m.status not in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED)
    ]
    upcoming.sort(key=lambda m: (m.due_date, m.id))
    return PortfolioRow(
        project=project,
        assessment=compute_rag(project, today),
        elapsed_pct=_pct(time_elapsed(project, today)),
        done_pct=None if done is None else _pct(done),
        late_count=len(late_milestones(project, today)),
        next_milestones=upcoming[:2],
    )


def status_counts(session: Session, user: User) -> dict[ProjectStatus, int]:
    rows = session.execute(
        sa.select(Project.status, sa.func.count(Project.id))
        .where(visible_projects_clause(user))
        .group_by(Project.status)
    ).all()
    return {status: count for status, count in rows}
