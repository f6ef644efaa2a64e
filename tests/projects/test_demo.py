"""The demo projects load into an empty database and show the four situations they stand for."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from lxml import etree

from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import Project, ProjectStatus, Rag
from tests.conftest import login, post_form
from tests.projects.iati_checks import all_errors


@pytest.mark.demo
def test_the_demo_projects_show_each_situation(app, client, demo_summary):
    summary = demo_summary
    assert "Demo projects: 4" in summary

    today = date.today()
    projects = {p.code: p for p in db.session.scalars(sa.select(Project))}
    assert set(projects) == {"DS-ESA-2024", "RM-WCA-2023", "DX-AP-2027", "DW-MENA-2023"}
    years = {d.year for p in projects.values() for d in (p.start_date, p.end_date)}
    assert min(years) == 2023 and max(years) == 2028
    assert all(p.indicators for p in projects.values())
    assert all(
        i.actuals
        for code in ("DS-ESA-2024", "RM-WCA-2023", "DW-MENA-2023")
        for i in projects[code].indicators
    )

    on_track = services.compute_rag(projects["DS-ESA-2024"], today)
    assert on_track.rating is Rag.GREEN, on_track.reasons

    late = services.compute_rag(projects["RM-WCA-2023"], today)
    assert len(services.late_milestones(projects["RM-WCA-2023"], today)) == 2
    assert late.computed is Rag.RED and "milestones_late" in late.codes
    assert late.rating is Rag.AMBER and late.override is not None

    assert projects["DX-AP-2027"].status is ProjectStatus.PIPELINE
    assert projects["DW-MENA-2023"].status is ProjectStatus.COMPLETED
    assert all(m.completed_on for m in projects["DW-MENA-2023"].milestones)

    # The pages render the demo for the manager and the focal point reads only Kenya's project.
    login(client, "manager@example.org", "demo-password")
    html = client.get("/projects/").get_data(as_text=True)
    assert html.count("data-project=") == 4
    for project in projects.values():
        assert client.get(f"/projects/{project.id}").status_code == 200
    # The portfolio exports as complete IATI activities: budgets, results, recipients.
    body = client.get("/projects/iati.xml").get_data()
    assert all_errors(body, today) == {}
    activities = etree.fromstring(body).findall("iati-activity")
    assert len(activities) == 4
    for activity in activities:
        for part in ("budget", "result/indicator/period", "recipient-country", "sector"):
            assert activity.find(part) is not None, (activity.findtext("iati-identifier"), part)
    post_form(client, "/auth/logout")
    login(client, "focal.ke@example.org", "demo-password")
    html = client.get("/projects/").get_data(as_text=True)
    assert html.count("data-project=") == 1 and 'data-project="DS-ESA-2024"' in html
    assert client.get(f"/projects/{projects['RM-WCA-2023'].id}").status_code == 403


def test_enums_sharing_a_value_keep_their_own_labels(app):
    from lms.projects.models import MilestoneStatus, ProjectStatus, TrainingMeasure

    with app.test_request_context():
        assert ProjectStatus.COMPLETED.label == "Completed"
        assert ProjectStatus.CANCELLED.label == "Cancelled"
        assert MilestoneStatus.CANCELLED.label == "Cancelled"
        assert TrainingMeasure.COMPLETED.label == "Officers who passed a course"
