"""Multi-year assistance projects: the project, its partners and people, budget, logical
framework (goal → outcomes → outputs → activities), indicators with targets and append-only
actuals, phases, milestones with baseline and re-planning history, risks, progress updates and
the manager's RAG overrides.

History matters here (what was planned, what was reported, who moved a date and why), so the
history tables are append-only and their parents are protected with ``ondelete="RESTRICT"``.

One module per area; every name is re-exported here, so ``lms.projects.models.X`` is the one
import path for the other features, the tests and the feature's ``models`` entry.
"""

from __future__ import annotations

import sqlalchemy as sa

from lms.projects.models.corrections import ActualCorrection
from lms.projects.models.enums import (
    LABELS,
    LogframeLevel,
    Measure,
    MilestoneStatus,
    Money,
    PartnerRole,
    PeriodKind,
    ProjectStatus,
    Rag,
    RiskLevel,
    RiskStatus,
    TrainingMeasure,
)
from lms.projects.models.indicators import Indicator, IndicatorActual, IndicatorTarget
from lms.projects.models.logframe import Activity, ActivitySession, LogframeElement
from lms.projects.models.milestones import Milestone, MilestoneReplan, Phase
from lms.projects.models.project import (
    BudgetLine,
    Project,
    ProjectPartner,
    project_beneficiaries,
    project_focal_points,
    project_managers,
)
from lms.projects.models.reporting import ProgressUpdate, RagOverride, Risk
from lms.projects.models.summary import ProjectSummary

__all__ = [
    "LABELS",
    "Activity",
    "ActivitySession",
    "ActualCorrection",
    "BudgetLine",
    "Indicator",
    "IndicatorActual",
    "IndicatorTarget",
    "LogframeElement",
    "LogframeLevel",
    "Measure",
    "Milestone",
    "MilestoneReplan",
    "MilestoneStatus",
    "Money",
    "PartnerRole",
    "PeriodKind",
    "Phase",
    "ProgressUpdate",
    "Project",
    "ProjectPartner",
    "ProjectStatus",
    "ProjectSummary",
    "Rag",
    "RagOverride",
    "Risk",
    "RiskLevel",
    "RiskStatus",
    "TrainingMeasure",
    "project_beneficiaries",
    "project_focal_points",
    "project_managers",
]


@sa.event.listens_for(IndicatorActual, "before_update")
@sa.event.listens_for(IndicatorActual, "before_delete")
@sa.event.listens_for(MilestoneReplan, "before_update")
@sa.event.listens_for(MilestoneReplan, "before_delete")
@sa.event.listens_for(ProgressUpdate, "before_update")
@sa.event.listens_for(ProgressUpdate, "before_delete")
def _refuse_rewriting_history(mapper, connection, target) -> None:
    """Reported figures, re-plans and progress reports are history: append, never rewrite."""
    raise PermissionError(f"{type(target).__name__} rows are append-only")
