"""Enrolment rules: one session of a course at a time, a passed course only again when a
recertification is due, the waiting-list position, session hours and time zones."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from lms.accounts.models import Role
from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import EnrolmentStatus, TrackCourse
from lms.progress import services as progress
from lms.progress.models import TrackCertificationPolicy
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY, after


def _enrol(user, course_session, today=TODAY):
    return services.request_enrolment(db.session, course_session, user, actor=user, today=today)


def _second_session_of_a(world, starts_in=30, **values):
    return services.create_session(
        db.session,
        world.course_a,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=starts_in),
        ends_on=TODAY + timedelta(days=starts_in + 1),
        capacity=values.pop("capacity", 5),
        **values,
    )


@pytest.mark.parametrize("status", ["enrolled", "waitlisted", "requested"])
def test_a_seat_held_or_awaited_in_one_session_rules_out_another_of_the_course(
    world, make_user, status
):
    other = _second_session_of_a(world)
    if status == "waitlisted":  # session_a has two seats
        _enrol(make_user(Role.TRAINEE), world.session_a)
        _enrol(make_user(Role.TRAINEE), world.session_a)
    if status == "requested":
        world.session_a.requires_approval = True
    trainee = make_user(Role.TRAINEE, full_name="Ana Lima")
    assert _enrol(trainee, world.session_a).status.value == status
    db.session.commit()
    with pytest.raises(ConflictError) as refused:
        _enrol(trainee, other)
    assert refused.value.message == (
        f"Ana Lima is already {status} in the session of DQ101 starting on "
        f"{world.session_a.starts_on.isoformat()}: one session of a course at a time "
        "(withdraw from that one first)."
    )
    # Another course is not affected.
    assert _enrol(trainee, world.session_b).status == EnrolmentStatus.ENROLLED


def test_after_withdrawing_or_failing_another_session_of_the_course_may_be_taken(world, make_user):
    other, third = _second_session_of_a(world), _second_session_of_a(world, starts_in=50)
    trainee = make_user(Role.TRAINEE)
    first = _enrol(trainee, world.session_a)
    services.withdraw_enrolment(db.session, first, actor=trainee)
    second = _enrol(trainee, other)
    assert second.status == EnrolmentStatus.ENROLLED
    services.record_result(
        db.session,
        second,
        score=None,
        passed=False,
        actor=world.trainer,
        today=TODAY,
        now=after(other),
    )
    assert _enrol(trainee, third).status == EnrolmentStatus.ENROLLED


def test_the_two_sessions_refusal_on_the_page(client, world, make_user):
    other = _second_session_of_a(world)
    trainee = make_user(Role.TRAINEE)
    _enrol(trainee, world.session_a)
    db.session.commit()
    login(client, trainee)
    response = post_form(client, f"/sessions/{other.id}/enrol")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "one session of a course at a time" in page
    assert services.enrolment_of(db.session, other, trainee) is None


def _passed_course_a(world, trainee):
    progress.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    for course_session in (world.session_a, world.session_b):
        enrolment = _enrol(trainee, course_session)
        services.record_result(
            db.session,
            enrolment,
            score=None,
            passed=True,
            actor=world.trainer,
            today=TODAY,
            now=after(course_session),
        )
    db.session.commit()


def test_a_passed_course_is_refused_without_a_recertification_due(world, make_user):
    trainee = make_user(Role.TRAINEE, full_name="Ana Lima")
    _passed_course_a(world, trainee)
    retake = _second_session_of_a(world, starts_in=90)
    with pytest.raises(ValidationError) as refused:
        _enrol(trainee, retake)
    assert refused.value.message == (
        "Ana Lima has already passed DQ101; it can be taken again only when a recertification "
        "is due."
    )


def test_a_passed_course_on_the_recertification_path_may_be_retaken_when_due(world, make_user):
    db.session.add(
        TrackCertificationPolicy(
            track_id=world.specialists.id, validity_months=12, reminder_days_before=30
        )
    )
    link = db.session.query(TrackCourse).filter_by(course_id=world.course_a.id).one()
    link.for_recertification = True
    db.session.commit()
    trainee = make_user(Role.TRAINEE)
    _passed_course_a(world, trainee)  # completes the track: a certificate valid twelve months
    certificate = progress.certificates_for(db.session, trainee)[0]  # the current one
    expires = certificate.expires_on
    retake = _second_session_of_a(world, starts_in=(expires - TODAY).days)
    with pytest.raises(ValidationError, match="recertification is due"):
        _enrol(trainee, retake, today=expires - timedelta(days=31))  # not due yet
    assert _enrol(trainee, retake, today=expires - timedelta(days=30)).status == (
        EnrolmentStatus.ENROLLED
    )


def test_the_waiting_list_position_is_shown_to_the_trainee(client, world, make_user):
    seated = [make_user(Role.TRAINEE) for _ in range(2)]
    for trainee in seated:
        _enrol(trainee, world.session_a)
    first, second = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    e1, e2 = _enrol(first, world.session_a), _enrol(second, world.session_a)
    db.session.commit()
    assert [services.waitlist_position(db.session, e) for e in (e1, e2)] == [1, 2]
    login(client, second)
    page = client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "number 2 on the waiting list" in page
    services.withdraw_enrolment(db.session, e1, actor=first)
    db.session.commit()
    assert services.waitlist_position(db.session, e2) == 1
    holder = services.enrolment_of(db.session, world.session_a, seated[0])
    assert services.waitlist_position(db.session, holder) is None


def test_sessions_have_hours_and_a_real_time_zone(world):
    with pytest.raises(ValidationError, match="Unknown time zone 'Mars/Olympus'"):
        _second_session_of_a(world, timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="must end after it starts"):
        _second_session_of_a(world, start_time=time(14), end_time=time(14))
    course_session = _second_session_of_a(
        world, start_time=time(8, 30), end_time=time(12), timezone="Africa/Nairobi"
    )
    assert course_session.starts_at.utcoffset() == timedelta(hours=3)
    day = TODAY + timedelta(days=30)
    assert course_session.daily_schedule() == [
        (day, time(8, 30), time(12)),
        (day + timedelta(days=1), time(8, 30), time(12)),
    ]


def test_the_session_page_shows_the_daily_schedule(client, world, logged_in):
    _second_session_of_a(
        world, start_time=time(8, 30), end_time=time(12), timezone="Africa/Nairobi"
    )
    db.session.commit()
    logged_in(Role.TRAINEE)
    course_session = world.course_a.sessions[-1]
    html = client.get(f"/sessions/{course_session.id}").get_data(as_text=True)
    schedule = html.split('data-testid="schedule"')[1].split("</dd>")[0]
    day = TODAY + timedelta(days=30)
    assert f"{day.isoformat()}: 08:30–12:00" in schedule
    assert f"{(day + timedelta(days=1)).isoformat()}: 08:30–12:00" in schedule
    assert "Africa/Nairobi" in schedule
