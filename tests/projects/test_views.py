"""The project pages through the test client: create, plan, report, rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.projects.models import (
    Indicator,
    IndicatorActual,
    LogframeLevel,
    Milestone,
    Project,
    ProjectStatus,
    RagOverride,
)
from tests.conftest import post_form


def _project_data(member, manager, **extra):
    """A manager's project form; ``member`` is named as beneficiary only by those who may
    (``beneficiary_ids=...`` in ``extra``)."""
    data = {
        "code": "ds-ke-2025",
        "title": "Data strategy for Kenya",
        "summary": "Build an analytics unit.",
        "goal": "Customs decisions in Kenya are driven by data",
        "status": "active",
        "start_date": "2025-01-01",
        "end_date": "2028-12-31",
        "currency": "usd",
        "manager_ids": [str(manager.id)],
    }
    data.update(extra)
    return data


def test_a_manager_creates_a_project_with_its_goal(client, logged_in, make_member):
    manager = logged_in(Role.PROJECT_MANAGER)
    kenya = make_member(name="Kenya Revenue Authority", country_code="KE")

    page = client.get("/projects/new").get_data(as_text=True)
    assert f'<option selected value="{manager.id}">' in page  # proposed as the manager

    response = post_form(client, "/projects/new", _project_data(kenya, manager))

    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.scalar(sa.select(Project))
    assert (project.code, project.currency, project.status) == (
        "DS-KE-2025",
        "USD",
        ProjectStatus.ACTIVE,
    )
    assert project.managers == [manager]
    assert project.beneficiaries == []  # named by the directorate, not by the manager
    assert [(e.level, e.statement) for e in project.logframe_elements] == [
        (LogframeLevel.GOAL, "Customs decisions in Kenya are driven by data")
    ]
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["project.created", "logframe.added"]


def test_bad_input_is_refused_with_a_message_and_nothing_typed_is_lost(
    client, logged_in, make_member
):
    manager = logged_in(Role.PROJECT_MANAGER)
    member = make_member()

    response = post_form(
        client, "/projects/new", _project_data(member, manager, end_date="2024-12-31")
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The project cannot end before it starts." in html
    assert "Data strategy for Kenya" in html and "Build an analytics unit." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_a_duplicate_code_is_refused_on_the_code_field(
    client, logged_in, make_member, make_project
):
    manager = logged_in(Role.PROJECT_MANAGER)
    make_project(code="DS-KE-2025")

    response = post_form(client, "/projects/new", _project_data(make_member(), manager))

    assert response.status_code == 200
    assert "Another project already uses the code DS-KE-2025." in response.get_data(as_text=True)


def test_milestones_are_added_replanned_and_shown_with_baseline_and_slippage(
    client, logged_in, make_project, app
):
    app.config["LMS_TODAY"] = date(2025, 9, 1)
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    base = f"/projects/{project.id}"

    assert (
        post_form(
            client,
            f"{base}/milestones/new",
            {"title": "Data governance policy adopted", "due_date": "2025-06-30", "owner": "KRA"},
        ).status_code
        == 302
    )
    milestone = db.session.scalar(sa.select(Milestone))
    response = post_form(
        client,
        f"{base}/milestones/{milestone.id}/replan",
        {"new_date": "2025-07-31", "reason": "Board meeting postponed"},
    )
    assert response.status_code == 302

    html = client.get(base).get_data(as_text=True)
    assert "2025-06-30" in html and "2025-07-31" in html  # baseline and current
    # Past due on the pinned day: slipped from the baseline until today (Milestone.slippage_on).
    assert f"+{(date(2025, 9, 1) - date(2025, 6, 30)).days} days" in html
    assert "Board meeting postponed" in html
    assert 'data-status="late"' in html  # past due on the pinned date
    assert 'data-code="milestones_late"' in html
    assert '<svg role="img"' in html  # the timeline, server-rendered

    # A re-plan without a reason is refused and the date stays.
    response = post_form(
        client, f"{base}/milestones/{milestone.id}/replan", {"new_date": "2025-12-31"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).due_date == date(2025, 7, 31)


def test_marking_a_milestone_done(client, logged_in, make_project):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    base = f"/projects/{project.id}"
    post_form(client, f"{base}/milestones/new", {"title": "Inception", "due_date": "2024-03-31"})
    milestone = db.session.scalar(sa.select(Milestone))

    refused = post_form(
        client, f"{base}/milestones/{milestone.id}/edit", {"title": "Inception", "status": "done"}
    )
    assert "Enter the date it was completed." in refused.get_data(as_text=True)
    done = post_form(
        client,
        f"{base}/milestones/{milestone.id}/edit",
        {"title": "Inception", "status": "done", "completed_on": "2024-04-10"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).completed_on == date(2024, 4, 10)


def test_indicators_targets_and_actuals_through_the_pages(client, logged_in, make_project):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    base = f"/projects/{project.id}"
    post_form(client, f"{base}/logframe/new", {"level": "goal", "statement": "Data-driven"})
    goal_id = db.session.scalar(sa.select(Project)).logframe_elements[0].id

    response = post_form(
        client,
        f"{base}/indicators/new",
        {
            "element_id": str(goal_id),
            "name": "Officers certified as data specialists",
            "unit": "officers",
            "period_kind": "year",
            "baseline_value": "0",
            "baseline_date": "2024-01-01",
        },
    )
    indicator = db.session.scalar(sa.select(Indicator))
    assert response.headers["Location"].endswith(f"{base}/indicators/{indicator.id}")
    page = f"{base}/indicators/{indicator.id}"
    assert post_form(client, page, {"period": "2024", "value": "10"}).status_code == 302
    assert post_form(client, page, {"period": "24", "value": "10"}).status_code == 200
    for value, comment in (("6", "First count"), ("7", "Corrected count")):
        response = post_form(
            client,
            f"{page}/actuals",
            {"period": "2024", "value": value, "comment": comment},
        )
        assert response.status_code == 302

    html = client.get(page).get_data(as_text=True)
    assert "First count" in html and "Corrected count" in html and "superseded" in html
    assert 'data-testid="indicator-chart"' in html and "<svg" in html
    db.session.expire_all()
    values = db.session.scalars(sa.select(IndicatorActual.value).order_by(IndicatorActual.id))
    assert list(values) == [Decimal("6.00"), Decimal("7.00")]


def test_overriding_and_withdrawing_the_rating(client, logged_in, make_project, app):
    app.config["LMS_TODAY"] = date(2025, 6, 30)
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    base = f"/projects/{project.id}"

    short = post_form(client, f"{base}/rating", {"rating": "red", "justification": "bad"})
    assert short.status_code == 200
    response = post_form(
        client,
        f"{base}/rating",
        {"rating": "red", "justification": "Counterpart unit dissolved by decree."},
    )
    assert response.status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert 'data-rag="red"' in html and "Counterpart unit dissolved by decree." in html

    assert post_form(client, f"{base}/rating/withdraw").status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert 'data-rag="green"' in html
    assert "Counterpart unit dissolved by decree." in html  # still in the history
    db.session.expire_all()
    assert db.session.scalar(sa.select(RagOverride.withdrawn_at)) is not None


def test_risks_updates_partners_and_budget(client, logged_in, make_project):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    base = f"/projects/{project.id}"
    assert (
        post_form(
            client,
            f"{base}/risks/new",
            {
                "description": "Staff turnover in the analytics unit",
                "likelihood": "high",
                "impact": "medium",
                "status": "open",
            },
        ).status_code
        == 302
    )
    assert (
        post_form(
            client,
            f"{base}/updates/new",
            {"period": "2025-Q1", "achievements": "Unit staffed", "next_steps": "Training"},
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, f"{base}/partners/new", {"name": "European Union", "role": "funding"}
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, f"{base}/budget", {"year": "2025", "planned": "100000", "spent": "25000"}
        ).status_code
        == 302
    )
    outside = post_form(client, f"{base}/budget", {"year": "2031", "planned": "1"})
    assert "Choose a year of the project" in outside.get_data(as_text=True)

    html = client.get(base).get_data(as_text=True)
    for text in ("Staff turnover in the analytics unit", "Unit staffed", "European Union", "25%"):
        assert text in html


def test_editing_an_indicator_phase_and_statement_through_the_pages(
    client, logged_in, make_project, make_indicator
):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    indicator = make_indicator(project, targets={"2024": 10})
    base = f"/projects/{project.id}"
    post_form(client, f"{base}/indicators/{indicator.id}/actuals", {"period": "2024", "value": "4"})
    post_form(
        client,
        f"{base}/phases/new",
        {"name": "Inception", "start_date": "2024-01-01", "end_date": "2024-06-30"},
    )
    phase_id = db.session.scalar(sa.select(Project)).phases[0].id

    response = post_form(
        client,
        f"{base}/indicators/{indicator.id}/edit",
        {
            "name": "Certified officers",
            "unit": "officers",
            "period_kind": "year",
            "baseline_value": "0",
            "baseline_date": "2024-01-01",
        },
    )
    assert response.status_code == 302
    refused = post_form(
        client,
        f"{base}/indicators/{indicator.id}/edit",
        {
            "name": "Certified officers",
            "unit": "officers",
            "period_kind": "quarter",
            "baseline_value": "0",
            "baseline_date": "2024-01-01",
        },
    )
    assert "the period kind can no longer change" in refused.get_data(as_text=True)
    assert (
        post_form(
            client,
            f"{base}/phases/{phase_id}/edit",
            {
                "name": "Inception and diagnostic",
                "start_date": "2024-01-01",
                "end_date": "2024-09-30",
            },
        ).status_code
        == 302
    )
    goal_id = indicator.element_id
    assert (
        post_form(
            client, f"{base}/logframe/{goal_id}/edit", {"statement": "Data-driven customs"}
        ).status_code
        == 302
    )

    html = client.get(base).get_data(as_text=True)
    for text in ("Certified officers", "Inception and diagnostic", "Data-driven customs"):
        assert text in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(IndicatorActual.value)) == Decimal("4.00")


def test_withdrawing_when_no_override_is_in_force_is_refused_with_a_message(
    client, logged_in, make_project
):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    response = post_form(client, f"/projects/{project.id}/rating/withdraw", follow_redirects=True)
    assert response.status_code == 200
    assert "There is no override to withdraw." in response.get_data(as_text=True)
