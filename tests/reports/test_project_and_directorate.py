"""Project progress report and the directorate report; the statistics page shows the same
figures as the directorate PDF."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.extensions import db
from lms.progress.models import Certificate, CertificateStatus, TrackEnrolment
from lms.projects import services as project_services
from lms.projects.models import Project
from lms.reports import data as report_data
from lms.reports.models import ReportRun, RunStatus
from lms.reports.views import STATISTICS_SHOWN_ROWS
from tests.conftest import post_form
from tests.courses.fixtures import TODAY
from tests.reports.conftest import pdf_text


def _generate(client, kind, fmt="pdf", **params):
    data = {"kind": kind, "format": fmt, **{k: str(v) for k, v in params.items()}}
    return post_form(client, "/reports/generate", data)


def _project(make_project, make_indicator, make_user):
    manager = make_user(Role.PROJECT_MANAGER, full_name="Amélie Dubois")
    project = make_project(manager=manager, code="DS-TEST")
    project_services.add_milestone(
        db.session, project, actor=None, title="Data unit staffed", due_date=date(2025, 6, 30)
    )
    project_services.add_milestone(
        db.session, project, actor=None, title="Dashboard launched", due_date=date(2027, 6, 30)
    )
    indicator = make_indicator(project, targets={"2025": 10, "2026": 20})
    project_services.report_actual(db.session, indicator, actor=None, period="2025", value=7)
    project_services.save_risk(
        db.session,
        project,
        None,
        actor=None,
        description="Staff turnover in the unit",
        likelihood="high",
        impact="medium",
    )
    project_services.add_progress_update(
        db.session,
        project,
        actor=None,
        period="2026-Q1",
        achievements="Analysts recruited in Nairobi",
        next_steps="Train the analysts",
    )
    db.session.commit()
    return project, manager


def test_project_report_has_rag_late_milestones_indicators_and_update(
    client, app, make_project, make_indicator, make_user, logged_in, fixed_today
):
    project, _manager = _project(make_project, make_indicator, make_user)
    logged_in(Role.DIRECTORATE)
    response = _generate(client, "project", project_id=project.id)
    text, pages = pdf_text(client.get(response.headers["Location"]).data)

    db.session.expire_all()
    loaded = project_services.load_project(db.session, project.id)
    with app.test_request_context():
        assessment = project_services.compute_rag(loaded, TODAY)
        rating = assessment.rating.label
        reasons = [reason.message for reason in assessment.reasons]
    late = project_services.late_milestones(loaded, TODAY)
    assert [m.title for m in late] == ["Data unit staffed"]
    assert f"page 1 of {pages}" in text
    assert "DS-TEST" in text and loaded.title in text and "Amélie Dubois" in text
    assert f"Rating: {rating}" in text and rating == "Red"
    assert reasons and all(reason[:30] in " ".join(text.split()) for reason in reasons)
    assert "Data unit staffed" in text and "Late" in text
    assert "Officers certified as data specialists" in text
    assert "2025\n10\n7" in text  # period, target, actual
    flat = " ".join(text.split())
    assert "Staff turnover in the unit" in flat
    assert "Analysts recruited in Nairobi" in flat


def test_project_report_follows_the_project_permission(
    app, make_project, make_indicator, make_user, fixed_today
):
    from tests.conftest import login

    project, manager = _project(make_project, make_indicator, make_user)
    trainee_client, manager_client = app.test_client(), app.test_client()
    login(trainee_client, make_user(Role.TRAINEE))
    login(manager_client, manager)
    assert _generate(trainee_client, "project", project_id=project.id).status_code == 403
    assert trainee_client.get(f"/reports/projects/{project.id}").status_code == 403
    response = _generate(manager_client, "project", "xlsx", project_id=project.id)
    workbook = openpyxl.load_workbook(
        io.BytesIO(manager_client.get(response.headers["Location"]).data)
    )
    milestones = list(workbook["Milestones"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in milestones] == ["Data unit staffed", "Dashboard launched"]
    assert milestones[0][5] == "Late"
    run = db.session.scalar(sa.select(ReportRun))
    assert trainee_client.get(f"/reports/runs/{run.id}/download").status_code == 403


def _independent_totals(start: date, end: date) -> tuple[int, int, int, dict[str, int]]:
    """The directorate figures counted the plain way, for comparison."""
    enrolments = db.session.scalars(sa.select(TrackEnrolment)).all()
    enrolled = {e.user_id for e in enrolments if start <= e.enrolled_at.date() <= end}
    completed = {
        e.user_id for e in enrolments if e.completed_at and start <= e.completed_at.date() <= end
    }
    certified = {
        c.user_id
        for c in db.session.scalars(sa.select(Certificate))
        if start <= c.issued_on <= end and c.status != CertificateStatus.REVOKED
    }
    by_member: dict[str, int] = {}
    for user_id in enrolled:
        member = db.session.get(User, user_id).member_administration
        by_member[member.name] = by_member.get(member.name, 0) + 1
    return len(enrolled), len(completed), len(certified), by_member


@pytest.mark.demo
def test_directorate_report_on_demo_data_matches_the_statistics_page(client, logged_in, app):
    today = date.today()
    start, end = date(today.year - 1, 1, 1), today
    enrolled, completed, certified, by_member = _independent_totals(start, end)
    assert enrolled > 0

    logged_in(Role.DIRECTORATE)
    html = client.get(f"/reports/statistics?start={start}&end={end}").get_data(as_text=True)
    response = _generate(client, "directorate", start=start.isoformat(), end=end.isoformat())
    run_url = response.headers["Location"]
    db.session.expire_all()
    run = db.session.scalar(sa.select(ReportRun))
    assert run.status == RunStatus.DONE
    text, pages = pdf_text(client.get(f"/reports/runs/{run.id}/download").data)
    flat = " ".join(text.split())

    summary = (
        f"Trainees enrolled: {enrolled} · completed a track: {completed} · certified: {certified}"
    )
    assert summary in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"Trainees enrolled on a track {enrolled} " in flat
    assert f"Completed a track {completed} " in flat and f"Certified {certified} " in flat
    assert f"page 1 of {pages}" in text and "Contents" in text
    # Every figure table of the page is in the PDF, row by row.
    with app.test_request_context():
        data = report_data.directorate_data(db.session, start, end, today)
    for table in data.tables():
        page = html  # a long table is shown whole one click away (its "Show all" link)
        if len(table.rows) > STATISTICS_SHOWN_ROWS:
            page = client.get(
                f"/reports/statistics?start={start}&end={end}&full={table.key}"
            ).get_data(as_text=True)
        page = page.replace("&amp;", "&").replace("&#39;", "'")
        for row in table.rows:
            for cell in row:
                assert f"<td>{cell}</td>" in page
    for name, count in by_member.items():
        member_row = next(
            row
            for row in next(t for t in data.tables() if t.key == "by_member").rows
            if row[0] == name
        )
        assert member_row[2] == count
        assert " ".join(name.split()) in flat
    for project in db.session.scalars(sa.select(Project)):
        assert project.code in text
    assert client.get(run_url).status_code == 200


@pytest.mark.demo
def test_directorate_tables_export_as_csv(client, logged_in, app):
    logged_in(Role.ADMIN)
    today = date.today()
    response = _generate(
        client, "directorate", "csv", start=f"{today.year - 1}-01-01", end=today.isoformat()
    )
    run = db.session.scalar(sa.select(ReportRun))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/reports/runs/{run.id}/download").data))
    names = {n.split("-")[-1] for n in archive.namelist()}
    assert {
        "by_region.csv",
        "by_member.csv",
        "by_track.csv",
        "levels.csv",
        "sessions.csv",
        "portfolio.csv",
    } <= names
    region_file = next(n for n in archive.namelist() if n.endswith("by_region.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(region_file).decode("utf-8-sig"))))
    enrolled, _completed, _certified, _members = _independent_totals(
        date(today.year - 1, 1, 1), today
    )
    assert rows[-1][0] == "Total" and int(rows[-1][1]) == enrolled
    members = db.session.scalar(sa.select(sa.func.count()).select_from(MemberAdministration))
    assert members == 21
    assert response.status_code == 302
