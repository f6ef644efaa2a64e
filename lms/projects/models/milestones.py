"""Phases, milestones with their baseline, and the append-only re-plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import MilestoneStatus

if TYPE_CHECKING:
    from lms.projects.models.project import Project


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

    def slippage_on(self, today: date) -> int:
        """The one slippage, for the project page and the report alike: days between the
        baseline and when the milestone is done — the completion date; for an open milestone
        its due date, or today once that has passed (a milestone 45 days past due has slipped
        at least 45 days, re-planned or not)."""
        if self.completed_on is not None or self.status is MilestoneStatus.CANCELLED:
            return self.slippage_days
        return (max(self.due_date, today) - self.baseline_date).days


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
