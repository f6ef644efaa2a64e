"""Issue 13's acceptance in a real browser, on the demo data (loaded in the test, ~20 s): an
anonymous visitor switches the login page to French, logs in as the demo trainee and reads her
dashboard, learning page, catalogue and next session in French with French dates, downloads
her progress report in French; directorate staff do the same with the directorate report.

Expected strings are the catalogue's own msgstrs, read from the .po file."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from pypdf import PdfReader

import lms
from lms.core import clock
from lms.core.extensions import db
from lms.courses.models import CourseSession
from lms.demo import DEMO_PASSWORD
from lms.frameworks.models import Track

CATALOGUE = Path(lms.__file__).parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
SHOTS = Path("/tmp/frtest")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
FRENCH_DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


@pytest.fixture(scope="module")
def fr() -> dict[str, str]:
    """English msgid → French msgstr (context-free, singular entries)."""
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and not m.context}


def french(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login_in_french(page, email: str, fr: dict[str, str]) -> None:
    page.goto("/auth/login")
    assert page.inner_text("main h1") == "Log in"
    page.click("main [data-testid=language-switch] button[value=fr]")
    assert page.inner_text("main h1") == fr["Log in"]
    assert page.inner_text("main button[type=submit] >> nth=0") == fr["Log in"]
    assert fr["Forgot your password?"] in page.inner_text("main")
    _shot(page, f"login-{email.split('@')[0]}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_selector("[data-testid=current-user]")


def _french_page(page, name: str, *expected: str, iso_ok: str = "") -> str:
    """The page's text, with every ``expected`` string and no ISO day (``iso_ok`` aside: a
    file name keeps its ISO days)."""
    text = page.inner_text("main")
    _shot(page, name)
    for string in expected:
        assert string in text, (name, string)
    assert not ISO_DAY.search(text.replace(iso_ok, "")), (name, ISO_DAY.search(text))
    return text


def _pdf_text(download) -> str:
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


@pytest.mark.demo
def test_trainee_and_directorate_read_pages_and_reports_in_french(browser, live_server, fr):
    today = clock.today()

    trainee = browser.new_context(base_url=live_server, locale="en-GB", accept_downloads=True)
    trainee.set_default_timeout(15_000)
    page = trainee.new_page()
    _login_in_french(page, "trainee@example.org", fr)

    page.goto("/")
    dashboard = _french_page(page, "dashboard", fr["Next session"], fr["My learning"])
    assert fr["Welcome, %(name)s"] % {"name": "Nadia Benali"} in dashboard
    href = page.get_attribute("[data-testid=next-session]", "href")
    session_id = int(href.rstrip("/").rsplit("/", 1)[1])
    course_session = db.session.get(CourseSession, session_id)
    assert french(course_session.starts_on) in dashboard

    page.goto("/learning")
    learning = _french_page(
        page, "learning", fr["My tracks"], fr["Upcoming sessions"], fr["Transcript"]
    )
    assert french(course_session.starts_on) in learning
    assert FRENCH_DAY.search(page.inner_text("[data-testid=transcript]"))

    page.goto("/courses/")
    catalogue = _french_page(page, "catalogue", fr["Course catalogue"])
    assert course_session.course.title_fr in catalogue
    assert FRENCH_DAY.search(catalogue)

    page.goto(f"/sessions/{session_id}")
    session_page = _french_page(
        page, "session", fr["Enrolment deadline"], fr["Trainers"], fr["Your enrolment:"]
    )
    assert french(course_session.starts_on) in session_page
    assert french(course_session.ends_on) in session_page

    page.goto("/reports/my")
    _french_page(page, "trainee-reports", fr["Trainee progress report"])
    with page.expect_download() as info:
        page.click("main [data-testid=generate-trainee] button[type=submit]")
    download = info.value
    download.save_as(SHOTS / "trainee.pdf")
    text = _pdf_text(download)
    for msgid in ("Trainee progress report", "Report parameters", "Member administration"):
        assert fr[msgid] in text and msgid not in text, msgid
    assert french(today) in text and today.isoformat() not in text
    trainee.close()

    staff = browser.new_context(base_url=live_server, locale="en-GB", accept_downloads=True)
    staff.set_default_timeout(15_000)
    page = staff.new_page()
    _login_in_french(page, "directorate@example.org", fr)
    page.goto("/reports/")
    _french_page(page, "reports", fr["Directorate capacity-building report"])
    form = page.locator("main [data-testid=generate-directorate]")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=run-status] [data-status=done]", timeout=60_000)
    filename = f"directorate-{date(today.year, 1, 1).isoformat()}-{today.isoformat()}.pdf"
    _french_page(
        page, "directorate-run", french(date(today.year, 1, 1)), french(today), iso_ok=filename
    )
    with page.expect_download() as info:
        page.click("main [data-testid=download]")
    download = info.value
    download.save_as(SHOTS / "directorate.pdf")
    text = _pdf_text(download)
    for msgid in (
        "Directorate capacity-building report",
        "Report parameters",
        "Results by track",
        "Sessions delivered",
        "Pass rate",
    ):
        assert fr[msgid] in text and msgid not in text, msgid
    assert french(today) in text and not ISO_DAY.search(text)
    for track in db.session.scalars(sa.select(Track).where(Track.is_active.is_(True))):
        if track.name_fr and track.name_fr != track.name:
            lines = text.splitlines()
            assert track.name_fr in lines and track.name not in lines, track.name
    staff.close()
