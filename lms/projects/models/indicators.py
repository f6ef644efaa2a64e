"""Indicators, their targets (the plan) and their actuals (append-only history)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import Measure, PeriodKind, TrainingMeasure

if TYPE_CHECKING:
    from lms.projects.models.corrections import ActualCorrection
    from lms.projects.models.logframe import LogframeElement
    from lms.projects.models.project import Project


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
    # Set when the figure was corrected or withdrawn (it then no longer counts). Joined (at
    # most one row per actual): a selectin load sends one query per 500 actuals loaded.
    correction: Mapped[ActualCorrection | None] = relationship(
        foreign_keys="ActualCorrection.actual_id",
        back_populates="actual",
        lazy="joined",
        uselist=False,
    )

    @property
    def superseded(self) -> bool:
        return self.correction is not None
