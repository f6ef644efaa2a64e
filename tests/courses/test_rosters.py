"""The trainer's sign-in sheet (PDF, a page per day) and roster CSV: names printed as typed,
formula-looking cells neutralised, and only for those who run the session."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pypdf

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import EnrolmentStatus
from tests.conftest import login
from tests.courses.fixtures import TODAY
from tests.translations import french_catalogue


def _trainees(world, make_user, make_member):
    member = make_member(name="Douanes <Sénégal> & Co", country_code="SN")
    names = ["<b>Awa</b> Ndiaye", '=HYPERLINK("http://x")', "+Bruno", "Élodie Laurent"]
    for name in names:
        user = make_user(Role.TRAINEE, full_name=name, member=member)
        services.request_enrolment(db.session, world.session_a, user, actor=user, today=TODAY)
    db.session.commit()
    return names


def test_sign_in_sheet_has_a_page_per_day_with_the_seated_trainees(
    client, world, make_user, make_member
):
    names = _trainees(world, make_user, make_member)  # two seats: two seated, two waiting
    login(client, world.trainer)
    response = client.get(f"/sessions/{world.session_a.id}/sign-in.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    days = world.session_a.daily_schedule()
    assert len(reader.pages) == len(days) == 3
    first = reader.pages[0].extract_text()
    assert "DQ101 Data quality in customs" in first
    assert f"day 1 of 3: {days[0][0].isoformat()}, 09:00–17:00 (UTC)" in first
    assert "<b>Awa</b> Ndiaye" in first and "Douanes <Sénégal> & Co" in first
    assert '=HYPERLINK("http://x")' in first
    assert "+Bruno" not in first and "Élodie" not in first  # on the waiting list
    assert names[0] in reader.pages[2].extract_text()


def test_roster_csv_neutralises_formulas(client, world, make_user, make_member):
    _trainees(world, make_user, make_member)
    login(client, world.trainer)
    response = client.get(f"/sessions/{world.session_a.id}/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Email", "Administration", "Country", "Status", "Score", "Passed"]
    names = [row[0] for row in rows[1:]]
    assert names == ["<b>Awa</b> Ndiaye", '\'=HYPERLINK("http://x")', "'+Bruno", "Élodie Laurent"]
    assert [row[4] for row in rows[1:]] == ["Enrolled", "Enrolled", "Waitlisted", "Waitlisted"]


def test_only_those_who_run_the_session_get_the_sheet_and_roster(client, world, logged_in):
    logged_in(Role.TRAINEE)
    for path in ("sign-in.pdf", "roster.csv"):
        assert client.get(f"/sessions/{world.session_a.id}/{path}").status_code == 403


def test_roster_csv_is_in_the_readers_language(client, world, make_user, make_member):
    """Headers, statuses and yes / no follow the trainer's language (the catalogue's msgstrs)."""
    _trainees(world, make_user, make_member)
    done = world.session_a.enrolments[0]
    done.status, done.passed, done.score = EnrolmentStatus.COMPLETED, True, Decimal("82.5")
    world.trainer.preferred_language = "fr"
    db.session.commit()
    login(client, world.trainer)
    response = client.get(f"/sessions/{world.session_a.id}/roster.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    fr = french_catalogue()
    assert rows[0][:2] == [fr["Name"], fr["Email"]] and rows[0][4:] == [
        fr["Status"],
        fr["Score"],
        fr["Passed"],
    ]
    statuses = {fr[("status", "Enrolled")], fr["Waitlisted"], fr[("status", "Completed")]}
    assert {row[4] for row in rows[1:]} == statuses
    assert [row[5:] for row in rows[1:] if row[6]] == [["82,5", fr["yes"]]]  # a French decimal
