"""Report runs (every generation, kept and downloadable again) and report schedules (who gets
which report, how often, in which format, and what to do when it would be empty)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow

NARRATIVE_MAX = 4000  # characters of the directorate's overview: about a page of the report


class ReportKind(LabelledEnum):
    TRAINEE = "trainee"  # one trainee's progress report
    PROJECT = "project"  # one assistance project's progress report
    DIRECTORATE = "directorate"  # the capacity-building report for a period
    TRAINEE_RECORD = "trainee_record"  # a trainee's complete record: PDF + JSON in a ZIP


class ReportFormat(LabelledEnum):
    PDF = "pdf"
    CSV = "csv"  # the report's tables, one CSV file each, in a ZIP
    XLSX = "xlsx"  # the report's tables, one sheet each
    ZIP = "zip"  # the trainee record


class RunStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Recurrence(LabelledEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # on the first day of each quarter
    YEARLY = "yearly"


class EmptyPolicy(LabelledEnum):
    SEND = "send"  # send the (empty) report anyway
    NOTE = "note"  # send a short note that there was nothing to report
    SKIP = "skip"  # send nothing


LABELS = {
    ReportKind.TRAINEE: _l("Trainee progress report"),
    ReportKind.PROJECT: _l("Project progress report"),
    ReportKind.DIRECTORATE: _l("Directorate capacity-building report"),
    ReportKind.TRAINEE_RECORD: _l("Trainee record (PDF and JSON)"),
    ReportFormat.PDF: _l("PDF"),
    ReportFormat.CSV: _l("CSV (tables in a ZIP)"),
    ReportFormat.XLSX: _l("Excel workbook (XLSX)"),
    ReportFormat.ZIP: _l("ZIP"),
    RunStatus.QUEUED: _l("Queued"),
    RunStatus.RUNNING: _l("Running"),
    RunStatus.DONE: _l("Done"),
    RunStatus.FAILED: _l("Failed"),
    Recurrence.DAILY: _l("Daily"),
    Recurrence.WEEKLY: _l("Weekly"),
    Recurrence.MONTHLY: _l("Monthly"),
    Recurrence.QUARTERLY: _l("Quarterly (first day of each quarter)"),
    Recurrence.YEARLY: _l("Yearly"),
    EmptyPolicy.SEND: _l("Send the report anyway"),
    EmptyPolicy.NOTE: _l("Send a note that there was nothing to report"),
    EmptyPolicy.SKIP: _l("Send nothing"),
}
LabelledEnum.label_members(LABELS)


class ReportSchedule(db.Model):
    """A subscription of recipients to a report with its filters and a recurrence."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, "report_schedule_kind"))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    format: Mapped[ReportFormat] = mapped_column(
        enum_column(ReportFormat, "report_schedule_format")
    )
    recurrence: Mapped[Recurrence] = mapped_column(enum_column(Recurrence, "report_recurrence"))
    empty_policy: Mapped[EmptyPolicy] = mapped_column(
        enum_column(EmptyPolicy, "report_empty_policy"), default=EmptyPolicy.SEND
    )
    next_run_at: Mapped[datetime] = mapped_column(index=True)
    last_run_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    recipients: Mapped[list[ScheduleRecipient]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="ScheduleRecipient.id"
    )
    runs: Mapped[list[ReportRun]] = relationship(back_populates="schedule")

    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("format <> 'zip'", name="format_not_zip"),
    )


class ScheduleRecipient(db.Model):
    """One user, or everyone with a role in a member administration."""

    __tablename__ = "report_schedule_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_schedules.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_administrations.id", ondelete="CASCADE")
    )
    role: Mapped[Role | None] = mapped_column(enum_column(Role, "report_recipient_role"))

    schedule: Mapped[ReportSchedule] = relationship(back_populates="recipients")
    user: Mapped[User | None] = relationship(lazy="joined")
    member_administration: Mapped[MemberAdministration | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NOT NULL AND member_id IS NULL AND role IS NULL)"
            " OR (user_id IS NULL AND member_id IS NOT NULL AND role IS NOT NULL)",
            name="user_or_member_role",
        ),
    )


class ReportRun(db.Model):
    """One generation of a report: who asked, with which parameters, when, how long it took,
    how it ended, and the file itself (kept so it can be downloaded again)."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, "report_kind"), index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    format: Mapped[ReportFormat] = mapped_column(enum_column(ReportFormat, "report_format"))
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "report_run_status"), default=RunStatus.QUEUED, index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    schedule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("report_schedules.id", ondelete="SET NULL")
    )
    scheduled_for: Mapped[datetime | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    is_empty: Mapped[bool | None]
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    mime_type: Mapped[str | None] = mapped_column(sa.String(100))
    size_bytes: Mapped[int | None]
    # The language the file is written in: the requester's, or for a schedule one run per
    # language its recipients read.
    language: Mapped[str] = mapped_column(sa.String(5), default="en", server_default="en")

    requested_by: Mapped[User | None] = relationship(lazy="joined")
    schedule: Mapped[ReportSchedule | None] = relationship(back_populates="runs")

    __table_args__ = (
        # A schedule produces one run per due time and language, however often it is polled.
        sa.UniqueConstraint("schedule_id", "scheduled_for", "language"),
        sa.CheckConstraint(
            "status <> 'done' OR (content IS NOT NULL AND filename IS NOT NULL)",
            name="done_has_file",
        ),
        sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
        sa.CheckConstraint(
            "finished_at IS NULL OR started_at IS NOT NULL", name="finished_after_start"
        ),
    )


class OrganisationSettings(db.Model):
    """The one row of what every certificate prints about the issuer: the organisation's name
    and logo, and the signatory's name, title and signature. Images are kept as bytes (PNG or
    JPEG, checked by content when uploaded), never as a path."""

    __tablename__ = "organisation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_name: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    signature: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
