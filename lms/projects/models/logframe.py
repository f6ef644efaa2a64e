"""The logical framework's boxes, the activities under outputs, and the course sessions
delivered as activities."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import LogframeLevel

if TYPE_CHECKING:
    from lms.courses.models import CourseSession
    from lms.projects.models.indicators import Indicator
    from lms.projects.models.project import Project


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
    # One-directional: courses sits below projects and knows nothing of activities.
    course_session: Mapped[CourseSession] = relationship(lazy="joined")
    linked_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("activity_id", "course_session_id"),)
