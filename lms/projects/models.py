"""Multi-year assistance projects: the project, its partners and people, budget, logical
framework (goal → outcomes → outputs → activities), indicators with targets and append-only
actuals, phases, milestones with baseline and re-planning history, risks, progress updates and
the manager's RAG overrides.

History matters here (what was planned, what was reported, who moved a date and why), so the
history tables are append-only and their parents are protected with ``ondelete="RESTRICT"``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import MemberAdministration, User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow

Money = sa.Numeric(14, 2)
Measure = sa.Numeric(14, 2)


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return str(LABELS.get(self, self.value))


class ProjectStatus(_Labelled):
    PIPELINE = "pipeline"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PartnerRole(_Labelled):
    FUNDING = "funding"
    IMPLEMENTING = "implementing"
    BENEFICIARY = "beneficiary"
    ACCOUNTABLE = "accountable"


class LogframeLevel(_Labelled):
    GOAL = "goal"
    OUTCOME = "outcome"
    OUTPUT = "output"


class PeriodKind(_Labelled):
    YEAR = "year"
    QUARTER = "quarter"


class MilestoneStatus(_Labelled):
    """``late`` is never stored: a milestone past due and not done or cancelled *is* late."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"
    CANCELLED = "cancelled"


class RiskLevel(_Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def score(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class RiskStatus(_Labelled):
    OPEN = "open"
    MITIGATED = "mitigated"
    OCCURRED = "occurred"
    CLOSED = "closed"


class Rag(_Labelled):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def severity(self) -> int:
        return {"green": 0, "amber": 1, "red": 2}[self.value]


class TrainingMeasure(_Labelled):
    """A training figure that can feed an indicator's actuals."""

    TRAINED = "trained"
    COMPLETED = "completed"
    CERTIFIED = "certified"


LABELS = {
    TrainingMeasure.TRAINED: _l("Officers trained"),
    TrainingMeasure.COMPLETED: _l("Officers who passed a course"),
    TrainingMeasure.CERTIFIED: _l("Officers certified"),
    ProjectStatus.PIPELINE: _l("Pipeline"),
    ProjectStatus.ACTIVE: _l("Active"),
    ProjectStatus.SUSPENDED: _l("Suspended"),
    ProjectStatus.COMPLETED: _l("Completed"),
    ProjectStatus.CANCELLED: _l("Cancelled"),
    PartnerRole.FUNDING: _l("Funding"),
    PartnerRole.IMPLEMENTING: _l("Implementing"),
    PartnerRole.BENEFICIARY: _l("Beneficiary"),
    PartnerRole.ACCOUNTABLE: _l("Accountable"),
    LogframeLevel.GOAL: _l("Goal"),
    LogframeLevel.OUTCOME: _l("Outcome"),
    LogframeLevel.OUTPUT: _l("Output"),
    PeriodKind.YEAR: _l("Year"),
    PeriodKind.QUARTER: _l("Quarter"),
    MilestoneStatus.PLANNED: _l("Planned"),
    MilestoneStatus.IN_PROGRESS: _l("In progress"),
    MilestoneStatus.DONE: _l("Done"),
    MilestoneStatus.LATE: _l("Late"),
    MilestoneStatus.CANCELLED: _l("Cancelled"),
    RiskLevel.LOW: _l("Low"),
    RiskLevel.MEDIUM: _l("Medium"),
    RiskLevel.HIGH: _l("High"),
    RiskStatus.OPEN: _l("Open"),
    RiskStatus.MITIGATED: _l("Mitigated"),
    RiskStatus.OCCURRED: _l("Occurred"),
    RiskStatus.CLOSED: _l("Closed"),
    Rag.GREEN: _l("Green"),
    Rag.AMBER: _l("Amber"),
    Rag.RED: _l("Red"),
}

project_beneficiaries = sa.Table(
    "project_beneficiaries",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "member_administration_id",
        sa.ForeignKey("member_administrations.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

project_managers = sa.Table(
    "project_managers",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "user_id", sa.ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)

project_focal_points = sa.Table(
    "project_focal_points",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "user_id", sa.ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Project(db.Model):
    """A multi-year assistance project to one or more member administrations."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"), default=ProjectStatus.PIPELINE, index=True
    )
    start_date: Mapped[date]
    end_date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    beneficiaries: Mapped[list[MemberAdministration]] = relationship(
        secondary=project_beneficiaries, order_by=MemberAdministration.name
    )
    managers: Mapped[list[User]] = relationship(secondary=project_managers, order_by=User.full_name)
    focal_points: Mapped[list[User]] = relationship(
        secondary=project_focal_points, order_by=User.full_name
    )
    partners: Mapped[list[ProjectPartner]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectPartner.name"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="BudgetLine.year"
    )
    logframe_elements: Mapped[list[LogframeElement]] = relationship(
        back_populates="project", order_by="LogframeElement.code"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="project", order_by="Indicator.id"
    )
    phases: Mapped[list[Phase]] = relationship(
        back_populates="project", order_by="Phase.start_date"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by=lambda: (Milestone.due_date, Milestone.id)
    )
    risks: Mapped[list[Risk]] = relationship(back_populates="project", order_by="Risk.id")
    progress_updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="project", order_by="ProgressUpdate.created_at.desc()"
    )
    rag_overrides: Mapped[list[RagOverride]] = relationship(
        back_populates="project", order_by="RagOverride.id"
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint("length(currency) = 3", name="currency_three_letters"),
        sa.CheckConstraint("currency = upper(currency)", name="currency_upper"),
    )

    @property
    def current_override(self) -> RagOverride | None:
        """The override in force: the latest one not withdrawn (older ones stay as history)."""
        live = [o for o in self.rag_overrides if o.withdrawn_at is None]
        return live[-1] if live else None

    def __repr__(self) -> str:
        return f"<Project {self.code}>"


class ProjectPartner(db.Model):
    """An organisation taking part in the project, in one role."""

    __tablename__ = "project_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole, "partner_role"))

    project: Mapped[Project] = relationship(back_populates="partners")

    __table_args__ = (
        sa.UniqueConstraint("project_id", "name", "role"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )


class BudgetLine(db.Model):
    """Planned budget and reported spend for one year, in the project's currency."""

    __tablename__ = "project_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    planned: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    project: Mapped[Project] = relationship(back_populates="budget_lines")

    __table_args__ = (
        sa.UniqueConstraint("project_id", "year"),
        sa.CheckConstraint("planned >= 0", name="planned_not_negative"),
        sa.CheckConstraint("spent >= 0", name="spent_not_negative"),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year_plausible"),
    )


class LogframeElement(db.Model):
    """One box of the logical framework: the goal, an outcome under it, an output under that."""

    __tablename__ = "logframe_elements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    # CASCADE within the tree only; indicators and activities (the history) still RESTRICT.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("logframe_elements.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[LogframeLevel] = mapped_column(enum_column(LogframeLevel, "logframe_level"))
    code: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship(back_populates="logframe_elements")
    parent: Mapped[LogframeElement | None] = relationship(
        remote_side="LogframeElement.id", back_populates="children"
    )
    children: Mapped[list[LogframeElement]] = relationship(
        back_populates="parent", order_by="LogframeElement.code"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="element", order_by="Indicator.id"
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="output", order_by="Activity.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("project_id", "code"),
        sa.CheckConstraint(
            "(level = 'goal') = (parent_id IS NULL)", name="only_goal_has_no_parent"
        ),
        sa.CheckConstraint("length(trim(statement)) > 0", name="statement_not_blank"),
    )


class Activity(db.Model):
    """Work that produces an output (a workshop, a diagnostic mission, a course run...).

    Training delivered will link activities to course sessions through their own table
    (activity ↔ course session) when courses exist; nothing here needs to change for that.
    """

    __tablename__ = "project_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(
        sa.ForeignKey("logframe_elements.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]

    output: Mapped[LogframeElement] = relationship(back_populates="activities")

    __table_args__ = (
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="ends_after_start",
        ),
    )


class ActivitySession(db.Model):
    """A course session delivered as (part of) a project activity: its trainees from the
    beneficiary administrations count as the project's training delivered."""

    __tablename__ = "activity_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project_activities.id", ondelete="CASCADE"), index=True
    )
    course_session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_sessions.id", ondelete="RESTRICT"), index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()
    course_session = relationship("CourseSession", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("activity_id", "course_session_id"),)


class Indicator(db.Model):
    """A measure of the goal, an outcome or an output, with a baseline and targets per period."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    element_id: Mapped[int] = mapped_column(
        sa.ForeignKey("logframe_elements.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))
    unit: Mapped[str] = mapped_column(sa.String(40))
    period_kind: Mapped[PeriodKind] = mapped_column(
        enum_column(PeriodKind, "period_kind"), default=PeriodKind.YEAR
    )
    baseline_value: Mapped[Decimal] = mapped_column(Measure)
    baseline_date: Mapped[date]
    means_of_verification: Mapped[str] = mapped_column(sa.Text, default="")
    # When set, "update from training records" reports this training figure as the actual.
    training_measure: Mapped[TrainingMeasure | None] = mapped_column(
        enum_column(TrainingMeasure, "training_measure")
    )

    project: Mapped[Project] = relationship(back_populates="indicators")
    element: Mapped[LogframeElement] = relationship(back_populates="indicators")
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorTarget.period"
    )
    actuals: Mapped[list[IndicatorActual]] = relationship(
        back_populates="indicator",
        order_by=lambda: (IndicatorActual.period_end, IndicatorActual.id),
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("length(trim(unit)) > 0", name="unit_not_blank"),
    )


class IndicatorTarget(db.Model):
    """The value planned for the end of one period (``2026`` or ``2026-Q3``)."""

    __tablename__ = "indicator_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(7))
    period_end: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Measure)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")

    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"),)


class IndicatorActual(db.Model):
    """A value reported for a period. Append-only: a correction is a newer row for the same
    period, so every figure ever reported stays visible with who reported it and when."""

    __tablename__ = "indicator_actuals"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicators.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(7))
    period_end: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Measure)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="actuals")
    reported_by: Mapped[User | None] = relationship()


class Phase(db.Model):
    """A stretch of the project (inception, implementation, consolidation...)."""

    __tablename__ = "project_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    start_date: Mapped[date]
    end_date: Mapped[date]

    project: Mapped[Project] = relationship(back_populates="phases")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="phase")

    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
    )


class Milestone(db.Model):
    """A dated commitment. ``baseline_date`` is the date first agreed and never changes;
    ``due_date`` is the current plan, moved only through a ``MilestoneReplan`` with a reason."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    phase_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("project_phases.id", ondelete="SET NULL"), index=True
    )
    depends_on_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("milestones.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    owner: Mapped[str] = mapped_column(sa.String(160), default="")
    baseline_date: Mapped[date]
    due_date: Mapped[date]
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_column(MilestoneStatus, "milestone_status"), default=MilestoneStatus.PLANNED
    )
    completed_on: Mapped[date | None]
    evidence: Mapped[str] = mapped_column(sa.Text, default="")

    project: Mapped[Project] = relationship(back_populates="milestones")
    phase: Mapped[Phase | None] = relationship(back_populates="milestones")
    depends_on: Mapped[Milestone | None] = relationship(remote_side="Milestone.id")
    replans: Mapped[list[MilestoneReplan]] = relationship(
        back_populates="milestone", order_by="MilestoneReplan.id"
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("status <> 'late'", name="late_is_computed"),
        sa.CheckConstraint(
            "(status = 'done') = (completed_on IS NOT NULL)", name="done_has_completion_date"
        ),
        sa.CheckConstraint(
            "depends_on_id IS NULL OR depends_on_id <> id", name="not_dependent_on_itself"
        ),
    )

    def status_on(self, today: date) -> MilestoneStatus:
        """The status to show and count: a milestone past due and not finished is late."""
        if self.status in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED):
            return self.status
        if self.due_date < today:
            return MilestoneStatus.LATE
        return self.status

    @property
    def slippage_days(self) -> int:
        """Days between the baseline and the actual completion (or the current plan)."""
        return ((self.completed_on or self.due_date) - self.baseline_date).days


class MilestoneReplan(db.Model):
    """One move of a milestone's due date, with the reason. Append-only."""

    __tablename__ = "milestone_replans"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("milestones.id", ondelete="RESTRICT"), index=True
    )
    previous_date: Mapped[date]
    new_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="replans")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        sa.CheckConstraint("new_date <> previous_date", name="date_changes"),
    )


class Risk(db.Model):
    __tablename__ = "project_risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(sa.Text)
    likelihood: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_likelihood"))
    impact: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_impact"))
    mitigation: Mapped[str] = mapped_column(sa.Text, default="")
    owner: Mapped[str] = mapped_column(sa.String(160), default="")
    status: Mapped[RiskStatus] = mapped_column(
        enum_column(RiskStatus, "risk_status"), default=RiskStatus.OPEN
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="risks")

    __table_args__ = (
        sa.CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
    )

    @property
    def score(self) -> int:
        return self.likelihood.score * self.impact.score


class ProgressUpdate(db.Model):
    """A periodic narrative report by the project manager. Kept as written: never edited."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(40))
    achievements: Mapped[str] = mapped_column(sa.Text)
    issues: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="progress_updates")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("length(trim(period)) > 0", name="period_not_blank"),
        sa.CheckConstraint("length(trim(achievements)) > 0", name="achievements_not_blank"),
    )


class RagOverride(db.Model):
    """A manager's rating in place of the computed one, with the justification. Withdrawing
    or replacing it keeps the row, so every override ever made can be read back."""

    __tablename__ = "rag_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[Rag] = mapped_column(enum_column(Rag, "rag_rating"))
    computed_rating: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag_computed_rating"))
    justification: Mapped[str] = mapped_column(sa.Text)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )

    project: Mapped[Project] = relationship(back_populates="rag_overrides")
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])

    __table_args__ = (
        sa.CheckConstraint("length(trim(justification)) >= 10", name="justification_written"),
    )


@sa.event.listens_for(IndicatorActual, "before_update")
@sa.event.listens_for(IndicatorActual, "before_delete")
@sa.event.listens_for(MilestoneReplan, "before_update")
@sa.event.listens_for(MilestoneReplan, "before_delete")
@sa.event.listens_for(ProgressUpdate, "before_update")
@sa.event.listens_for(ProgressUpdate, "before_delete")
def _refuse_rewriting_history(mapper, connection, target) -> None:
    """Reported figures, re-plans and progress reports are history: append, never rewrite."""
    raise PermissionError(f"{type(target).__name__} rows are append-only")
