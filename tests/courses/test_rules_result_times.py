"""Results only when they can be true: attendance once a session has started, results once it
has ended (or from its start when the course says so), judged in the session's time zone, on
every path — the service, the result page and the results file."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import EnrolmentStatus, SessionEnrolment
from lms.progress.models import CompetencyEvidence, CompetencyRating
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY

SECOND = timedelta(seconds=1)


def _seated(world, make_user, course_session=None):
    trainee = make_user(Role.TRAINEE)
    enrolment = services.request_enrolment(
        db.session, course_session or world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    return enrolment


def _result(world, enrolment, now):
    services.record_result(
        db.session,
        enrolment,
        score=Decimal(88),
        passed=True,
        actor=world.trainer,
        today=now.date(),
        now=now,
    )


def _nothing_recorded(enrolment):
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, enrolment.id).status == EnrolmentStatus.ENROLLED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyEvidence)) == 0


def test_a_future_session_takes_neither_attendance_nor_results(world, make_user):
    enrolment = _seated(world, make_user)
    start = world.session_a.starts_at  # 09:00 UTC, ten days after TODAY
    assert start == datetime.combine(TODAY + timedelta(days=10), time(9), UTC)
    with pytest.raises(ValidationError, match=r"once the session has started, on .* 09:00"):
        services.mark_attendance(
            db.session, enrolment, attended=True, actor=world.trainer, now=start - SECOND
        )
    with pytest.raises(ValidationError, match=r"once the session has ended, on .* 17:00 \(UTC\)"):
        _result(world, enrolment, start - timedelta(days=26))
    db.session.rollback()
    _nothing_recorded(enrolment)


def test_a_started_session_takes_attendance_but_not_yet_results(world, make_user):
    enrolment = _seated(world, make_user)
    start, end = world.session_a.starts_at, world.session_a.ends_at
    services.mark_attendance(db.session, enrolment, attended=True, actor=world.trainer, now=start)
    assert enrolment.status == EnrolmentStatus.ATTENDED
    with pytest.raises(ValidationError, match="once the session has ended"):
        _result(world, enrolment, end - SECOND)


def test_an_ended_session_takes_results(world, make_user):
    enrolment = _seated(world, make_user)
    _result(world, enrolment, world.session_a.ends_at)  # the very end counts as ended
    db.session.commit()
    assert (enrolment.status, enrolment.passed, enrolment.score) == (
        EnrolmentStatus.COMPLETED,
        True,
        88,
    )


def test_a_course_may_take_results_from_the_start(world, make_user):
    world.course_a.results_from_start = True
    db.session.commit()
    enrolment = _seated(world, make_user)
    start = world.session_a.starts_at
    with pytest.raises(ValidationError, match="once the session has started"):
        _result(world, enrolment, start - SECOND)
    _result(world, enrolment, start)
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_the_moment_is_judged_in_the_sessions_time_zone(world, make_user):
    day = TODAY + timedelta(days=10)
    tokyo = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=day,
        ends_on=day,
        start_time=time(9),
        end_time=time(12),
        timezone="Asia/Tokyo",
        capacity=5,
    )
    enrolment = _seated(world, make_user, tokyo)
    # 09:00 in Tokyo is midnight UTC; 12:00 there is 03:00 UTC.
    midnight = datetime.combine(day, time(0), UTC)
    with pytest.raises(ValidationError, match="Asia/Tokyo"):
        services.mark_attendance(
            db.session, enrolment, attended=True, actor=world.trainer, now=midnight - SECOND
        )
    services.mark_attendance(
        db.session, enrolment, attended=True, actor=world.trainer, now=midnight
    )
    with pytest.raises(ValidationError):
        _result(world, enrolment, midnight + timedelta(hours=3) - SECOND)
    _result(world, enrolment, midnight + timedelta(hours=3))
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_the_result_page_refuses_a_pass_26_days_ahead(client, world, make_user):
    ahead = TODAY + timedelta(days=26)
    later = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=ahead,
        ends_on=ahead,
        capacity=5,
        trainer_ids=[world.trainer.id],
    )
    enrolment = _seated(world, make_user, later)
    login(client, world.trainer)
    response = post_form(
        client, f"/enrolments/{enrolment.id}/result", {"score": "88", "passed": "yes"}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Results can be recorded once the session has ended" in page
    response = post_form(client, f"/enrolments/{enrolment.id}/attendance/present")
    page = client.get(response.location).get_data(as_text=True)
    assert "Attendance can be recorded once the session has started" in page
    _nothing_recorded(enrolment)


def test_a_results_file_for_a_future_session_is_refused(client, world, make_user):
    enrolment = _seated(world, make_user)
    login(client, world.trainer)
    content = f"email,attended,score,passed\n{enrolment.user.email},yes,88,yes\n".encode()
    response = post_form(
        client,
        f"/sessions/{world.session_a.id}/results",
        {"file": (io.BytesIO(content), "results.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "Results can be recorded once the session has ended" in page
    _nothing_recorded(enrolment)


def test_a_recorded_attendance_mark_changes_only_by_a_correction(world, make_user):
    """Present, then absent: the second click is refused (the mark stays, nothing new in the
    audit log); the same mark again is no change; the correction path still works."""
    from lms.core.models import AuditEntry
    from lms.courses.services import corrections

    enrolment = _seated(world, make_user)
    start = world.session_a.starts_at
    services.mark_attendance(db.session, enrolment, attended=True, actor=world.trainer, now=start)
    db.session.commit()
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with pytest.raises(ValidationError, match="already recorded; correct it with a reason"):
        services.mark_attendance(
            db.session, enrolment, attended=False, actor=world.trainer, now=start
        )
    db.session.rollback()
    services.mark_attendance(db.session, enrolment, attended=True, actor=world.trainer, now=start)
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.ATTENDED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audited
    corrections.correct_attendance(
        db.session, enrolment, attended=False, reason="Left at 10:00", actor=world.trainer
    )
    assert enrolment.status == EnrolmentStatus.NO_SHOW
