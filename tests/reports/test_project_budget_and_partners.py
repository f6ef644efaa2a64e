"""The project report's "Budget and spend" and "Funders and partners" sections: the totals
are the sums of the budget lines (computed here, independently), the partners are named with
their roles, the project page shows the same figures, and on the demo's projects the last
page of the report holds more than a heading."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pypdf
import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.projects import services as project_services
from lms.projects.models import BudgetLine, Project
from tests.conftest import post_form
from tests.reports.conftest import pdf_text

LINES = [  # year, planned, spent
    (2024, Decimal("320000"), Decimal("307200.50")),
    (2025, Decimal("450000"), Decimal("432000")),
    (2026, Decimal("410000"), Decimal("225500")),
    (2027, Decimal("220000"), Decimal("0")),
]
PARTNERS = [
    ("Kenya Revenue Authority", "beneficiary"),
    ("European Union", "funding"),
    ("Capacity Building Directorate", "implementing"),
    ("Banque Européenne d'Investissement", "funding"),
]


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")


def _generate_pdf(client, project_id: int) -> bytes:
    response = post_form(
        client, "/reports/generate", {"kind": "project", "format": "pdf", "project_id": project_id}
    )
    return client.get(response.headers["Location"]).data


def test_budget_totals_and_partners_in_the_report_and_on_the_page(
    client, make_project, logged_in, fixed_today
):
    project = make_project(code="BUD-1")
    for year, planned, spent in LINES:
        project_services.set_budget_line(
            db.session, project, actor=None, year=year, planned=planned, spent=spent
        )
    for name, role in PARTNERS:
        project_services.add_partner(db.session, project, actor=None, name=name, role=role)
    db.session.commit()

    # The totals, from the database rows and plain arithmetic.
    rows = db.session.execute(
        sa.select(BudgetLine.planned, BudgetLine.spent).where(BudgetLine.project_id == project.id)
    ).all()
    planned = sum((Decimal(r.planned) for r in rows), Decimal(0))
    spent = sum((Decimal(r.spent) for r in rows), Decimal(0))
    assert planned == Decimal("1400000") and spent == Decimal("964700.50")
    share = int((spent * 100 / planned).quantize(Decimal(1), ROUND_HALF_UP))

    logged_in(Role.DIRECTORATE)
    text, _pages = pdf_text(_generate_pdf(client, project.id))
    flat = " ".join(text.split())
    assert "Budget and spend (EUR)" in flat and "Funders and partners" in flat
    assert f"Total {_amount(planned)} {_amount(spent)} {share} %" in flat
    for year, p, s in LINES:
        assert f"{year} {_amount(p)} {_amount(s)}" in flat
    for name, role in PARTNERS:
        assert f"{name} {role.capitalize()}" in flat
    assert "Funded by: Banque Européenne d'Investissement; European Union" in flat

    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    budget_html = html[html.index('data-testid="budget"') :]
    for figure in (_amount(planned), _amount(spent), f"{share}%"):
        assert figure in budget_html[: budget_html.index("</table>")]
    partners_html = html[html.index('data-testid="partners"') :]
    # Funders first on the page too: the same order as the report.
    assert partners_html.index("Banque Europ") < partners_html.index("Capacity Building")


def test_a_project_without_budget_or_partners_says_so(client, make_project, logged_in, fixed_today):
    project = make_project(code="BUD-0")
    logged_in(Role.DIRECTORATE)
    flat = " ".join(pdf_text(_generate_pdf(client, project.id))[0].split())
    assert "No budget lines yet." in flat and "No partner organisations recorded." in flat


def _body_lines(page_text: str) -> list[str]:
    """A page's text without the running header and footer."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    return [
        line
        for line in lines
        if line != "Project progress report"
        and not line.startswith("Capacity LMS ·")
        and not line.startswith("page ")
    ]


@pytest.mark.demo
def test_the_last_page_of_each_demo_project_report_holds_more_than_a_heading(client, logged_in):
    logged_in(Role.DIRECTORATE)
    projects = list(db.session.scalars(sa.select(Project).order_by(Project.code)))
    assert len(projects) == 4
    for project in projects:
        reader = pypdf.PdfReader(io.BytesIO(_generate_pdf(client, project.id)))
        assert len(reader.pages) >= 2
        last = _body_lines(reader.pages[-1].extract_text())
        assert len(last) >= 6, (project.code, last)
        assert sum(len(line) for line in last) >= 200, (project.code, last)
        budget = project_services.budget_summary(project)
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert f"Total {_amount(budget.planned)} {_amount(budget.spent)}" in text
        for partner in project.partners:
            assert partner.name in text
        # The indicators' section heading never stands alone at a page's foot: its page
        # (after the contents) goes on with the first indicator.
        pages = [page.extract_text() for page in reader.pages]
        heading = "Indicators: targets and actuals"
        (page,) = [t for t in pages[1:] if heading in t and "Contents" not in t]
        assert "Baseline:" in page.split(heading, 1)[1], (project.code, page)
