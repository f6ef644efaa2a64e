"""Corrections, never silent edits: the one pattern every correctable learning record follows.

A recorded result, attendance mark, competency rating, claim decision or indicator actual is
corrected (a new value) or withdrawn (no value) by a *correction record*: a row of the
feature's ``*_corrections`` table that names the record it supersedes, keeps the values before
and after, the mandatory reason, who and when. The superseded record itself is never rewritten
(ratings, indicator actuals and enrolment events are append-only); where a row holds the
current state (an enrolment's status and score, a claim's decision), that row takes the
corrected values and the correction keeps the original. Read models skip superseded records,
so everything computed from them follows the correction.

Each feature's table mixes in ``CorrectionMixin`` and adds ``correction_checks()`` to its
``__table_args__``; the feature's permissions module says who may correct (the recorder or an
administrator: ``is_recorder_or_admin``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.errors import ValidationError
from lms.core.i18n import _
from lms.core.model_base import LabelledEnum, enum_column, utcnow


class CorrectionAction(LabelledEnum):
    WITHDRAWN = "withdrawn"  # the record no longer counts and nothing replaces it
    CORRECTED = "corrected"  # the record is replaced by the corrected value


CorrectionAction.__labels__ = {
    "withdrawn": _l("Withdrawn"),
    "corrected": _l("Corrected"),
}

REASON_MAX = 1000


class CorrectionMixin:
    """The columns every correction record has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[CorrectionAction] = mapped_column(
        enum_column(CorrectionAction, "correction_action")
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The superseded values and the corrected ones (empty for a withdrawal), for the history.
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


def correction_checks() -> tuple[sa.CheckConstraint, ...]:
    return (sa.CheckConstraint("length(trim(reason)) > 0", name="reason_given"),)


def clean_reason(reason: str | None) -> str:
    """A correction always says why."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("Give the reason for the correction."), field="reason")
    if len(text) > REASON_MAX:
        raise ValidationError(
            _("Keep the reason under %(reason_max)s characters.", reason_max=REASON_MAX),
            field="reason",
        )
    return text


def is_recorder_or_admin(user: Any, recorder_id: int | None) -> bool:
    """Who may correct a record: the person who recorded it, or an administrator."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin:
        return True
    return recorder_id is not None and recorder_id == user.id
