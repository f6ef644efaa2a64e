"""What the reports feature holds about a user, asked before an account is deleted
(``signals.user_history_probe``, declared in ``reports/feature.py``).

Report runs and schedules keep who asked for them (the foreign keys refuse the delete), and
a schedule's named recipients would silently vanish from it; each is a reason to deactivate
the account instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.reports.models import ReportRun, ReportSchedule, ScheduleRecipient


def _any(session: Session, stmt: sa.Select) -> bool:
    return session.scalar(sa.select(stmt.exists())) is True


def user_history(session: Session, *, user: User) -> str | None:
    """A short reason when the user requested report runs, owns a report schedule or is a
    named recipient of one; ``None`` when reports hold nothing about the user."""
    if _any(session, sa.select(ReportRun.id).where(ReportRun.requested_by_id == user.id)):
        return "has requested reports"
    if _any(session, sa.select(ReportSchedule.id).where(ReportSchedule.created_by_id == user.id)):
        return "owns report schedules"
    if _any(session, sa.select(ScheduleRecipient.id).where(ScheduleRecipient.user_id == user.id)):
        return "receives scheduled reports"
    return None
