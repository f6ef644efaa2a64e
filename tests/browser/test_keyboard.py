"""Issue 17's keyboard walk-throughs, on the demo data: enrolling in a session, recording a
rating and generating a report with the keyboard alone. Every move is a Tab (or Shift+Tab)
and every activation an Enter; fields are typed into, and a level chosen with the arrow key,
as a keyboard user does. The mouse is never used. The skip link is checked on the way.

And the low-bandwidth mode: with JavaScript off, at a phone's width, the navigation and the
menus are plain links and forms still submit."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core import clock
from lms.core.extensions import db
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment, SessionStatus
from lms.demo import DEMO_PASSWORD
from lms.progress.models import CompetencyRating

MAX_TABS = 150


def _focused(page, script: str) -> bool:
    return page.evaluate(
        f"() => {{ const el = document.activeElement; return !!el && ({script}); }}"
    )


def tab_to(page, script: str, what: str) -> int:
    """Press Tab until the focused element satisfies ``script`` (JavaScript over ``el``);
    returns the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if _focused(page, script):
            return presses
    raise AssertionError(f"{what}: not reached in {MAX_TABS} Tab presses on {page.url}")


def href_matches(pattern: str) -> str:
    return (
        f"el.tagName === 'A' && new RegExp({json.dumps(pattern)}).test(new URL(el.href).pathname)"
    )


def button_named(text: str) -> str:
    return f"el.tagName === 'BUTTON' && el.textContent.trim() === {text!r}"


def _log_in_by_keyboard(page, email: str) -> None:
    page.goto("/auth/login")
    tab_to(page, "el.name === 'email'", "email field")
    page.keyboard.type(email)
    tab_to(page, "el.name === 'password'", "password field")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=current-user]", state="attached")


def _context(browser, live_server: str):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _open_session_for(trainee: User, today: date) -> CourseSession:
    """A session the demo trainee can join at once: open, free seats, no approval, no
    prerequisite, deadline not passed, not already hers."""
    mine = sa.select(SessionEnrolment.session_id).where(SessionEnrolment.user_id == trainee.id)
    candidates = db.session.scalars(
        sa.select(CourseSession)
        .where(
            CourseSession.status == SessionStatus.OPEN,
            CourseSession.requires_approval.is_(False),
            CourseSession.starts_on > today,
            CourseSession.id.not_in(mine),
        )
        .order_by(CourseSession.starts_on, CourseSession.id)
    ).all()
    for candidate in candidates:
        deadline = candidate.enrolment_deadline
        open_to_her = deadline is None or deadline >= today
        if candidate.seats_left > 0 and not candidate.course.prerequisites and open_to_her:
            return candidate
    raise AssertionError("the demo has no session the trainee can join")


@pytest.mark.demo
def test_skip_link_is_the_first_stop_and_lands_on_the_content(browser, live_server):
    context, page = _context(browser, live_server)
    _log_in_by_keyboard(page, "trainee@example.org")
    page.goto("/")
    assert tab_to(page, "el.classList.contains('skip-link')", "skip link") == 1
    assert page.is_visible(".skip-link")  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside the page's content, not the navbar
    assert _focused(page, "el.closest('main') !== null")
    context.close()


@pytest.mark.demo
def test_a_trainee_enrols_in_a_session_with_the_keyboard(browser, live_server):
    trainee = db.session.scalar(sa.select(User).where(User.email == "trainee@example.org"))
    target = _open_session_for(trainee, clock.today())
    context, page = _context(browser, live_server)
    _log_in_by_keyboard(page, trainee.email)

    tab_to(page, href_matches("^/courses/$"), "the Courses link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/courses/$"))
    tab_to(page, "el.name === 'q'", "the catalogue search")
    page.keyboard.type(target.course.code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    tab_to(page, href_matches(f"^/courses/{target.course_id}$"), "the course")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/courses/{target.course_id}$"))
    tab_to(page, href_matches(f"^/sessions/{target.id}$"), "the session")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/sessions/{target.id}$"))
    tab_to(page, button_named("Enrol"), "the Enrol button")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=my-enrolment]")

    db.session.expire_all()
    enrolment = db.session.scalar(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.user_id == trainee.id, SessionEnrolment.session_id == target.id
        )
    )
    assert enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED
    context.close()


@pytest.mark.demo
def test_a_trainer_records_a_rating_with_the_keyboard(browser, live_server):
    trainer = db.session.scalar(sa.select(User).where(User.email == "trainer@example.org"))
    before = db.session.scalar(
        sa.select(sa.func.count()).where(CompetencyRating.rated_by_id == trainer.id)
    )
    context, page = _context(browser, live_server)
    _log_in_by_keyboard(page, trainer.email)

    tab_to(page, href_matches("^/assessments/$"), "the Assessments link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assessments/$"))
    tab_to(page, href_matches(r"^/trainees/\d+/competencies/\d+$"), "a review asked for")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/competencies/\d+$"))
    in_rate_form = "el.form && el.form.querySelector('input[name=action][value=rate]')"
    tab_to(page, f"el.name.endsWith('level_id') && {in_rate_form}", "the level to rate")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("() => document.activeElement.selectedOptions[0].textContent")
    tab_to(page, f"el.name.endsWith('comment') && {in_rate_form}", "the comment")
    page.keyboard.type("Observed in the keyboard walk-through")
    tab_to(page, button_named("Record rating"), "the Record rating button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    db.session.expire_all()
    ratings = db.session.scalars(
        sa.select(CompetencyRating)
        .where(CompetencyRating.rated_by_id == trainer.id)
        .order_by(CompetencyRating.id.desc())
    ).all()
    assert len(ratings) == before + 1
    assert ratings[0].comment == "Observed in the keyboard walk-through"
    assert ratings[0].level.name in chosen
    context.close()


@pytest.mark.demo
def test_directorate_staff_generate_a_report_with_the_keyboard(browser, live_server):
    context, page = _context(browser, live_server)
    _log_in_by_keyboard(page, "directorate@example.org")

    tab_to(page, href_matches("^/reports/$"), "the Reports link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reports/$"))
    generate = "el.closest('[data-testid=generate-directorate]') && el.type === 'submit'"
    tab_to(page, generate, "Generate, for the directorate report")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=run-status] [data-status=done]", timeout=60_000)
    tab_to(page, "el.tagName === 'A' && /\\.pdf$|download/.test(el.href)", "the finished PDF")
    context.close()


@pytest.mark.demo
def test_without_javascript_a_phone_reaches_every_menu_and_forms_submit(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        locale="en-GB",
        java_script_enabled=False,
        viewport={"width": 375, "height": 800},
    )
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit] >> nth=0")  # a plain form post
    page.wait_for_selector("[data-testid=current-user]")
    # The navigation is unfolded and the administration menu is a list of visible links.
    users = page.locator(".lms-navbar a[href='/admin/users']")
    assert users.is_visible()
    users.click()
    page.wait_for_url(re.compile(r"/admin/users$"))
    assert page.inner_text("main h1")
    # The account menu's entries too, and logging out (a form) works.
    assert page.locator(".lms-navbar a[href='/auth/profile']").is_visible()
    page.locator(".lms-navbar button:has-text('Log out')").click()
    page.wait_for_url(re.compile(r"/auth/login"))
    assert page.locator("input[name=email]").is_visible()
    context.close()
