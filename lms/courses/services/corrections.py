"""Correcting or withdrawing a recorded attendance mark or result (``lms.core.corrections``).

The event that recorded the mark or result is superseded by an ``EnrolmentCorrection``; the
enrolment takes the corrected state through a new event, so its history shows the original,
the correction and the reason. What a result did to competencies, tracks and certificates is
the progress feature's: it listens to ``signals.session_result_corrected``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.core import signals
from lms.core.audit import record_change
from lms.core.corrections import CorrectionAction, clean_reason
from lms.core.errors import PermissionDenied, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.courses.correction_models import EnrolmentCorrection, RecordKind
from lms.courses.models import EnrolmentEvent, EnrolmentStatus, SessionEnrolment
from lms.courses.permissions import can_correct_enrolment_record

# The statuses an event records for each kind of record.
_RECORDED = {
    RecordKind.ATTENDANCE: (EnrolmentStatus.ATTENDED.value, EnrolmentStatus.NO_SHOW.value),
    RecordKind.RESULT: (EnrolmentStatus.COMPLETED.value,),
}


def _picture(enrolment: SessionEnrolment) -> dict[str, Any]:
    return {
        "status": enrolment.status.value,
        "score": None if enrolment.score is None else f"{enrolment.score:.1f}",
        "passed": enrolment.passed,
    }


def _standing(
    enrolment: SessionEnrolment, events: list[EnrolmentEvent], superseded: set[int]
) -> EnrolmentEvent | None:
    """The latest event, when it recorded the status the enrolment has now and still stands."""
    if not events:
        return None
    event = events[-1]
    if event.to_status != enrolment.status.value or event.id in superseded:
        return None
    return event


def recorded_event(
    session: Session, enrolment: SessionEnrolment, kind: RecordKind
) -> EnrolmentEvent | None:
    """The event that recorded the enrolment's current mark or result, if it still stands
    (``None`` when there is nothing of that kind to correct)."""
    if enrolment.status.value not in _RECORDED[kind]:
        return None
    superseded = set(
        session.scalars(
            sa.select(EnrolmentCorrection.event_id).where(
                EnrolmentCorrection.enrolment_id == enrolment.id
            )
        )
    )
    return _standing(enrolment, list(enrolment.events), superseded)


def recorded_events(
    session: Session, enrolments: list[SessionEnrolment]
) -> dict[tuple[int, RecordKind], EnrolmentEvent]:
    """``recorded_event`` for a whole roster, in two queries whatever its size."""
    marked = [e for e in enrolments if any(e.status.value in v for v in _RECORDED.values())]
    if not marked:
        return {}
    ids = [e.id for e in marked]
    superseded = set(
        session.scalars(
            sa.select(EnrolmentCorrection.event_id).where(EnrolmentCorrection.enrolment_id.in_(ids))
        )
    )
    events: dict[int, list[EnrolmentEvent]] = {}
    for event in session.scalars(
        sa.select(EnrolmentEvent)
        .options(selectinload(EnrolmentEvent.actor))
        .where(EnrolmentEvent.enrolment_id.in_(ids))
        .order_by(EnrolmentEvent.id)
    ):
        events.setdefault(event.enrolment_id, []).append(event)
    found = {}
    for enrolment in marked:
        event = _standing(enrolment, events.get(enrolment.id, []), superseded)
        if event is None:
            continue
        for kind, statuses in _RECORDED.items():
            if enrolment.status.value in statuses:
                found[(enrolment.id, kind)] = event
    return found


def corrections_of(session: Session, enrolment_ids: list[int]) -> dict[int, list]:
    """Each enrolment's corrections, oldest first (the roster and the history show them)."""
    found: dict[int, list[EnrolmentCorrection]] = {}
    if not enrolment_ids:
        return found
    for item in session.scalars(
        sa.select(EnrolmentCorrection)
        .where(EnrolmentCorrection.enrolment_id.in_(enrolment_ids))
        .order_by(EnrolmentCorrection.corrected_at, EnrolmentCorrection.id)
    ):
        found.setdefault(item.enrolment_id, []).append(item)
    return found


def _supersede(
    session: Session,
    enrolment: SessionEnrolment,
    kind: RecordKind,
    *,
    action: CorrectionAction,
    to: EnrolmentStatus,
    score: Decimal | None,
    passed: bool | None,
    reason: str,
    actor: Any,
) -> EnrolmentCorrection:
    reason = clean_reason(reason)
    event = recorded_event(session, enrolment, kind)
    if event is None:
        raise ValidationError(
            _(
                "%(full_name)s has no recorded %(value)s to correct.",
                full_name=enrolment.user.full_name,
                value=kind.value,
            )
        )
    if not can_correct_enrolment_record(actor, event):
        raise PermissionDenied(
            _(
                "Only the person who recorded this %(value)s, or an administrator, can correct it.",
                value=kind.value,
            )
        )
    before = _picture(enrolment)
    replacement = EnrolmentEvent(
        from_status=enrolment.status.value,
        to_status=to.value,
        actor_id=getattr(actor, "id", None),
        note=f"{kind.value} {action.value}: {reason}"[:500],
    )
    with session.no_autoflush:  # status and result change together (a CHECK ties them)
        enrolment.events.append(replacement)
        enrolment.status = to
        enrolment.score, enrolment.passed = score, passed
        enrolment.result_recorded_at = utcnow() if passed is not None else None
    session.flush()
    after = _picture(enrolment) if action == CorrectionAction.CORRECTED else {}
    correction = EnrolmentCorrection(
        enrolment_id=enrolment.id,
        kind=kind,
        action=action,
        event_id=event.id,
        replacement_event_id=replacement.id,
        reason=reason,
        corrected_by_id=getattr(actor, "id", None),
        corrected_at=utcnow(),
        before=before,
        after=after,
    )
    session.add(correction)
    session.flush()
    record_change(
        session,
        actor=actor,
        action=f"{kind.value}.{action.value}",
        entity=enrolment,
        before=before,
        after=_picture(enrolment),
        summary=f"{enrolment.user.email}: {reason}",
    )
    return correction


def correct_result(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    score: Decimal | None,
    passed: bool,
    reason: str,
    actor: Any,
    today: date,
) -> EnrolmentCorrection:
    """Replace a recorded result by the corrected one (score and pass/fail)."""
    if score is not None and not (0 <= score <= 100):
        raise ValidationError(_("The score must be between 0 and 100."), field="score")
    was_passed = bool(enrolment.passed)
    correction = _supersede(
        session,
        enrolment,
        RecordKind.RESULT,
        action=CorrectionAction.CORRECTED,
        to=EnrolmentStatus.COMPLETED,
        score=score,
        passed=passed,
        reason=reason,
        actor=actor,
    )
    _announce(session, enrolment, actor=actor, was_passed=was_passed, reason=reason, today=today)
    return correction


def withdraw_result(
    session: Session, enrolment: SessionEnrolment, *, reason: str, actor: Any, today: date
) -> EnrolmentCorrection:
    """The result no longer counts: the trainee is back to "attended", with no result."""
    was_passed = bool(enrolment.passed)
    correction = _supersede(
        session,
        enrolment,
        RecordKind.RESULT,
        action=CorrectionAction.WITHDRAWN,
        to=EnrolmentStatus.ATTENDED,
        score=None,
        passed=None,
        reason=reason,
        actor=actor,
    )
    _announce(session, enrolment, actor=actor, was_passed=was_passed, reason=reason, today=today)
    return correction


def correct_attendance(
    session: Session, enrolment: SessionEnrolment, *, attended: bool, reason: str, actor: Any
) -> EnrolmentCorrection:
    """Present ↔ no-show. A completed trainee's attendance follows her result: withdraw the
    result first."""
    target = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.NO_SHOW
    if enrolment.status == target:
        raise ValidationError(_("The attendance is already recorded that way."))
    return _supersede(
        session,
        enrolment,
        RecordKind.ATTENDANCE,
        action=CorrectionAction.CORRECTED,
        to=target,
        score=None,
        passed=None,
        reason=reason,
        actor=actor,
    )


def withdraw_attendance(
    session: Session, enrolment: SessionEnrolment, *, reason: str, actor: Any
) -> EnrolmentCorrection:
    """The mark no longer counts: the trainee is back to "enrolled", unmarked."""
    return _supersede(
        session,
        enrolment,
        RecordKind.ATTENDANCE,
        action=CorrectionAction.WITHDRAWN,
        to=EnrolmentStatus.ENROLLED,
        score=None,
        passed=None,
        reason=reason,
        actor=actor,
    )


def _announce(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    actor: Any,
    was_passed: bool,
    reason: str,
    today: date,
) -> None:
    signals.session_result_corrected.send(
        session,
        enrolment=enrolment,
        actor=actor,
        was_passed=was_passed,
        reason=reason,
        today=today,
    )
