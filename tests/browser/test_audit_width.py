"""A 5,000-character title in the audit log no longer stretches the page (it was 3,885 px)."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.audit import record_change
from lms.core.extensions import db
from tests.conftest import TEST_PASSWORD


def test_the_audit_page_stays_within_the_window(page, make_user):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    record_change(
        db.session,
        actor=admin,
        action="course.updated",
        entity_type="Course",
        entity_id=1,
        before={"title": "Short"},
        after={"title": "W" * 5000},
    )
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/auth/login")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    page.goto("/admin/audit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.click("details.audit-long summary")
    assert page.is_visible("details.audit-long .audit-full")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
