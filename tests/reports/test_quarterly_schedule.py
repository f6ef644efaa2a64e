"""Quarterly report schedules: the next run falls on the first day of the next quarter, at the
same time of day, whatever day of the quarter the schedule last ran; the database accepts the
new recurrence; a schedule's overview reaches the runs it makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.reports import services
from lms.reports.models import (
    EmptyPolicy,
    Recurrence,
    ReportFormat,
    ReportKind,
    ReportRun,
    ReportSchedule,
)
from lms.reports.recurrence import next_after
from lms.reports.services import RecipientSpec
from tests.conftest import post_form
from tests.reports.conftest import pdf_text


def at(y, m, d, h=6, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 2, 15), at(2026, 4, 1)),
        (at(2026, 12, 31), at(2027, 1, 1)),
        # Boundaries: the first and last instants of a quarter both go to the next one.
        (at(2026, 1, 1), at(2026, 4, 1)),
        (at(2026, 3, 31, 23, 59), at(2026, 4, 1, 23, 59)),
        (at(2026, 4, 1), at(2026, 7, 1)),
        (at(2026, 6, 30), at(2026, 7, 1)),
        (at(2026, 7, 1), at(2026, 10, 1)),
        (at(2026, 9, 30), at(2026, 10, 1)),
        (at(2026, 10, 1), at(2027, 1, 1)),
        (at(2028, 2, 29), at(2028, 4, 1)),  # a leap day
    ],
)
def test_quarterly_next_run_is_the_first_day_of_the_next_quarter(moment, expected):
    assert next_after(moment, Recurrence.QUARTERLY) == expected


def test_a_year_of_quarterly_runs_lands_on_the_four_quarter_days():
    moment, seen = at(2026, 2, 15), []
    for _ in range(5):
        moment = next_after(moment, Recurrence.QUARTERLY)
        seen.append(moment)
    assert seen == [at(2026, 4, 1), at(2026, 7, 1), at(2026, 10, 1), at(2027, 1, 1), at(2027, 4, 1)]


def test_a_quarterly_schedule_runs_with_its_overview_and_moves_to_next_quarter(app, make_user):
    director = make_user(Role.DIRECTORATE, email="director@example.org")
    schedule = services.save_schedule(
        db.session,
        actor=director,
        name="Quarterly capacity report",
        kind=ReportKind.DIRECTORATE,
        parameters={"period": "previous_quarter", "narrative": "Quarter <one> & done"},
        format=ReportFormat.PDF,
        recurrence=Recurrence.QUARTERLY,
        empty_policy=EmptyPolicy.SEND,
        next_run_at=at(2026, 4, 1),
        recipients=[RecipientSpec(user_id=director.id)],
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(type(schedule), schedule.id)
    assert stored.recurrence == Recurrence.QUARTERLY
    assert stored.parameters == {"period": "previous_quarter", "narrative": "Quarter <one> & done"}

    # Missed for a while (server down on 1 April): it runs once and jumps to 1 July.
    (run,) = services.run_due_schedules(db.session, at(2026, 5, 20, 9))
    db.session.commit()
    db.session.refresh(stored)
    assert stored.next_run_at == at(2026, 7, 1)
    run = db.session.scalars(sa.select(ReportRun)).one()
    assert run.parameters == {
        "start": "2026-01-01",
        "end": "2026-03-31",
        "narrative": "Quarter <one> & done",
    }
    text, _pages = pdf_text(run.content)
    assert "Quarter <one> & done" in text


def test_the_database_refuses_an_unknown_recurrence(app, make_user):
    director = make_user(Role.DIRECTORATE)
    with pytest.raises(sa.exc.DBAPIError):  # the CHECK (or the enum's validation) refuses it
        db.session.execute(
            sa.text(
                "INSERT INTO report_schedules (name, kind, parameters, format, recurrence,"
                " empty_policy, next_run_at, is_active, created_by_id, created_at)"
                " VALUES ('x', 'directorate', '{}', 'pdf', 'fortnight', 'send',"
                " CURRENT_TIMESTAMP, true, :uid, CURRENT_TIMESTAMP)"
            ),
            {"uid": director.id},
        )
        db.session.flush()
    db.session.rollback()


def test_the_schedule_page_takes_a_quarterly_recurrence_and_an_overview(
    app, client, logged_in, make_user
):
    logged_in(Role.DIRECTORATE)
    recipient = make_user(Role.DIRECTORATE, email="reader@example.org")
    page = client.get("/reports/schedules/new").get_data(as_text=True)
    assert 'value="quarterly"' in page and 'name="narrative"' in page
    response = post_form(
        client,
        "/reports/schedules/new",
        {
            "name": "Quarterly figures",
            "kind": "directorate",
            "period": "previous_quarter",
            "narrative": "Our <quarter> & more",
            "project_id": "0",
            "trainee_id": "0",
            "format": "pdf",
            "recurrence": "quarterly",
            "next_run_at": "2026-04-01T06:00",
            "empty_policy": "send",
            "recipient_ids": [str(recipient.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    schedule = db.session.scalar(sa.select(ReportSchedule))
    assert schedule.recurrence == Recurrence.QUARTERLY
    assert schedule.parameters == {
        "period": "previous_quarter",
        "narrative": "Our <quarter> & more",
    }
    edit = client.get(f"/reports/schedules/{schedule.id}/edit").get_data(as_text=True)
    assert "Our &lt;quarter&gt; &amp; more</textarea>" in edit
