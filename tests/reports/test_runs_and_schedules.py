"""Report runs (status, background execution, claimed once) and report schedules (due logic on
a controlled clock, idempotence, recipients, empty-report policy)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import OutboxMessage
from lms.reports import runner, services
from lms.reports.models import (
    EmptyPolicy,
    Recurrence,
    ReportFormat,
    ReportKind,
    ReportRun,
    ReportSchedule,
    RunStatus,
)
from lms.reports.services import RecipientSpec
from tests.conftest import _config, post_form

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def _runs() -> list[ReportRun]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ReportRun).order_by(ReportRun.id)))


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_run_shows_its_status_and_is_executed_once(app, client, logged_in, elodie):
    director = logged_in(Role.DIRECTORATE)
    run = services.request_run(
        db.session,
        user=director,
        kind="directorate",
        params={"start": "2026-01-01", "end": "2026-12-31"},
        format="pdf",
        today=date(2026, 3, 2),
    )
    db.session.commit()
    page = client.get(f"/reports/runs/{run.id}")
    assert page.status_code == 200 and page.headers["Refresh"] == "2"
    assert 'data-status="queued"' in page.get_data(as_text=True)
    assert client.get(f"/reports/runs/{run.id}/download").status_code == 302

    assert runner.execute_run(run.id).status == RunStatus.DONE
    assert runner.execute_run(run.id) is None  # claimed once: a second worker gets nothing
    page = client.get(f"/reports/runs/{run.id}")
    assert "Refresh" not in page.headers and 'data-status="done"' in page.get_data(as_text=True)
    download = client.get(f"/reports/runs/{run.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert runner.execute_queued_runs() == []


def test_a_failing_run_is_recorded_as_failed(app, make_user, monkeypatch):
    admin = make_user(Role.ADMIN)
    run = services.request_run(
        db.session,
        user=admin,
        kind="directorate",
        params={},
        format="xlsx",
        today=date(2026, 3, 2),
    )
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("chart exploded")

    monkeypatch.setattr(services.report_data, "directorate_data", broken)
    assert runner.execute_queued_runs() == [run.id]
    (stored,) = _runs()
    assert stored.status == RunStatus.FAILED and "chart exploded" in stored.error
    assert stored.content is None and stored.finished_at is not None


class TestBackground:
    @pytest.fixture
    def app_config(self, database_url):
        return _config(database_url, REPORTS_RUN_INLINE=False)

    def test_directorate_report_runs_in_a_background_thread(self, app, client, logged_in):
        logged_in(Role.DIRECTORATE)
        response = post_form(
            client,
            "/reports/generate",
            {"kind": "directorate", "format": "pdf", "start": "2026-01-01", "end": "2026-06-30"},
        )
        assert response.status_code == 302 and "/reports/runs/" in response.headers["Location"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            (run,) = _runs()
            if run.status in (RunStatus.DONE, RunStatus.FAILED):
                break
            time.sleep(0.1)
        assert run.status == RunStatus.DONE, run.error
        assert run.filename == "directorate-2026-01-01-2026-06-30.pdf"


# Schedules ------------------------------------------------------------------------------------


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTORATE, email="director@example.org", full_name="Dana Director")


def _schedule(
    director,
    *,
    recipients,
    kind=ReportKind.DIRECTORATE,
    params=None,
    policy=EmptyPolicy.SEND,
    recurrence=Recurrence.MONTHLY,
    fmt=ReportFormat.PDF,
):
    schedule = services.save_schedule(
        db.session,
        actor=director,
        name="Monthly capacity report",
        kind=kind,
        parameters=params or {"period": "previous_month"},
        format=fmt,
        recurrence=recurrence,
        empty_policy=policy,
        next_run_at=NOW,
        recipients=recipients,
    )
    db.session.commit()
    return schedule


def test_schedule_is_due_only_from_next_run_at_and_runs_once(app, director, elodie, world):
    schedule = _schedule(director, recipients=[RecipientSpec(user_id=director.id)])
    early = datetime(2026, 3, 1, 5, 59, tzinfo=UTC)
    assert services.run_due_schedules(db.session, early) == []
    db.session.commit()

    runs = services.run_due_schedules(db.session, NOW)
    db.session.commit()
    assert len(runs) == 1
    again = services.run_due_schedules(db.session, NOW)  # the same tick, polled twice
    db.session.commit()
    assert again == []
    (run,) = _runs()
    assert run.status == RunStatus.DONE and run.schedule_id == schedule.id
    assert run.parameters == {"start": "2026-02-01", "end": "2026-02-28"}
    assert run.scheduled_for == NOW
    db.session.refresh(schedule)
    assert schedule.next_run_at == datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert schedule.last_run_at == NOW
    (message,) = _outbox()
    assert message.recipient == "director@example.org"
    assert f"/reports/runs/{run.id}" in message.body
    # A month later it is due again, once.
    later = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert len(services.run_due_schedules(db.session, later)) == 1
    db.session.commit()
    assert len(_runs()) == 2


def test_a_missed_schedule_runs_once_and_jumps_ahead(app, director):
    schedule = _schedule(
        director, recipients=[RecipientSpec(user_id=director.id)], recurrence=Recurrence.WEEKLY
    )
    runs = services.run_due_schedules(db.session, datetime(2026, 3, 30, 12, tzinfo=UTC))
    db.session.commit()
    assert len(runs) == 1
    db.session.refresh(schedule)
    assert schedule.next_run_at == datetime(2026, 4, 5, 6, 0, tzinfo=UTC)


def test_recipients_by_member_and_role_and_permission(
    app, director, make_user, make_member, elodie, senegal
):
    manager = make_user(Role.PROJECT_MANAGER, email="pm.sn@example.org", member=senegal)
    staff = make_user(Role.DIRECTORATE, email="staff.sn@example.org", member=senegal)
    make_user(Role.DIRECTORATE, email="elsewhere@example.org", member=make_member())
    _schedule(
        director,
        recipients=[
            RecipientSpec(member_administration_id=senegal.id, role=Role.DIRECTORATE),
            RecipientSpec(member_administration_id=senegal.id, role=Role.TRAINEE),
            RecipientSpec(user_id=manager.id),
            RecipientSpec(user_id=staff.id),  # named twice: one email
        ],
    )
    services.run_due_schedules(db.session, NOW)
    db.session.commit()
    # Élodie (a trainee of Senegal) and the project manager may not see the directorate
    # report: they are left out.
    assert [m.recipient for m in _outbox()] == ["staff.sn@example.org"]


@pytest.mark.parametrize(
    ("policy", "emails", "subject"),
    [
        (EmptyPolicy.SEND, 1, "Report ready"),
        (EmptyPolicy.NOTE, 1, "Nothing to report"),
        (EmptyPolicy.SKIP, 0, None),
    ],
)
def test_empty_report_policy(app, director, policy, emails, subject):
    _schedule(director, recipients=[RecipientSpec(user_id=director.id)], policy=policy)
    (run,) = services.run_due_schedules(db.session, NOW)
    db.session.commit()
    assert run.is_empty is True and run.status == RunStatus.DONE
    messages = _outbox()
    assert len(messages) == emails
    if subject:
        assert messages[0].subject.startswith(subject)
        assert (f"/reports/runs/{run.id}" in messages[0].body) == (policy == EmptyPolicy.SEND)


def test_a_schedule_with_data_is_sent_even_under_the_skip_policy(app, director, elodie, world):
    from lms.progress.models import Certificate

    db.session.execute(sa.update(Certificate).values(issued_on=date(2026, 2, 10)))
    db.session.commit()
    _schedule(
        director,
        recipients=[RecipientSpec(user_id=director.id)],
        policy=EmptyPolicy.SKIP,
        fmt=ReportFormat.XLSX,
    )
    (run,) = services.run_due_schedules(db.session, NOW)
    db.session.commit()
    assert run.is_empty is False and run.filename.endswith(".xlsx")
    assert len(_outbox()) == 1


def test_schedule_validation(app, director):
    with app.test_request_context(), pytest.raises(services.ValidationError):
        _schedule(director, recipients=[])
    db.session.rollback()
    with app.test_request_context(), pytest.raises(services.ValidationError):
        _schedule(
            director,
            recipients=[RecipientSpec(user_id=director.id)],
            kind=ReportKind.PROJECT,
            params={"project_id": 999},
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSchedule)) == 0


def test_directorate_staff_manage_schedules_through_the_pages(app, client, logged_in, make_user):
    logged_in(Role.DIRECTORATE)
    recipient = make_user(Role.DIRECTORATE, email="reader@example.org")
    assert client.get("/reports/schedules/new").status_code == 200
    response = post_form(
        client,
        "/reports/schedules/new",
        {
            "name": "Quarterly figures",
            "kind": "directorate",
            "period": "previous_quarter",
            "project_id": "0",
            "trainee_id": "0",
            "format": "csv",
            "recurrence": "monthly",
            "next_run_at": "2026-04-01T06:00",
            "empty_policy": "note",
            "recipient_ids": [str(recipient.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    schedule = db.session.scalar(sa.select(ReportSchedule))
    assert schedule.parameters == {"period": "previous_quarter"}
    assert schedule.next_run_at == datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert [r.user_id for r in schedule.recipients] == [recipient.id]
    listing = client.get("/reports/schedules/").get_data(as_text=True)
    assert "Quarterly figures" in listing and "reader@example.org" in listing
    missing = post_form(
        client,
        "/reports/schedules/new",
        {
            "name": "No one",
            "kind": "directorate",
            "period": "previous_month",
            "project_id": "0",
            "trainee_id": "0",
            "format": "pdf",
            "recurrence": "daily",
            "next_run_at": "2026-04-01T06:00",
            "empty_policy": "send",
        },
    )
    assert missing.status_code == 200 and "Add at least one recipient" in missing.get_data(
        as_text=True
    )
    assert client.get(f"/reports/schedules/{schedule.id}/edit").status_code == 200
    post_form(client, f"/reports/schedules/{schedule.id}/delete")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSchedule)) == 0


def test_a_schedule_whose_project_is_gone_records_a_failed_run(
    app, director, make_project, monkeypatch
):
    project = make_project()
    schedule = _schedule(
        director,
        recipients=[RecipientSpec(user_id=director.id)],
        kind=ReportKind.PROJECT,
        params={"project_id": project.id},
    )
    schedule.parameters = {"project_id": project.id + 1000}
    db.session.commit()
    (run,) = services.run_due_schedules(db.session, NOW)
    db.session.commit()
    assert run.status == RunStatus.FAILED and "does not exist" in run.error
    assert _outbox() == []
    db.session.refresh(schedule)
    assert schedule.next_run_at > NOW


def test_cli_runs_due_schedules(app, director):
    _schedule(director, recipients=[RecipientSpec(user_id=director.id)])
    result = app.test_cli_runner().invoke(args=["reports", "run-due"])
    assert result.exit_code == 0 and "1 scheduled report(s) generated." in result.output
    assert len(_runs()) == 1
