"""Statements received from other platforms (``POST /api/v1/xapi/statements``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column, utcnow


class ReceivedOutcome(LabelledEnum):
    RECORDED = "recorded"  # a completion of one of our courses by a known learner
    IGNORED = "ignored"  # stored, but changes nothing here (``note`` says why)


ReceivedOutcome.label_members(
    {ReceivedOutcome.RECORDED: _l("Recorded"), ReceivedOutcome.IGNORED: _l("Ignored")}
)


class ReceivedStatement(db.Model):
    """Every valid statement received, once per statement id (a repeated id is ignored), with
    what it did here: recorded as a completion, or ignored and why."""

    __tablename__ = "xapi_received_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    actor_mbox: Mapped[str] = mapped_column(sa.String(261))
    verb_id: Mapped[str] = mapped_column(sa.String(500))
    object_id: Mapped[str] = mapped_column(sa.String(2000))
    outcome: Mapped[ReceivedOutcome] = mapped_column(
        enum_column(ReceivedOutcome, "received_outcome")
    )
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    external_completion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("external_completions.id", ondelete="RESTRICT")
    )
    statement: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
