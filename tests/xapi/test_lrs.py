"""Against a real LRS (Ralph): a result recorded on the roster page becomes xAPI statements
that the LRS stores and Ralph's statement models accept; while the LRS is down they wait in
the HTTP outbox and arrive when it is back."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core import clock, http_outbox
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboundRequest, OutboundStatus
from lms.courses import services as courses
from lms.courses.models import SessionEnrolment
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY, after
from tests.xapi.ralph import PASSWORD

pytestmark = pytest.mark.lrs

ADL = "http://adlnet.gov/expapi/verbs/"


def _xapi_requests() -> list[OutboundRequest]:
    return list(
        db.session.scalars(
            sa.select(OutboundRequest)
            .where(OutboundRequest.channel == "xapi")
            .order_by(OutboundRequest.id)
        )
    )


def _enrol(world, make_user, email="nadia@example.org"):
    from lms.accounts.models import Role

    trainee = make_user(Role.TRAINEE, email=email, full_name="Nadia Trainee")
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    return trainee, enrolment


def test_a_result_recorded_on_the_roster_reaches_the_lrs_as_valid_statements(
    client, world, make_user, lrs_config, monkeypatch
):
    ralph = lrs_config
    trainee, enrolment = _enrol(world, make_user)
    monkeypatch.setattr(clock, "now", lambda: after(world.session_a))
    login(client, world.trainer)
    response = post_form(
        client, f"/enrolments/{enrolment.id}/result", {"score": "88", "passed": "yes"}
    )
    assert response.status_code == 302

    queued = _xapi_requests()
    bodies = [json.loads(r.body) for r in queued]
    assert [b["verb"]["id"] for b in bodies] == [
        ADL + "registered",
        ADL + "scored",  # the pass rates Data quality (the course's outcome is "rate")
        ADL + "completed",
        ADL + "passed",
    ]
    for request in queued:  # the credentials are asked at send time, never stored
        assert "Authorization" not in request.headers
        assert PASSWORD not in request.body
        assert request.url == ralph.url + "statements"

    report = http_outbox.deliver_due(db.session, now=utcnow())
    db.session.commit()
    assert (report.sent, report.retrying, report.dead) == (4, 0, 0), [r.last_error for r in queued]

    stored = {s["id"]: s for s in ralph.statements(agent=f'{{"mbox":"mailto:{trainee.email}"}}')}
    assert set(stored) == {b["id"] for b in bodies}
    registration = str(db.session.get(SessionEnrolment, enrolment.id).registration)
    course_iri = "http://localhost/xapi/activities/course/DQ101"
    passed = next(s for s in stored.values() if s["verb"]["id"] == ADL + "passed")
    assert passed["actor"]["mbox"] == "mailto:nadia@example.org"
    assert passed["object"]["id"] == course_iri
    assert passed["result"]["success"] is True and passed["result"]["completion"] is True
    assert passed["result"]["score"] == {"scaled": 0.88, "raw": 88.0, "min": 0, "max": 100}
    context = passed["context"]
    assert context["registration"] == registration
    assert context["platform"] == "Capacity LMS" and context["language"] == "en"
    assert context["contextActivities"]["parent"][0]["id"] == (
        f"http://localhost/xapi/activities/session/{world.session_a.id}"
    )
    assert [a["id"] for a in context["contextActivities"]["grouping"]] == [
        f"http://localhost/xapi/activities/track/{world.specialists.id}"
    ]
    registered = next(s for s in stored.values() if s["verb"]["id"] == ADL + "registered")
    assert registered["context"]["registration"] == registration
    scored = next(s for s in stored.values() if s["verb"]["id"] == ADL + "scored")
    practitioner = world.levels["Practitioner"]
    top = max(level.position for level in world.levels.values())
    assert scored["object"]["id"] == (
        f"http://localhost/xapi/activities/competency/{world.quality.uuid}"
    )
    assert scored["result"]["score"]["raw"] == practitioner.position
    assert scored["result"]["score"]["max"] == top

    assert ralph.validate(list(stored.values())) == []
    assert ralph.validate(bodies) == []
    # The validator does refuse a statement that is not xAPI (the control).
    broken = dict(bodies[0], actor={"mbox": "nadia@example.org"})
    assert len(ralph.validate([broken])) == 1


def test_statements_wait_while_the_lrs_is_down_and_arrive_when_it_returns(
    client, world, make_user, lrs_config, monkeypatch
):
    ralph = lrs_config
    _trainee, enrolment = _enrol(world, make_user, email="omar@example.org")
    moment = after(world.session_a)
    monkeypatch.setattr(clock, "now", lambda: moment)
    login(client, world.trainer)
    ralph.stop()
    try:
        assert (
            post_form(
                client, f"/enrolments/{enrolment.id}/result", {"score": "40", "passed": "no"}
            ).status_code
            == 302
        )
        queued = _xapi_requests()
        assert len(queued) == 3  # registered, completed, failed (a fail rates nothing)
        now = utcnow()
        for attempt in (1, 2):
            report = http_outbox.deliver_due(db.session, now=now, timeout=2)
            db.session.commit()
            assert (report.sent, report.retrying) == (0, 3)
            for request in queued:
                assert request.status == OutboundStatus.PENDING
                assert request.attempts == attempt
                assert "refused" in request.last_error.lower()
            now = max(r.next_attempt_at for r in queued)
    finally:
        ralph.start()
    report = http_outbox.deliver_due(db.session, now=now)
    db.session.commit()
    assert report.sent == 3
    assert all(r.status == OutboundStatus.SENT and r.last_status_code == 200 for r in queued)
    stored = ralph.statements(agent='{"mbox":"mailto:omar@example.org"}')
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in stored)
    assert verbs == ["completed", "failed", "registered"]
    failed = next(s for s in stored if s["verb"]["id"] == ADL + "failed")
    assert failed["result"]["success"] is False
    assert failed["result"]["score"]["scaled"] == 0.4
    assert ralph.validate(stored) == []
    # Sending again what the LRS already has is harmless: the same ids, accepted (204).
    for request in queued:
        request.status, request.next_attempt_at = OutboundStatus.PENDING, now
    db.session.commit()
    assert http_outbox.deliver_due(db.session, now=now + timedelta(seconds=1)).sent == 3
    assert len(ralph.statements(agent='{"mbox":"mailto:omar@example.org"}')) == 3
