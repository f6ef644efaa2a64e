"""The projects' vocabularies (statuses, levels, ratings) and their translated labels, and
the column types for money and measures."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from lms.core.model_base import LabelledEnum

Money = sa.Numeric(14, 2)
Measure = sa.Numeric(14, 2)


class ProjectStatus(LabelledEnum):
    PIPELINE = "pipeline"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PartnerRole(LabelledEnum):
    FUNDING = "funding"
    IMPLEMENTING = "implementing"
    BENEFICIARY = "beneficiary"
    ACCOUNTABLE = "accountable"


class LogframeLevel(LabelledEnum):
    GOAL = "goal"
    OUTCOME = "outcome"
    OUTPUT = "output"


class PeriodKind(LabelledEnum):
    YEAR = "year"
    QUARTER = "quarter"


class MilestoneStatus(LabelledEnum):
    """``late`` is never stored: a milestone past due and not done or cancelled *is* late."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"
    CANCELLED = "cancelled"


class RiskLevel(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def score(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class RiskStatus(LabelledEnum):
    OPEN = "open"
    MITIGATED = "mitigated"
    OCCURRED = "occurred"
    CLOSED = "closed"


class Rag(LabelledEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def severity(self) -> int:
        return {"green": 0, "amber": 1, "red": 2}[self.value]


class TrainingMeasure(LabelledEnum):
    """A training figure that can feed an indicator's actuals."""

    TRAINED = "trained"
    COMPLETED = "completed"
    CERTIFIED = "certified"


# Pairs, not a dict: equal values of two enums ("completed", "cancelled") would collide.
LABELS = [
    (TrainingMeasure.TRAINED, _l("Officers trained")),
    (TrainingMeasure.COMPLETED, _l("Officers who passed a course")),
    (TrainingMeasure.CERTIFIED, _l("Officers certified")),
    (ProjectStatus.PIPELINE, _l("Pipeline")),
    (ProjectStatus.ACTIVE, _l("Active")),
    (ProjectStatus.SUSPENDED, _l("Suspended")),
    (ProjectStatus.COMPLETED, lazy_pgettext("status", "Completed")),
    (ProjectStatus.CANCELLED, _l("Cancelled")),
    (PartnerRole.FUNDING, _l("Funding")),
    (PartnerRole.IMPLEMENTING, _l("Implementing")),
    (PartnerRole.BENEFICIARY, _l("Beneficiary")),
    (PartnerRole.ACCOUNTABLE, _l("Accountable")),
    (LogframeLevel.GOAL, _l("Goal")),
    (LogframeLevel.OUTCOME, _l("Outcome")),
    (LogframeLevel.OUTPUT, _l("Output")),
    (PeriodKind.YEAR, _l("Year")),
    (PeriodKind.QUARTER, _l("Quarter")),
    (MilestoneStatus.PLANNED, _l("Planned")),
    (MilestoneStatus.IN_PROGRESS, _l("In progress")),
    (MilestoneStatus.DONE, _l("Done")),
    (MilestoneStatus.LATE, _l("Late")),
    (MilestoneStatus.CANCELLED, _l("Cancelled")),
    (RiskLevel.LOW, _l("Low")),
    (RiskLevel.MEDIUM, _l("Medium")),
    (RiskLevel.HIGH, _l("High")),
    (RiskStatus.OPEN, lazy_pgettext("status", "Open")),
    (RiskStatus.MITIGATED, _l("Mitigated")),
    (RiskStatus.OCCURRED, _l("Occurred")),
    (RiskStatus.CLOSED, _l("Closed")),
    (Rag.GREEN, _l("Green")),
    (Rag.AMBER, _l("Amber")),
    (Rag.RED, _l("Red")),
]
LabelledEnum.label_members(LABELS)
