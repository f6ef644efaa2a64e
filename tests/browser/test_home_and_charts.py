"""The home page's dashboard and the charts at phone width in a real browser: the sections
stack without the page scrolling sideways, and chart text stays at least 12 px high (the
chart scrolls in its frame instead of shrinking)."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from lms.core.charts import MIN_TEXT_PX
from tests.conftest import TEST_PASSWORD
from tests.reports.conftest import elodie, senegal  # noqa: F401 - fixtures

PHONE = {"width": 375, "height": 800}


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]", state="attached")


@pytest.mark.usefixtures("elodie")
def test_at_phone_width_chart_text_stays_readable_and_the_page_does_not_scroll_sideways(
    page, make_user
):
    make_user([Role.DIRECTORATE, Role.TRAINER], email="dir@example.org", full_name="Dana Director")
    page.set_viewport_size(PHONE)
    _log_in(page, "dir@example.org")

    page.goto("/")
    sections = page.locator("[data-section]").evaluate_all("s => s.map(e => e.dataset.section)")
    assert sections == ["trainer", "directorate"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto("/reports/statistics?start=2026-01-01&end=2026-12-31")
    heights = page.locator("svg.chart text").evaluate_all(
        "texts => texts.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= MIN_TEXT_PX
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    frame = page.locator(".chart-scroll").first
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")  # the chart scrolls instead
