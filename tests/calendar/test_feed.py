"""The private calendar feed and a session's one-event file, read back with the
``icalendar`` parser: the events a user should see and no others, times in the session's
zone (the expected instants computed here with ``zoneinfo``), hostile text escaped, RFC 5545
framing, and the secret's life (shown once, reset, revoked, deactivated owner)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.calendar import services as calendar
from lms.calendar.models import CalendarFeed
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.models import DeliveryMode, EnrolmentStatus, SessionStatus
from lms.projects import services as projects
from lms.projects.models import MilestoneStatus
from tests.conftest import csrf_token, login
from tests.courses.fixtures import TODAY

HOSTILE = 'Risk; analysis, part\\two\nline <script>alert("x")</script>'


def _post(client, path: str, **kwargs):
    """A form of the feed page, sent with the page's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/calendar/")}, **kwargs)


def _feed_url(client) -> str:
    """Make the signed-in user's feed through the page and read the address it shows."""
    response = _post(client, "/calendar/create")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]
    match = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', response.text)
    assert match, response.text
    return match.group(1).replace("http://localhost", "")


def _events(body: bytes) -> dict[str, icalendar.Event]:
    parsed = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def _enrol(course_session, user):
    courses.request_enrolment(db.session, course_session, user, actor=user, today=TODAY)
    db.session.commit()


@pytest.fixture
def brussels(world):
    """A two-day session in Brussels across the end of summer time, with a hostile title."""
    course = courses.create_course(
        db.session,
        actor=world.manager,
        code="HX1",
        title=HOSTILE,
        hours=7,
        delivery_mode=DeliveryMode.WORKSHOP,
        languages=["en"],
        status="published",
        french={"title_fr": "Analyse des risques; en français"},
    )
    course_session = courses.create_session(
        db.session,
        course,
        actor=world.manager,
        starts_on=date(2026, 10, 24),
        ends_on=date(2026, 10, 25),
        start_time=time(9, 30),
        end_time=time(16, 0),
        timezone="Europe/Brussels",
        venue="Salle 1; bâtiment B, étage 2",
        capacity=5,
        trainer_ids=[world.trainer.id],
    )
    db.session.commit()
    return course_session


def test_the_feed_holds_my_sessions_in_their_time_zone(client, world, brussels, make_user):
    trainee = make_user(Role.TRAINEE)
    other = make_user(Role.TRAINEE)
    _enrol(brussels, trainee)
    _enrol(world.session_b, other)  # someone else's session
    login(client, trainee)
    url = _feed_url(client)
    _post(client, "/auth/logout")

    response = client.get(url)  # no login: the secret is the credential
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    events = _events(response.data)
    assert set(events) == {f"session-{brussels.id}@localhost"}
    event = events[f"session-{brussels.id}@localhost"]
    zone = ZoneInfo("Europe/Brussels")
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/Brussels"
    # 09:30 in Brussels on 24 October 2026 is still summer time (UTC+2): 07:30 UTC.
    assert start.astimezone(UTC) == datetime(2026, 10, 24, 9, 30, tzinfo=zone).astimezone(UTC)
    assert start.astimezone(UTC) == datetime(2026, 10, 24, 7, 30, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2026, 10, 24, 14, tzinfo=UTC)
    # The second day repeats the hours in local time, after the change to winter time.
    assert event["RRULE"]["FREQ"] == ["DAILY"] and event["RRULE"]["COUNT"] == [2]
    second = datetime.combine(date(2026, 10, 25), time(9, 30), zone).astimezone(UTC)
    assert second == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)
    # The escaped text reads back exactly as typed.
    assert str(event["SUMMARY"]) == HOSTILE
    assert str(event["LOCATION"]) == "Salle 1; bâtiment B, étage 2"
    assert str(event["URL"]) == f"http://localhost/sessions/{brussels.id}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Sofia Assessor" in str(event["DESCRIPTION"])
    parsed = icalendar.Calendar.from_ical(response.data)
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_the_text_is_framed_as_rfc_5545_says(client, world, brussels, make_user):
    trainee = make_user(Role.TRAINEE)
    _enrol(brussels, trainee)
    login(client, trainee)
    body = client.get(_feed_url(client)).data
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # every line ends with CRLF, no bare LF
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    assert b"VERSION:2.0" in lines and b"METHOD:PUBLISH" in lines
    assert b"X-PUBLISHED-TTL:PT1H" in lines and b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    # TEXT escaping: backslash, semicolon, comma and the newline, never raw.
    unfolded = body.replace(b"\r\n ", b"")
    summary = next(line for line in unfolded.split(b"\r\n") if line.startswith(b"SUMMARY:"))
    assert summary == (
        b'SUMMARY:Risk\\; analysis\\, part\\\\two\\nline <script>alert("x")</script>'
    )
    assert b"BEGIN:VTIMEZONE" in body and b"DTSTART;TZID=Europe/Brussels:20261024T093000" in body


def test_the_feed_is_in_the_users_language(client, world, brussels, make_user):
    trainee = make_user(Role.TRAINEE, preferred_language="fr")
    _enrol(brussels, trainee)
    login(client, trainee)
    event = _events(client.get(_feed_url(client)).data)[f"session-{brussels.id}@localhost"]
    assert str(event["SUMMARY"]) == "Analyse des risques; en français"


def test_trainers_see_what_they_teach_and_waitlisted_seats_are_tentative(client, world, make_user):
    first, second = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    third = make_user(Role.TRAINEE)
    _enrol(world.session_a, first)
    _enrol(world.session_a, second)
    _enrol(world.session_a, third)  # capacity 2: the waiting list
    login(client, third)
    events = _events(client.get(_feed_url(client)).data)
    assert str(events[f"session-{world.session_a.id}@localhost"]["STATUS"]) == "TENTATIVE"

    _post(client, "/auth/logout")
    login(client, world.trainer)
    body = client.get(_feed_url(client)).data
    events = _events(body)
    assert set(events) == {
        f"session-{world.session_a.id}@localhost",
        f"session-{world.session_b.id}@localhost",
    }
    day = world.session_b.starts_on
    assert events[f"session-{world.session_b.id}@localhost"].decoded("DTSTART") == datetime(
        day.year, day.month, day.day, 9, tzinfo=UTC
    )
    # Times in UTC are written with Z and need no VTIMEZONE.
    assert b"BEGIN:VTIMEZONE" not in body and f"{day:%Y%m%d}T090000Z".encode() in body


def test_withdrawn_and_requested_enrolments_are_not_in_the_feed(client, world, make_user):
    trainee = make_user(Role.TRAINEE)
    _enrol(world.session_a, trainee)
    enrolment = courses.enrolment_of(db.session, world.session_a, trainee)
    courses.withdraw_enrolment(db.session, enrolment, actor=trainee)
    world.session_b.requires_approval = True
    db.session.commit()
    _enrol(world.session_b, trainee)
    assert courses.enrolment_of(db.session, world.session_b, trainee).status == (
        EnrolmentStatus.REQUESTED
    )
    assert calendar.calendar_sessions(db.session, trainee) == []


def test_a_cancelled_session_is_cancelled_with_a_higher_sequence(client, world, make_user):
    trainee = make_user(Role.TRAINEE)
    _enrol(world.session_a, trainee)
    login(client, trainee)
    url = _feed_url(client)
    uid = f"session-{world.session_a.id}@localhost"
    before = _events(client.get(url).data)[uid]
    s = world.session_a
    courses.update_session(
        db.session,
        s,
        actor=world.manager,
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        capacity=s.capacity,
        timezone=s.timezone,
        venue=s.venue,
        virtual_link=s.virtual_link,
        enrolment_deadline=s.enrolment_deadline,
        language=s.language,
        requires_approval=s.requires_approval,
        status=SessionStatus.CANCELLED,
        trainer_ids=[t.id for t in s.trainers],
        restricted_member_ids=[],
    )
    db.session.commit()
    after = _events(client.get(url).data)[uid]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["UID"]) == str(before["UID"])  # the same event, revised


def test_project_managers_get_their_projects_milestones_as_all_day_events(
    client, make_user, make_project
):
    manager = make_user(Role.PROJECT_MANAGER)
    mine = make_project(manager=manager)
    theirs = make_project()
    due = date(2026, 6, 30)
    milestone = projects.add_milestone(
        db.session, mine, actor=manager, title="Baseline; survey, done", due_date=due
    )
    dropped = projects.add_milestone(
        db.session, mine, actor=manager, title="Dropped", due_date=date(2026, 7, 1)
    )
    projects.update_milestone(db.session, dropped, actor=manager, status=MilestoneStatus.CANCELLED)
    projects.add_milestone(db.session, theirs, actor=None, title="Not mine", due_date=due)
    db.session.commit()
    login(client, manager)
    events = _events(client.get(_feed_url(client)).data)
    assert set(events) == {
        f"milestone-{milestone.id}@localhost",
        f"milestone-{dropped.id}@localhost",
    }
    event = events[f"milestone-{milestone.id}@localhost"]
    assert event.decoded("DTSTART") == due and event.decoded("DTEND") == due + timedelta(days=1)
    assert str(event["SUMMARY"]) == f"{mine.code} milestone: Baseline; survey, done"
    assert str(event["URL"]) == f"http://localhost/projects/{mine.id}"
    cancelled = events[f"milestone-{dropped.id}@localhost"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1


def test_a_manager_without_the_role_gets_no_milestones(app, make_user, make_project):
    former = make_user(Role.TRAINEE)
    project = make_project()
    project.managers.append(former)
    projects.add_milestone(db.session, project, actor=None, title="M", due_date=date(2026, 6, 1))
    db.session.commit()
    assert calendar.calendar_milestones(db.session, former) == []


# The secret ------------------------------------------------------------------------------


def test_only_the_hash_is_stored_and_the_address_is_shown_once(client, make_user):
    user = make_user(Role.TRAINEE)
    login(client, user)
    url = _feed_url(client)
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    assert feed.token_hash != token and len(feed.token_hash) == 64
    assert token not in client.get("/calendar/").text
    assert client.get(url).status_code == 200


def test_reset_gives_a_new_address_and_the_old_one_answers_404(client, make_user):
    login(client, make_user(Role.TRAINEE))
    old = _feed_url(client)
    response = _post(client, "/calendar/reset")
    new = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', response.text)
    new_url = new.group(1).replace("http://localhost", "")
    assert new_url != old
    assert client.get(old).status_code == 404
    assert client.get(new_url).status_code == 200


def test_revoking_makes_the_address_answer_404(client, make_user):
    login(client, make_user(Role.TRAINEE))
    url = _feed_url(client)
    response = _post(client, "/calendar/revoke")
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert "revoked" in client.get("/calendar/").text
    # Revoked: reset is refused, making a new one works.
    assert _post(client, "/calendar/reset").status_code == 302
    assert client.get(_feed_url(client)).status_code == 200


def test_a_second_make_is_refused_while_one_is_active(client, make_user):
    login(client, make_user(Role.TRAINEE))
    url = _feed_url(client)
    response = _post(client, "/calendar/create", follow_redirects=True)
    assert "already have a calendar feed" in response.text
    assert client.get(url).status_code == 200


def test_unknown_and_deactivated_owners_addresses_answer_404(client, make_user):
    user = make_user(Role.TRAINEE)
    login(client, user)
    url = _feed_url(client)
    assert client.get("/calendar/not-a-real-secret.ics").status_code == 404
    assert client.get("/calendar/" + "x" * 500 + ".ics").status_code == 404
    user.is_active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_the_management_page_needs_a_login_and_csrf(client, make_user):
    response = client.get("/calendar/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    for action in ("create", "reset", "revoke"):
        assert client.post(f"/calendar/{action}").status_code in (302, 400)
    user = make_user(Role.TRAINEE)
    login(client, user)
    for action in ("create", "reset", "revoke"):
        assert client.post(f"/calendar/{action}", data={}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0


def test_the_profile_page_links_to_the_feed_page(client, make_user):
    login(client, make_user(Role.TRAINEE))
    assert 'href="/calendar/"' in client.get("/auth/profile").text


# One session's file ----------------------------------------------------------------------


def test_the_session_page_offers_its_ics_with_the_same_permission(client, world, make_user):
    login(client, make_user(Role.TRAINEE))
    page = client.get(f"/sessions/{world.session_a.id}").text
    assert f'href="/sessions/{world.session_a.id}.ics"' in page
    response = client.get(f"/sessions/{world.session_a.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    events = _events(response.data)
    assert list(events) == [f"session-{world.session_a.id}@localhost"]
    event = events[f"session-{world.session_a.id}@localhost"]
    assert str(event["SUMMARY"]) == "Data quality in customs"
    # A draft course's session is seen by editors only: its file too.
    world.course_a.status = "draft"
    db.session.commit()
    assert client.get(f"/sessions/{world.session_a.id}").status_code == 403
    assert client.get(f"/sessions/{world.session_a.id}.ics").status_code == 403
    assert client.get("/sessions/999999.ics").status_code == 404


def test_the_session_file_needs_a_login(client, world):
    response = client.get(f"/sessions/{world.session_a.id}.ics")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
