"""One chart definition, two outputs; the pages that lead to the reports."""

from __future__ import annotations

import io

import pypdf

from lms.accounts.models import Role
from lms.core.charts import svg_markup
from lms.reports.charts import BarChartData, bar_chart
from lms.reports.pdf import Cover, build_pdf, chart, heading, para
from tests.conftest import login


def test_a_bar_chart_is_the_same_drawing_in_svg_and_pdf():
    data = BarChartData(["ESA", "WCA"], [("Enrolled", [7, 3]), ("Certified", [2, 0])])
    svg = svg_markup(bar_chart(data), "Trainees by region")
    assert 'aria-label="Trainees by region"' in svg
    assert ">ESA<" in svg and ">WCA<" in svg and ">Enrolled<" in svg and ">7<" in svg
    content = build_pdf(Cover("Chart"), [heading("Chart"), chart(bar_chart(data))])
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "ESA" in text and "WCA" in text and "Enrolled" in text and "7" in text


def test_empty_chart_says_so():
    svg = svg_markup(bar_chart(BarChartData([], []), empty_label="No trainees"))
    assert "No trainees" in svg


def test_report_pages_lead_to_the_reports(client, elodie, app, make_user, make_project):
    project = make_project(code="KE-DATA")
    login(client, elodie)
    index = client.get("/reports/").get_data(as_text=True)
    assert "/reports/my" in index and "KE-DATA" not in index  # no project remit
    assert client.get("/reports/my").headers["Location"].endswith(f"/reports/trainees/{elodie.id}")
    assert client.get("/reports/trainees/").status_code == 403

    manager_client = app.test_client()
    login(manager_client, make_user(Role.PROJECT_MANAGER))
    index = manager_client.get("/reports/").get_data(as_text=True)
    assert f"/reports/projects/{project.id}" in index
    listing = manager_client.get("/reports/trainees/?q=laurent").get_data(as_text=True)
    assert "Élodie Laurent" in listing and "Outside your remit" in listing


def test_contents_page_only_when_the_report_runs_over_a_few_pages():
    def body(sections: int):
        items = []
        for n in range(sections):
            items.append(heading(f"Section {n} — Côte d'Ivoire"))
            items.extend(para(f"Ligne {i} : données clés") for i in range(60))
        return items

    short = pypdf.PdfReader(io.BytesIO(build_pdf(Cover("Court"), body(1))))
    assert "Contents" not in short.pages[0].extract_text()
    long = pypdf.PdfReader(io.BytesIO(build_pdf(Cover("Long"), lambda: body(6))))
    first = long.pages[0].extract_text()
    assert "Contents" in first and "Section 5 — Côte d'Ivoire" in first
    total = len(long.pages)
    assert f"page {total} of {total}" in long.pages[-1].extract_text()


def test_statistics_page_runs_a_fixed_number_of_statements(
    client, logged_in, make_project, make_indicator
):
    from datetime import date

    from lms.core.extensions import db
    from lms.projects import services as project_services
    from tests.courses.test_pages import QueryCounter

    def add_projects(count: int) -> None:
        for _n in range(count):
            project = make_project()
            project_services.add_milestone(
                db.session, project, actor=None, title="Unit staffed", due_date=date(2025, 6, 30)
            )
            make_indicator(project, targets={"2025": 10})
        db.session.commit()

    logged_in(Role.DIRECTORATE)
    add_projects(2)
    with QueryCounter() as few:
        assert client.get("/reports/statistics").status_code == 200
    add_projects(6)
    with QueryCounter() as many:
        html = client.get("/reports/statistics").get_data(as_text=True)
    assert html.count("Data strategy project") == 8
    assert len(many.statements) == len(few.statements)


def test_short_trainee_reports_have_no_contents_page():
    from lms.reports.documents import TRAINEE_TOC_FROM_PAGES

    def body(pages: int):
        return lambda: [
            item
            for n in range(pages)
            for item in [heading(f"Section {n}"), *(para(f"line {i}") for i in range(58))]
        ]

    def pages_without_contents(sections: int) -> int:
        content = build_pdf(Cover("T"), body(sections)(), with_toc=False)
        return len(pypdf.PdfReader(io.BytesIO(content)).pages)

    def has_contents(sections: int) -> bool:
        content = build_pdf(Cover("T"), body(sections), toc_from_pages=TRAINEE_TOC_FROM_PAGES)
        return "Contents" in pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()

    assert TRAINEE_TOC_FROM_PAGES == 6
    assert [pages_without_contents(n) for n in (2, 3)] == [4, 5]  # a few pages: none
    assert not has_contents(2) and not has_contents(3)
    assert pages_without_contents(4) >= 6 and has_contents(4)
