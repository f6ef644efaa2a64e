"""One chart definition, two outputs; the pages that lead to the reports."""

from __future__ import annotations

import io

import pypdf
from reportlab.platypus import Paragraph

from lms.accounts.models import Role
from lms.core.charts import svg_markup
from lms.reports.charts import BarChartData, bar_chart
from lms.reports.pdf import Cover, build_pdf, chart, styles
from tests.conftest import login


def test_a_bar_chart_is_the_same_drawing_in_svg_and_pdf():
    data = BarChartData(["ESA", "WCA"], [("Enrolled", [7, 3]), ("Certified", [2, 0])])
    svg = svg_markup(bar_chart(data), "Trainees by region")
    assert 'aria-label="Trainees by region"' in svg
    assert ">ESA<" in svg and ">WCA<" in svg and ">Enrolled<" in svg and ">7<" in svg
    content = build_pdf(
        Cover("Chart"), [Paragraph("Chart", styles()["h1"]), chart(bar_chart(data))]
    )
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
