"""The whole learning path in a real browser: a trainee joins the Data specialists track and
its sessions, the trainer records results, progress moves, and after the last required course
the track is completed with a certificate code."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.progress.models import Certificate
from tests.conftest import TEST_PASSWORD
from tests.courses.fixtures import after


def _login(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def _record_pass(trainer_page, session_id: int, email: str, score: str) -> None:
    trainer_page.goto(f"/sessions/{session_id}")
    row = trainer_page.locator(f"tr[data-email='{email}']")
    row.locator("input[name=score]").fill(score)
    row.locator("select[name=passed]").select_option("yes")
    row.locator("[data-testid=result-form] button[type=submit]").click()
    trainer_page.wait_for_selector("text=Result recorded")


def test_trainee_completes_the_data_specialists_track(
    browser, live_server, page, world, make_user, monkeypatch
):
    trainee = make_user(Role.TRAINEE, email="nadia@example.org", full_name="Nadia Benali")
    _login(page, "nadia@example.org")
    page.goto("/learning")
    page.click("button[data-track=DS]")
    page.wait_for_selector("text=You have joined the Data specialists track")
    assert page.inner_text("[data-testid=track-DS] [data-testid=percent]") == "0%"

    for course_session in (world.session_a, world.session_b):
        page.goto(f"/sessions/{course_session.id}")
        page.click("main form button:has-text('Enrol')")
        page.wait_for_selector("text=You are enrolled")
        assert "Enrolled" in page.inner_text("[data-testid=my-enrolment]")

    # Both sessions are over when the trainer records the results.
    monkeypatch.setattr(clock, "now", lambda: after(world.session_b))
    trainer_context = browser.new_context(base_url=live_server)
    trainer_page = trainer_context.new_page()
    _login(trainer_page, "assessor@example.org")
    _record_pass(trainer_page, world.session_a.id, trainee.email, "84")

    page.goto("/learning")
    assert page.inner_text("[data-testid=track-DS] [data-testid=percent]") == "50%"
    page.goto(f"/trainees/{trainee.id}")
    assert "DM.1 Data quality" in page.inner_text("[data-testid=profile]")
    assert "Practitioner" in page.inner_text("[data-testid=profile]")

    _record_pass(trainer_page, world.session_b.id, trainee.email, "91")
    trainer_context.close()

    page.goto("/learning")
    assert page.inner_text("[data-testid=track-DS] [data-testid=percent]") == "100%"
    code = page.inner_text("[data-testid=certificate-code]")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert "completed" in page.inner_text("[data-testid=track-DS]")
    assert "DS" not in page.locator("button[data-track]").all_inner_texts()
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.verification_code == code and certificate.user_id == trainee.id
    transcript = page.inner_text("[data-testid=transcript]")
    assert "DQ101" in transcript and "ST201" in transcript
