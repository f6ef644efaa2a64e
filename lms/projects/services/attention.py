"""What needs a project manager's attention in the active projects they manage: late
milestones and indicator figures due (the home page's manager section)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.projects.models import (
    Indicator,
    Milestone,
    Project,
    ProjectStatus,
)
from lms.projects.permissions import managed_projects_clause
from lms.projects.services.milestones import late_milestones
from lms.projects.services.read_model import rag_ready_projects_query

DUE_WITHIN_DAYS = 30  # a period ending this soon is already listed as due


@dataclass(frozen=True)
class IndicatorDue:
    """A target period with no figure reported for it, ended or ending soon."""

    indicator: Indicator
    period: str
    period_end: date
    overdue: bool  # the period has ended

    @property
    def project(self) -> Project:
        return self.indicator.project


def managed_active_projects(session: Session, user: User) -> list[Project]:
    """The active projects ``user`` manages, loaded for the RAG read model."""
    stmt = rag_ready_projects_query().where(
        Project.status == ProjectStatus.ACTIVE, managed_projects_clause(user)
    )
    return list(session.scalars(stmt.order_by(Project.code)))


def late_milestones_of(projects: list[Project], today: date) -> list[Milestone]:
    """Every late milestone of these projects, the longest overdue first."""
    late = [m for project in projects for m in late_milestones(project, today)]
    return sorted(late, key=lambda m: (m.due_date, m.id))


def indicators_due(
    projects: list[Project], today: date, within_days: int = DUE_WITHIN_DAYS
) -> list[IndicatorDue]:
    """Per indicator of these projects, each target period that has ended (or ends within
    ``within_days``) with no figure reported for it; the oldest first."""
    horizon = today + timedelta(days=within_days)
    due = []
    for project in projects:
        for indicator in project.indicators:
            reported = {actual.period for actual in indicator.actuals}
            for target in indicator.targets:
                if target.period_end <= horizon and target.period not in reported:
                    due.append(
                        IndicatorDue(
                            indicator, target.period, target.period_end, target.period_end < today
                        )
                    )
    return sorted(due, key=lambda d: (d.period_end, d.indicator.id))
