"""Corrections of attendance marks and results (``lms.core.corrections``: the one pattern).

The record a correction supersedes is the enrolment event that recorded the mark or the
result; the correction names it and the event that records the corrected state, and keeps the
values before and after. Events stay as they were written."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.corrections import CorrectionMixin, correction_checks
from lms.core.extensions import db
from lms.core.model_base import LabelledEnum, enum_column

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.courses.models import EnrolmentEvent, SessionEnrolment


class RecordKind(LabelledEnum):
    ATTENDANCE = "attendance"
    RESULT = "result"


RecordKind.__labels__ = {"attendance": _l("Attendance"), "result": _l("Result")}


class EnrolmentCorrection(CorrectionMixin, db.Model):
    """An attendance mark or a result corrected or withdrawn, with the reason."""

    __tablename__ = "enrolment_corrections"

    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("session_enrolments.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind, "corrected_record_kind"))
    # The event that recorded what is corrected (superseded once), and the one that records
    # the corrected state.
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolment_events.id", ondelete="RESTRICT"), unique=True
    )
    replacement_event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolment_events.id", ondelete="RESTRICT"), unique=True
    )

    enrolment: Mapped[SessionEnrolment] = relationship()
    event: Mapped[EnrolmentEvent] = relationship(foreign_keys=[event_id])
    replacement_event: Mapped[EnrolmentEvent] = relationship(foreign_keys=[replacement_event_id])
    corrected_by: Mapped[User | None] = relationship()

    __table_args__ = (
        *correction_checks(),
        sa.CheckConstraint("event_id <> replacement_event_id", name="replaces_another_event"),
    )
