"""Saving a schedule leaves one audit entry: the whole picture when created, only what
changed when updated; a refused save leaves none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.reports import services


def _save(actor, schedule=None, **changes):
    values = dict(
        name="Monthly directorate",
        kind="directorate",
        parameters={"period": "previous_month"},
        format="pdf",
        recurrence="monthly",
        empty_policy="send",
        next_run_at=datetime(2026, 4, 1, 6, tzinfo=UTC),
        recipients=[services.RecipientSpec(user_id=actor.id)],
    )
    values.update(changes)
    return services.save_schedule(db.session, actor=actor, schedule=schedule, **values)


def _entries():
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_saving_a_schedule_is_audited_once_per_save(app, make_user):
    admin = make_user(Role.ADMIN)
    schedule = _save(admin)
    db.session.commit()
    _save(admin, schedule, name="Quarterly directorate", recurrence="yearly")
    db.session.commit()
    created, updated = [e for e in _entries() if e.entity_type == "ReportSchedule"]
    assert created.action == "report_schedule.created" and created.before is None
    assert created.after["name"] == "Monthly directorate"
    assert updated.action == "report_schedule.updated"
    assert updated.before == {"name": "Monthly directorate", "recurrence": "monthly"}
    assert updated.after == {"name": "Quarterly directorate", "recurrence": "yearly"}
    assert updated.summary == "Quarterly directorate"

    count = len(_entries())
    with pytest.raises(ValidationError):
        _save(admin, schedule, recipients=[])
    assert len(_entries()) == count
