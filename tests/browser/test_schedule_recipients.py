"""The schedule's recipients picker in a real browser: the search box filters the options
(selected ones stay in view) and the choice is saved; without JavaScript the page is the
plain multi-select."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.reports.models import ReportSchedule
from tests.conftest import TEST_PASSWORD

VISIBLE = "(s) => Array.from(s.options).filter((o) => !o.hidden).map((o) => o.text)"


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def test_the_search_box_filters_the_recipients(page, make_user):
    make_user(Role.DIRECTORATE, email="dir@example.org", full_name="Dana Director")
    for n in range(12):
        make_user(Role.TRAINER, email=f"trainer{n:02d}@example.org", full_name=f"Trainer {n:02d}")
    okello = make_user(Role.TRAINER, email="okello@example.org", full_name="Okello Mwangi")
    make_user(Role.TRAINER, email="celine@example.org", full_name="Céline Ouédraogo")
    _log_in(page, "dir@example.org")
    page.goto("/reports/schedules/new")
    search = page.get_by_role("searchbox", name="Search recipients by name or email")
    assert search.is_visible()
    select = page.locator("select#recipient_ids")
    total = select.locator("option").count()
    assert total >= 15

    search.fill("okello")
    assert select.evaluate(VISIBLE) == ["Okello Mwangi <okello@example.org>"]
    assert page.inner_text("#recipient_ids-search-status").startswith(f"1 of {total} shown")
    select.select_option(str(okello.id))

    search.fill("ouedraogo")  # accents ignored; the selected recipient stays in view
    assert sorted(select.evaluate(VISIBLE)) == [
        "Céline Ouédraogo <celine@example.org>",
        "Okello Mwangi <okello@example.org>",
    ]
    search.fill("nobody-by-this-name")
    assert select.evaluate(VISIBLE) == ["Okello Mwangi <okello@example.org>"]  # selected
    search.fill("ouedraogo")
    search.press("Enter")  # searching does not submit the form
    assert page.url.endswith("/reports/schedules/new")
    search.fill("")
    assert len(select.evaluate(VISIBLE)) == total

    roles = page.get_by_role("searchbox", name="Search administrations and roles")
    roles.fill("zz-no-such-administration")
    assert page.inner_text("#member_roles-search-status").startswith("Nothing matches")
    roles.fill("")

    page.fill("input[name=name]", "Monthly figures")
    page.fill("input[name=next_run_at]", "2026-04-01T06:00")
    page.click("main button:has-text('Save schedule')")
    page.wait_for_selector("text=Schedule saved.")
    db.session.expire_all()
    schedule = db.session.scalar(sa.select(ReportSchedule))
    assert [r.user_id for r in schedule.recipients] == [okello.id]


def test_without_javascript_the_picker_is_a_plain_multi_select(browser, live_server, make_user):
    make_user(Role.DIRECTORATE, email="dir@example.org", full_name="Dana Director")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        _log_in_without_script(page)
        page.goto("/reports/schedules/new")
        assert not page.locator("[data-option-filter=recipient_ids]").is_visible()
        assert page.locator("select#recipient_ids[multiple]").is_visible()
    finally:
        context.close()


def _log_in_without_script(page) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", "dir@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
