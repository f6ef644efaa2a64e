"""What the courses feature answers to ``signals.user_history_probe``: an account that holds
session enrolments, trains sessions or changed an enrolment cannot be hard-deleted (the rows
point at it), so the admin gets a reason instead of an integrity error."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.courses.models import (
    EnrolmentEvent,
    ExternalCompletion,
    SessionEnrolment,
    session_trainers,
)


def _exists(session: Session, stmt: sa.Select) -> bool:
    return session.scalar(sa.select(stmt.exists())) or False


def course_history(session: Session, *, user: Any, **_: Any) -> str | None:
    """The first courses record that holds the account, as a short reason, or ``None``."""
    checks = (
        (
            sa.select(SessionEnrolment.id).where(SessionEnrolment.user_id == user.id),
            "has session enrolments",
        ),
        (
            sa.select(session_trainers.c.session_id).where(session_trainers.c.user_id == user.id),
            "trains course sessions",
        ),
        (
            sa.select(EnrolmentEvent.id).where(EnrolmentEvent.actor_id == user.id),
            "has recorded enrolment decisions",
        ),
        (
            sa.select(ExternalCompletion.id).where(
                sa.or_(
                    ExternalCompletion.user_id == user.id,
                    ExternalCompletion.recorded_by_id == user.id,
                )
            ),
            "has courses completed elsewhere",
        ),
    )
    for stmt, reason in checks:
        if _exists(session, stmt):
            return reason
    return None
