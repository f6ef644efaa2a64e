"""One slippage: the project page and the project report show the same days for every
milestone, and a milestone past due has slipped at least as long as it is overdue."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.projects import services as project_services
from lms.reports.models import ReportRun
from tests.conftest import post_form
from tests.courses.fixtures import TODAY
from tests.reports.conftest import pdf_text


def test_report_slippage_equals_the_project_page(
    client, make_project, make_user, logged_in, fixed_today
):
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager, code="SLIP-1")
    overdue = project_services.add_milestone(
        db.session,
        project,
        actor=None,
        title="Overdue as planned",
        due_date=TODAY - timedelta(days=45),
    )
    moved = project_services.add_milestone(
        db.session,
        project,
        actor=None,
        title="Moved then overdue",
        due_date=TODAY - timedelta(days=175),
    )
    project_services.replan_milestone(
        db.session, moved, actor=None, new_date=TODAY - timedelta(days=45), reason="Funding late"
    )
    ahead = project_services.add_milestone(
        db.session, project, actor=None, title="Still ahead", due_date=TODAY + timedelta(days=30)
    )
    db.session.commit()
    # Counted the plain way: baseline to today for an open milestone past due.
    expected = {
        "Overdue as planned": (TODAY - overdue.baseline_date).days,
        "Moved then overdue": (TODAY - moved.baseline_date).days,
        "Still ahead": (ahead.due_date - ahead.baseline_date).days,
    }
    assert expected == {"Overdue as planned": 45, "Moved then overdue": 175, "Still ahead": 0}

    logged_in(Role.DIRECTORATE)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'href="/reports/projects/{project.id}"' in html  # the download button
    page = {}
    for title in expected:
        row = re.search(rf'data-milestone="{title}".*?data-testid="slippage">([^<]*)<', html, re.S)
        page[title] = int(row.group(1).split()[0])
    assert page == expected

    post_form(
        client,
        "/reports/generate",
        {"kind": "project", "format": "pdf", "project_id": str(project.id)},
    )
    run = db.session.scalar(sa.select(ReportRun))
    text, _pages = pdf_text(client.get(f"/reports/runs/{run.id}/download").data)
    flat = " ".join(text.split())
    for title, days in expected.items():
        assert re.search(rf"{title} .*?(Late|Planned|In progress) {days}\b", flat), (title, days)
    assert "45 days past its due date" in flat
