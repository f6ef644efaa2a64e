"""Corrections of reported indicator actuals (``lms.core.corrections``: the one pattern).

Actuals are append-only: a correction names the actual it supersedes and, unless it withdraws
it, the actual that replaces it. ``current_actuals`` skips superseded actuals, so the charts,
the RAG rating and the reports follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.corrections import CorrectionMixin, correction_checks
from lms.core.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.projects.models.indicators import IndicatorActual


class ActualCorrection(CorrectionMixin, db.Model):
    __tablename__ = "indicator_actual_corrections"

    actual_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicator_actuals.id", ondelete="RESTRICT"), unique=True
    )
    replacement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("indicator_actuals.id", ondelete="RESTRICT"), unique=True
    )

    actual: Mapped[IndicatorActual] = relationship(
        foreign_keys=[actual_id], back_populates="correction"
    )
    replacement: Mapped[IndicatorActual | None] = relationship(foreign_keys=[replacement_id])
    corrected_by: Mapped[User | None] = relationship()

    __table_args__ = (
        *correction_checks(),
        sa.CheckConstraint(
            "(action = 'corrected') = (replacement_id IS NOT NULL)", name="replacement_if_corrected"
        ),
        sa.CheckConstraint("replacement_id <> actual_id", name="replaces_another_actual"),
    )
