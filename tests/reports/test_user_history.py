"""An account that reports hold something about cannot be deleted: the reports feature
answers ``user_history_probe`` with the reason, and ``delete_user`` refuses with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.reports.models import (
    Recurrence,
    ReportFormat,
    ReportKind,
    ReportRun,
    ReportSchedule,
    RunStatus,
    ScheduleRecipient,
)


def _schedule(owner_id: int | None) -> ReportSchedule:
    schedule = ReportSchedule(
        name="Monthly directorate",
        kind=ReportKind.DIRECTORATE,
        parameters={"period": "previous_month"},
        format=ReportFormat.PDF,
        recurrence=Recurrence.MONTHLY,
        next_run_at=datetime(2026, 4, 1, 6, tzinfo=UTC),
        created_by_id=owner_id,
    )
    db.session.add(schedule)
    return schedule


def _requested_a_run(user: User) -> None:
    db.session.add(
        ReportRun(
            kind=ReportKind.TRAINEE,
            parameters={"user_id": user.id},
            format=ReportFormat.PDF,
            status=RunStatus.QUEUED,
            requested_by_id=user.id,
        )
    )


def _owns_a_schedule(user: User) -> None:
    _schedule(user.id)


def _receives_a_schedule(user: User) -> None:
    schedule = _schedule(None)
    schedule.recipients.append(ScheduleRecipient(user_id=user.id))


@pytest.mark.parametrize(
    ("hold", "reason"),
    [
        (_requested_a_run, "has requested reports"),
        (_owns_a_schedule, "owns report schedules"),
        (_receives_a_schedule, "receives scheduled reports"),
    ],
    ids=["run-requested-by", "schedule-owned-by", "schedule-recipient"],
)
def test_a_user_reports_hold_cannot_be_deleted(app, make_user, hold, reason):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.DIRECTORATE)
    hold(user)
    db.session.commit()
    with pytest.raises(ConflictError) as refused:
        accounts.delete_user(db.session, user, actor=admin)
    assert reason in refused.value.message
    assert "deactivate it instead" in refused.value.message
    db.session.rollback()
    assert db.session.get(User, user.id) is not None


def test_a_user_reports_hold_nothing_about_can_be_deleted(app, make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.DIRECTORATE)
    _schedule(admin.id)  # someone else's schedule does not hold this user
    db.session.commit()
    accounts.delete_user(db.session, user, actor=admin)
    db.session.commit()
    assert db.session.get(User, user.id) is None
