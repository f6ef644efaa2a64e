"""Choice lists on the reports pages say when they are capped instead of dropping rows."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.reports import choices


def test_the_reports_page_says_when_project_links_are_capped(
    client, logged_in, make_project, monkeypatch
):
    first, second = make_project(code="P-A"), make_project(code="P-B")
    logged_in(Role.ADMIN)
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/projects/{second.id}" in page and 'data-testid="projects-capped"' not in page
    monkeypatch.setattr(choices, "PROJECT_LINKS_LIMIT", 1)
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/projects/{first.id}" in page
    assert f"/reports/projects/{second.id}" not in page
    assert 'data-testid="projects-capped"' in page and "Showing the first 1 projects" in page


def test_the_certificate_bundle_says_when_sessions_are_capped(
    client, logged_in, world, monkeypatch
):
    logged_in(Role.ADMIN)
    page = client.get("/reports/certificates/").get_data(as_text=True)
    assert "Showing the latest" not in page
    monkeypatch.setattr(choices, "BUNDLE_SESSIONS_LIMIT", 1)
    page = client.get("/reports/certificates/").get_data(as_text=True)
    assert "Showing the latest 1 sessions" in page
    later = max((world.session_a, world.session_b), key=lambda s: s.starts_on)
    assert f'value="{later.id}"' in page
