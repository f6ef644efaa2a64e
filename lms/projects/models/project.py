"""The project itself, its beneficiaries, managers and focal points, partners and budget."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import MemberAdministration, User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import Money, PartnerRole, ProjectStatus

if TYPE_CHECKING:
    from lms.projects.models.indicators import Indicator
    from lms.projects.models.logframe import LogframeElement
    from lms.projects.models.milestones import Milestone, Phase
    from lms.projects.models.reporting import ProgressUpdate, RagOverride, Risk


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
    # The OECD DAC 5-digit purpose code the IATI export reports (33120 trade facilitation,
    # 15111 public finance management...); ``None``: the configured default.
    dac_sector: Mapped[str | None] = mapped_column(sa.String(5))
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
        back_populates="project", order_by="[Milestone.due_date, Milestone.id]"
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
        sa.CheckConstraint(
            "dac_sector IS NULL OR length(dac_sector) = 5", name="dac_sector_five_digits"
        ),
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
