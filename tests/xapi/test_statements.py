"""The outgoing statements without an LRS: when they are queued, their ids, the credentials
answered at send time, the course's activity IRI."""

from __future__ import annotations

import base64
import json
import uuid

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import http_outbox
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.models import OutboundRequest, OutboundStatus
from lms.courses import services as courses
from lms.xapi import statements
from tests.courses.fixtures import TODAY


def _configure(app, url="http://lrs.example.org/xAPI/"):
    app.config.update(
        LMS_XAPI_LRS_URL=url, LMS_XAPI_LRS_USERNAME="lms", LMS_XAPI_LRS_PASSWORD="s3cret"
    )


def _rows():
    return list(db.session.scalars(sa.select(OutboundRequest).order_by(OutboundRequest.id)))


def test_nothing_is_queued_without_a_complete_lrs_configuration(app, world, make_user):
    app.config.update(LMS_XAPI_LRS_URL="http://lrs.example.org/xAPI/", LMS_XAPI_LRS_USERNAME="")
    trainee = make_user(Role.TRAINEE)
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    assert _rows() == []


def test_an_enrolment_is_registered_once_with_its_registration_uuid(app, world, make_user):
    _configure(app)
    trainee = make_user(Role.TRAINEE, email="amina@example.org")
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    assert isinstance(enrolment.registration, uuid.UUID)
    (row,) = _rows()
    assert row.channel == "xapi" and row.method == "POST"
    assert row.url == "http://lrs.example.org/xAPI/statements"
    body = json.loads(row.body)
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/registered"
    assert body["context"]["registration"] == str(enrolment.registration)
    assert body["object"]["id"] == "http://localhost/xapi/activities/course/DQ101"
    assert row.dedupe_key == f"xapi:{body['id']}"
    # The same event announced again is the same statement: queued once.
    statements.on_enrolment_changed(db.session, enrolment=enrolment)
    db.session.commit()
    assert len(_rows()) == 1
    # Its id is a UUID 5 of the event on this installation, computed independently here.
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "http://localhost/xapi")
    key = f"registered:{enrolment.registration}:{len(enrolment.events)}"
    assert body["id"] == str(uuid.uuid5(namespace, key))
    # A second trainee's registration differs.
    other = make_user(Role.TRAINEE, email="bo@example.org")
    second = courses.request_enrolment(db.session, world.session_a, other, actor=other, today=TODAY)
    assert second.registration != enrolment.registration


def test_the_listener_answers_basic_credentials_for_xapi_requests_only(app, world):
    _configure(app)
    xapi = http_outbox.enqueue(
        db.session, channel="xapi", method="POST", url="http://lrs.example.org/", body="{}"
    )
    hook = http_outbox.enqueue(
        db.session, channel="elsewhere", method="POST", url="http://hooks.example.org/", body="{}"
    )
    assert statements.lrs_headers(db.session, request=hook, now=utcnow()) is None
    answer = statements.lrs_headers(db.session, request=xapi, now=utcnow())
    assert answer == {
        "Authorization": "Basic " + base64.b64encode(b"lms:s3cret").decode(),
        "X-Experience-API-Version": "1.0.3",
    }
    sent = []
    http_outbox.deliver_due(
        db.session,
        now=utcnow(),
        send=lambda call: sent.append(call) or http_outbox.Reply(200),
    )
    by_url = {call.url: call.headers for call in sent}
    assert by_url["http://lrs.example.org/"]["Authorization"].startswith("Basic ")
    assert "Authorization" not in by_url["http://hooks.example.org/"]
    assert xapi.headers == {}


def test_a_statement_waiting_when_the_credentials_are_removed_is_dead(app, world):
    _configure(app)
    xapi = http_outbox.enqueue(
        db.session, channel="xapi", method="POST", url="http://lrs.example.org/", body="{}"
    )
    app.config.update(LMS_XAPI_LRS_PASSWORD="")
    http_outbox.deliver_due(db.session, now=utcnow(), send=lambda call: http_outbox.Reply(200))
    assert xapi.status == OutboundStatus.DEAD
    assert "LMS_XAPI_LRS_PASSWORD" in xapi.last_error


def test_course_activity_iri_round_trip(app, world):
    iri = courses.course_activity_iri(world.course_a)
    assert iri == "http://localhost/xapi/activities/course/DQ101"
    assert courses.course_for_activity(db.session, iri) == world.course_a
    assert courses.course_for_activity(db.session, iri + "/x") is None
    assert (
        courses.course_for_activity(db.session, "http://other/xapi/activities/course/DQ101") is None
    )
    assert (
        courses.course_for_activity(db.session, "http://localhost/xapi/activities/course/NOPE")
        is None
    )


def test_a_corrected_result_sends_its_new_statements(app, world, make_user, monkeypatch):
    from decimal import Decimal

    from lms.core import clock
    from lms.courses.services.corrections import correct_result
    from tests.courses.fixtures import after

    _configure(app)
    trainee = make_user(Role.TRAINEE, email="yan@example.org")
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    monkeypatch.setattr(clock, "now", lambda: after(world.session_a))
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal("45"),
        passed=False,
        actor=world.trainer,
        today=TODAY,
        now=after(world.session_a),
    )
    db.session.commit()
    correct_result(
        db.session,
        enrolment,
        score=Decimal("75"),
        passed=True,
        reason="Marking error",
        actor=world.trainer,
        today=TODAY,
    )
    db.session.commit()
    verbs = [json.loads(r.body)["verb"]["id"].rsplit("/", 1)[1] for r in _rows()]
    assert verbs[:3] == ["registered", "completed", "failed"]
    assert "passed" in verbs[3:] and verbs[3:].count("completed") == 1
    passed = next(json.loads(r.body) for r in _rows() if "verbs/passed" in r.body)
    assert passed["result"]["score"]["scaled"] == 0.75
    assert len({json.loads(r.body)["id"] for r in _rows()}) == len(verbs)
