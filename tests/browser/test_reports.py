"""Reports in a real browser: directorate staff start the directorate report, watch its status
move from queued to done while the page refreshes itself, download the PDF, and read the same
figures on the statistics page with its SVG charts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.reports.models import ReportRun, RunStatus
from tests.conftest import TEST_PASSWORD
from tests.reports.conftest import elodie, senegal  # noqa: F401 - fixtures


@pytest.mark.usefixtures("elodie")
def test_directorate_report_runs_in_the_background_and_downloads(page, make_user):
    make_user(Role.DIRECTORATE, email="dir@example.org", full_name="Dana Director")
    page.goto("/auth/login")
    page.fill("input[name=email]", "dir@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")

    page.goto("/reports/")
    form = page.locator("main [data-testid=generate-directorate]")
    form.locator("input[name=start]").fill("2026-01-01")
    form.locator("input[name=end]").fill("2026-12-31")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=run-status] [data-status=done]", timeout=20_000)
    with page.expect_download() as info:
        page.click("main [data-testid=download]")
    download = info.value
    assert download.suggested_filename == "directorate-2026-01-01-2026-12-31.pdf"
    db.session.expire_all()
    run = db.session.scalar(sa.select(ReportRun))
    assert run.status == RunStatus.DONE and run.requested_by.email == "dir@example.org"

    page.goto("/reports/")
    assert "Directorate capacity-building report" in page.inner_text("main [data-testid=runs]")
    page.goto("/reports/statistics?start=2026-01-01&end=2026-12-31")
    assert page.locator("main svg[role=img]").count() == 2
    assert "Trainees enrolled: 1" in page.inner_text("main [data-testid=totals]")
