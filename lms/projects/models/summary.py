"""The stored status of each project: its computed RAG rating with the reasons, and the
progress figures the portfolio and the project page show, as ``compute_rag`` and the other
rules computed them for one day (``computed_for``).

Derived data, never edited by hand: the projects services rewrite a project's row in the same
transaction as every change the rules read (``lms.projects.services.summary``), and
``lms rebuild-project-summaries`` rebuilds them all. Deleting a project deletes its row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.extensions import db
from lms.core.model_base import enum_column, utcnow
from lms.projects.models.enums import Rag


class ProjectSummary(db.Model):
    """One row per project: what the RAG rules said about it on ``computed_for``."""

    __tablename__ = "project_summaries"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    # The day the rules judged on: lateness and elapsed time depend on it.
    computed_for: Mapped[date] = mapped_column(index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # ``compute_rag(...).computed``: NULL while the project is not rated (pipeline, closed).
    # The manager's override is not copied here; it is read from its own table.
    rating: Mapped[Rag | None] = mapped_column(enum_column(Rag, "project_summary_rating"))
    # ``[{"code", "rating", "message"}, ...]``, in ``compute_rag``'s order.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # ``milestones_done_share``: NULL when every milestone is cancelled or there are none.
    done_share: Mapped[float | None] = mapped_column(sa.Float)
    elapsed_share: Mapped[float] = mapped_column(sa.Float)
    late_milestones: Mapped[int] = mapped_column(default=0)
    indicators_on_track: Mapped[int] = mapped_column(default=0)
    indicators_off_track: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint(
            "done_share IS NULL OR (done_share >= 0 AND done_share <= 1)",
            name="done_share_is_a_share",
        ),
        sa.CheckConstraint(
            "elapsed_share >= 0 AND elapsed_share <= 1", name="elapsed_share_is_a_share"
        ),
        sa.CheckConstraint(
            "late_milestones >= 0 AND indicators_on_track >= 0 AND indicators_off_track >= 0",
            name="counts_not_negative",
        ),
    )
