"""A project manager creates a project with a milestone and an indicator, reports an actual and
sees the portfolio update — through the real pages, in Chromium."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.projects.models import IndicatorActual, Project
from tests.conftest import TEST_PASSWORD


def test_a_manager_creates_a_project_reports_an_actual_and_sees_the_portfolio_update(
    page, app, make_user, make_member
):
    app.config["LMS_TODAY"] = date(2025, 7, 15)
    make_member(name="Kenya Revenue Authority", country_code="KE")
    make_user(Role.PROJECT_MANAGER, email="manager@example.org", full_name="Grace Wanjiru")

    page.goto("/auth/login")
    page.fill("input[name=email]", "manager@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")

    page.click("nav >> text=Projects")
    assert page.locator("[data-testid=empty-state]").inner_text() == "No projects yet."
    page.click("main >> text=New project")
    page.fill("input[name=code]", "DS-KE-2025")
    page.fill("input[name=title]", "Data strategy for Kenya")
    page.fill("textarea[name=goal]", "Customs decisions in Kenya are driven by data")
    page.select_option("select[name=status]", "active")
    page.fill("input[name=start_date]", "2025-01-01")
    page.fill("input[name=end_date]", "2028-12-31")
    # No beneficiaries field: the directorate names them (issue 11).
    assert page.locator("select[name=beneficiary_ids]").count() == 0
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Project DS-KE-2025 created.")

    page.click("main >> text=Add a milestone")
    page.fill("input[name=title]", "Analytics unit staffed")
    page.fill("input[name=due_date]", "2025-10-31")
    page.fill("input[name=owner]", "KRA")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Milestone added.")
    assert "Analytics unit staffed" in page.inner_text("[data-testid=milestones]")

    page.click("main >> text=Add an indicator")
    page.fill("input[name=name]", "Officers certified as data specialists")
    page.fill("input[name=unit]", "officers")
    page.select_option("select[name=period_kind]", "quarter")
    page.fill("input[name=baseline_value]", "0")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Indicator added.")
    page.fill("input[name=period]", "2025-Q1")
    page.fill("input[name=value]", "10")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Target saved.")
    indicator_url = page.url

    # Before any actual: the Q1 target period ended more than 90 days ago without a report.
    page.click("nav >> text=Projects")
    row = page.locator("tr[data-project='DS-KE-2025']")
    assert row.locator(".rag-badge").get_attribute("data-rag") == "amber"
    assert "Analytics unit staffed" in row.inner_text()

    page.goto(indicator_url)
    page.click("main >> text=Report an actual")
    page.fill("input[name=period]", "2025-Q1")
    page.fill("input[name=value]", "11")
    page.fill("textarea[name=comment]", "Certificates issued in March")
    page.fill("input[name=evidence_url]", "https://example.org/certificates-q1.pdf")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Actual reported.")
    assert "Certificates issued in March" in page.inner_text("[data-testid=actuals]")

    page.click("nav >> text=Projects")
    row = page.locator("tr[data-project='DS-KE-2025']")
    assert row.locator(".rag-badge").get_attribute("data-rag") == "green"
    assert row.locator("[data-testid=elapsed]").inner_text() == "13%"

    project = db.session.scalar(sa.select(Project))
    assert [u.email for u in project.managers] == ["manager@example.org"]
    actual = db.session.scalar(sa.select(IndicatorActual))
    assert (actual.period, actual.value) == ("2025-Q1", Decimal("11.00"))
    assert actual.reported_by.email == "manager@example.org"
