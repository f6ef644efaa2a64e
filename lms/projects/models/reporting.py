"""The risk register, the manager's progress updates and RAG overrides."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import Rag, RiskLevel, RiskStatus

if TYPE_CHECKING:
    from lms.projects.models.project import Project


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
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __table_args__ = (
        sa.CheckConstraint("length(trim(justification)) >= 10", name="justification_written"),
    )
