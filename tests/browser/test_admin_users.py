"""The demo admin logs in through the real login page and creates a user through the pages."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboxMessage
from tests.conftest import TEST_PASSWORD


def test_admin_logs_in_and_creates_a_user(page, make_user, make_member):
    make_member(name="Kenya Revenue Authority", country_code="KE")
    make_user(Role.ADMIN, email="admin@example.org", full_name="Amina Diallo")

    page.goto("/")
    assert "/auth/login" in page.url
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    assert page.inner_text("[data-testid=current-user]") == "Amina Diallo"

    page.goto("/admin/users")
    page.click("text=New user")
    page.fill("input[name=email]", "Otieno.David@Example.org")
    page.fill("input[name=full_name]", "David Otieno")
    page.select_option(
        "select[name=member_administration_id]", label="Kenya Revenue Authority (KE)"
    )
    page.check("input[name=roles][value=trainee]")
    page.check("input[name=roles][value=trainer]")
    page.click("main button[type=submit]")

    page.wait_for_selector("text=User otieno.david@example.org created.")
    assert page.locator("h1").inner_text().startswith("David Otieno")

    user = db.session.scalar(sa.select(User).where(User.email == "otieno.david@example.org"))
    assert user is not None
    assert user.roles == {Role.TRAINEE, Role.TRAINER}
    assert user.member_administration.country_code == "KE"
    assert user.password_hash is None  # the invitation lets the person choose it
    invitation = db.session.scalar(sa.select(OutboxMessage))
    assert invitation.recipient == "otieno.david@example.org"
    assert "/auth/set-password/" in invitation.body
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.created", "user.invited"]

    # The new user appears in the searchable list.
    page.goto("/admin/users?q=otieno")
    assert page.locator("table tbody tr").count() == 1
