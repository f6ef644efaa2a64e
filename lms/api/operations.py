"""What one API call does across several services, in one transaction (flush only)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lms.courses import services as courses
from lms.courses.models import EnrolmentStatus, SessionEnrolment


def change_enrolment(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    status: str | None,
    result: dict[str, Any] | None,
    note: str,
    actor: Any,
    today: date,
    now: datetime,
) -> SessionEnrolment:
    """The PATCH of an enrolment: first its status (approve, reject, withdraw, attendance),
    then its result, each by the pages' own service, so the rules are the pages' rules."""
    if status == EnrolmentStatus.ENROLLED and enrolment.status != EnrolmentStatus.ENROLLED:
        courses.approve_enrolment(session, enrolment, actor=actor)
    elif status == EnrolmentStatus.REJECTED:
        courses.reject_enrolment(session, enrolment, actor=actor, note=note)
    elif status == EnrolmentStatus.WITHDRAWN:
        courses.withdraw_enrolment(session, enrolment, actor=actor, note=note)
    elif status in (EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW):
        courses.mark_attendance(
            session, enrolment, attended=status == EnrolmentStatus.ATTENDED, actor=actor, now=now
        )
    if result is not None:
        courses.record_result(
            session,
            enrolment,
            score=None if result.get("score") is None else Decimal(str(result["score"])),
            passed=result["passed"],
            actor=actor,
            today=today,
            now=now,
        )
    session.flush()
    return enrolment
