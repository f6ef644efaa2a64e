"""Through the browser: an admin pauses a job, is refused a bad cron, fixes it and asks for a
run; a trainee sees the bell's count, opens a notification and marks everything read."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.notifications.services import ANNOUNCEMENT, notify
from lms.scheduler.services import get_job
from tests.conftest import TEST_PASSWORD


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def test_admin_manages_a_scheduled_job(page, make_user):
    make_user(Role.ADMIN, email="admin@example.org", full_name="Amina Diallo")
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation questions
    _log_in(page, "admin@example.org")

    page.click("text=Administration")
    page.click("text=Scheduled jobs")
    page.wait_for_selector("[data-job='sessions.cleanup']")
    assert "No scheduler process is running" in page.inner_text("[data-testid=scheduler-leader]")

    page.click("[data-job='outbox.deliver'] button:has-text('Pause')")
    page.wait_for_selector("text=outbox.deliver is paused")
    page.goto("/admin/jobs")
    assert page.inner_text("[data-job='outbox.deliver'] [data-status=paused]") == "Paused"

    page.click("text=sessions.cleanup")
    page.check("input[name=kind][value=cron]")
    page.fill("input[name=cron]", "0 3 * * 8")
    page.click("main button:has-text('Save schedule')")
    page.wait_for_selector("text=The weekday field takes 0-7")
    assert page.input_value("input[name=cron]") == "0 3 * * 8"

    page.fill("input[name=cron]", "0 3 * * 0")
    page.click("main button:has-text('Save schedule')")
    page.wait_for_selector("text=is now cron 0 3 * * 0")
    assert page.inner_text("[data-testid=trigger]") == "cron 0 3 * * 0"

    page.click("main button:has-text('Run now')")
    page.wait_for_selector("text=the scheduler starts it within a few seconds")

    db.session.expire_all()
    assert get_job(db.session, "outbox.deliver").is_paused
    job = get_job(db.session, "sessions.cleanup")
    assert job.cron == "0 3 * * 0" and job.run_requested_at is not None


def test_trainee_reads_notifications_from_the_bell(page, make_user):
    nadia = make_user(Role.TRAINEE, email="nadia@example.org", full_name="Nadia Benali")
    notify(db.session, nadia, ANNOUNCEMENT.key, "Session moved", "Now on Tuesday.")
    notify(
        db.session,
        nadia,
        ANNOUNCEMENT.key,
        "Set your email choices",
        link="/notifications/preferences",
    )
    db.session.commit()
    _log_in(page, "nadia@example.org")

    assert page.inner_text("[data-testid=unread-count]") == "2"
    page.click("[data-testid=bell]")
    page.wait_for_selector("[data-testid=notifications]")
    item = page.locator("[data-testid=notifications] li", has_text="Set your email choices")
    item.locator("button:has-text('Open')").click()
    page.wait_for_selector("h1:has-text('Notification preferences')")
    assert page.inner_text("[data-testid=unread-count]") == "1"

    page.goto("/notifications")
    page.click("main button:has-text('Mark all as read')")
    page.wait_for_selector("text=1 notification(s) marked as read.")
    assert page.locator("[data-testid=unread-count]").count() == 0
    db.session.expire_all()
    from lms.notifications.models import Notification

    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.read_at.is_(None))
        )
        == 0
    )
