"""Webhooks: the subscription rules, one queued delivery per subscriber and event (and none
for a disabled or unsubscribed one), a late milestone delivered once per due date, and real
deliveries to an HTTP receiver on this machine that checks the HMAC signature itself
(computed here with ``hmac``, not with the product's own function)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import http_outbox
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.core.models import OutboundRequest, OutboundStatus
from lms.courses import services as courses
from lms.progress.services.certificates import issue_certificate
from lms.projects import jobs as project_jobs
from lms.projects import services as projects
from lms.webhooks import services as webhooks
from lms.webhooks.models import WebhookEvent, WebhookSubscription
from tests.conftest import csrf_token, login
from tests.courses.fixtures import TODAY, after

ALL_EVENTS = [e.value for e in WebhookEvent]


def _deliveries(subscription=None) -> list[OutboundRequest]:
    stmt = sa.select(OutboundRequest).where(OutboundRequest.channel == "webhook")
    if subscription is not None:
        stmt = stmt.where(OutboundRequest.reference == f"webhook-subscription:{subscription.id}")
    return list(db.session.scalars(stmt.order_by(OutboundRequest.id)))


def _events(subscription=None) -> list[tuple[str, dict]]:
    return [
        (body["event"], body["data"])
        for body in (json.loads(r.body) for r in _deliveries(subscription))
    ]


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="hooks.admin@example.org")


def _subscribe(admin, events, url="https://hr.example.org/hook"):
    subscription = webhooks.create_subscription(db.session, url=url, events=events, actor=admin)
    db.session.commit()
    return subscription


# The rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the address"),
        ("ftp://hr.example.org/hook", "absolute address"),
        ("/relative/hook", "absolute address"),
        ("https://user:pw@hr.example.org/hook", "user name and password"),
        ("http://hr.example.org/hook", "Use https://"),
        ("https://hr.example.org/" + "a" * 500, "longer than 500"),
    ],
)
def test_an_address_is_absolute_https_without_credentials(admin, url, words):
    with pytest.raises(ValidationError, match=words) as refused:
        webhooks.create_subscription(db.session, url=url, events=ALL_EVENTS, actor=admin)
    assert refused.value.field == "url"


def test_plain_http_only_for_this_machine_or_when_allowed(admin):
    assert webhooks.check_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    assert webhooks.check_url("http://hr.internal/hook", allow_http=True)
    with pytest.raises(ValidationError):
        webhooks.check_url("http://hr.internal/hook")


def test_events_must_be_known_and_at_least_one(admin):
    for events, words in (([], "at least one"), (["user.deleted"], "from the list")):
        with pytest.raises(ValidationError, match=words):
            webhooks.create_subscription(
                db.session, url="https://hr.example.org/h", events=events, actor=admin
            )


def test_the_secret_is_long_random_and_replaced_on_request(admin):
    first = _subscribe(admin, ALL_EVENTS)
    second = _subscribe(admin, ALL_EVENTS)
    assert len(first.secret) == 64 and first.secret != second.secret
    old = first.secret
    assert webhooks.rotate_secret(db.session, first, actor=admin) != old
    assert first.secret != old


# Events become deliveries --------------------------------------------------------------------


def test_an_enrolment_is_queued_for_subscribers_only(world, admin, make_user):
    listening = _subscribe(admin, [WebhookEvent.ENROLMENT_CHANGED.value])
    deaf = _subscribe(admin, [WebhookEvent.CERTIFICATE_ISSUED.value], url="https://b.example.org/")
    gone = _subscribe(admin, [WebhookEvent.ENROLMENT_CHANGED.value], url="https://c.example.org/")
    webhooks.disable_subscription(db.session, gone, actor=admin, now=datetime.now(UTC))
    trainee = make_user(Role.TRAINEE, email="hooked.trainee@example.org")
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    events = _events(listening)
    assert [event for event, _data in events] == ["enrolment.changed"] * 2
    assert [(d["previous_status"], d["status"]) for _e, d in events] == [
        (None, "requested"),
        ("requested", enrolment.status.value),
    ]
    assert events[0][1]["user"] == {"id": trainee.id, "email": "hooked.trainee@example.org"}
    assert events[0][1]["course_code"] == world.course_a.code
    assert events[0][1]["enrolment_id"] == enrolment.id
    assert _deliveries(deaf) == [] and _deliveries(gone) == []
    delivery = _deliveries(listening)[0]
    assert delivery.url == "https://hr.example.org/hook" and delivery.method == "POST"
    assert delivery.headers["X-LMS-Event"] == "enrolment.changed"
    assert listening.secret not in json.dumps(delivery.headers) + delivery.body


def test_nothing_is_queued_when_the_change_is_rolled_back(world, admin, make_user):
    _subscribe(admin, [WebhookEvent.ENROLMENT_CHANGED.value])
    trainee = make_user(Role.TRAINEE)
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.rollback()
    assert _deliveries() == []


def test_a_result_and_a_certificate_are_queued(world, admin, make_user):
    subscription = _subscribe(
        admin, [WebhookEvent.RESULT_RECORDED.value, WebhookEvent.CERTIFICATE_ISSUED.value]
    )
    trainee = make_user(Role.TRAINEE)
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    courses.mark_attendance(
        db.session, enrolment, attended=True, actor=world.trainer, now=after(world.session_a)
    )
    assert _events(subscription) == []  # attendance alone is not a result
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal("81.5"),
        passed=True,
        actor=world.trainer,
        today=world.session_a.ends_on,
        now=after(world.session_a),
    )
    certificate = issue_certificate(
        db.session, trainee, world.specialists, today=world.session_a.ends_on, actor=admin
    )
    db.session.commit()
    by_event = dict(_events(subscription))
    assert by_event["result.recorded"]["score"] == "81.5"
    assert by_event["result.recorded"]["passed"] is True
    assert by_event["result.recorded"]["corrected"] is False
    assert by_event["certificate.issued"]["verification_code"] == certificate.verification_code
    assert by_event["certificate.issued"]["track_code"] == world.specialists.code


def test_a_late_milestone_is_delivered_once_per_due_date(make_project, make_user, admin):
    subscription = _subscribe(admin, [WebhookEvent.MILESTONE_LATE.value])
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager, start=date(2025, 1, 1), end=date(2027, 12, 31))
    milestone = projects.add_milestone(
        db.session, project, actor=manager, title="Risk engine live", due_date=date(2026, 5, 20)
    )
    db.session.commit()
    for day in (date(2026, 5, 19), date(2026, 5, 25), date(2026, 5, 26)):
        project_jobs.remind_milestones(db.session, datetime(*day.timetuple()[:3], 6, tzinfo=UTC))
        db.session.commit()
    events = _events(subscription)
    assert [e for e, _d in events] == ["milestone.late"]
    assert events[0][1]["days_late"] == (date(2026, 5, 25) - date(2026, 5, 20)).days
    projects.replan_milestone(
        db.session, milestone, actor=manager, new_date=date(2026, 6, 1), reason="Supplier delay"
    )
    db.session.commit()
    project_jobs.remind_milestones(db.session, datetime(2026, 6, 3, 6, tzinfo=UTC))
    db.session.commit()
    assert [d["due_date"] for _e, d in _events(subscription)] == ["2026-05-20", "2026-06-01"]


def test_disabling_parks_waiting_deliveries_with_the_reason(world, admin, make_user):
    subscription = _subscribe(admin, [WebhookEvent.ENROLMENT_CHANGED.value])
    trainee = make_user(Role.TRAINEE)
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    waiting = len(_deliveries(subscription))
    assert waiting >= 1
    parked = webhooks.disable_subscription(
        db.session, subscription, actor=admin, now=datetime.now(UTC)
    )
    db.session.commit()
    db.session.expire_all()
    assert parked == waiting
    assert {(r.status, r.last_error) for r in _deliveries(subscription)} == {
        (OutboundStatus.DEAD, "Subscription disabled")
    }
    with pytest.raises(ValidationError, match="disabled"):
        webhooks.send_ping(db.session, subscription, actor=admin)


# Real deliveries -----------------------------------------------------------------------------


class _Receiver:
    """An HTTP server on this machine that answers with the status codes it is given, in
    turn, and records what it was sent."""

    def __init__(self, statuses: list[int]):
        self.statuses = statuses
        self.received: list[tuple[Message, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _valid(secret: str, headers: dict, body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["X-LMS-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_a_delivery_is_signed_retried_and_sent(admin):
    with _Receiver([503]) as receiver:
        subscription = _subscribe(admin, ALL_EVENTS, url=receiver.url)
        webhooks.send_ping(db.session, subscription, actor=admin)
        db.session.commit()
        start = datetime.now(UTC)
        http_outbox.deliver_due(db.session, now=start)
        db.session.commit()
        (delivery,) = _deliveries(subscription)
        assert delivery.status == OutboundStatus.PENDING and delivery.attempts == 1
        assert delivery.last_status_code == 503
        # Not due again at once: the back-off holds it.
        http_outbox.deliver_due(db.session, now=start)
        assert len(receiver.received) == 1
        # The secret changes before the retry: the retry is signed with the new one.
        new_secret = webhooks.rotate_secret(db.session, subscription, actor=admin)
        db.session.commit()
        http_outbox.deliver_due(db.session, now=delivery.next_attempt_at + timedelta(seconds=1))
        db.session.commit()
    assert delivery.status == OutboundStatus.SENT and delivery.attempts == 2
    (first_headers, first_body), (headers, body) = receiver.received
    assert first_body == body == delivery.body.encode()
    assert headers["X-LMS-Event"] == "ping"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["data"]["subscription_id"] == subscription.id
    assert _valid(new_secret, headers, body)
    assert not _valid(new_secret, headers, body + b" ")
    assert not _valid(new_secret, first_headers, body)  # signed with the old secret
    assert "X-LMS-Signature" not in delivery.headers  # never stored


def test_the_receivers_check_in_the_readme_accepts_a_fresh_signature_only():
    body = '{"event":"ping"}'
    header = webhooks.sign("s" * 64, body, 1_000_000)
    assert webhooks.verify("s" * 64, body, header, now=1_000_100)
    assert not webhooks.verify("s" * 64, body, header, now=1_000_000 + 301)
    assert not webhooks.verify("t" * 64, body, header, now=1_000_100)
    assert not webhooks.verify("s" * 64, body, "v1=abc", now=1_000_100)


# Pages -------------------------------------------------------------------------------------


def test_an_admin_subscribes_sees_the_secret_once_and_disables(client, admin):
    login(client, admin)
    assert "No subscription yet" in client.get("/admin/webhooks/").text
    response = client.post(
        "/admin/webhooks/new",
        data={
            "csrf_token": csrf_token(client, "/admin/webhooks/new"),
            "url": "https://hr.example.org/<b>hook</b>",
            "description": "HR <script>x</script>",
            "events": ["enrolment.changed", "milestone.late"],
        },
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    subscription = db.session.scalar(sa.select(WebhookSubscription))
    assert subscription.secret in response.text
    listing = client.get("/admin/webhooks/").text
    assert subscription.secret not in listing
    assert "<script>x" not in listing and "HR &lt;script&gt;" in listing
    assert {e.value for e in subscription.event_set} == {"enrolment.changed", "milestone.late"}
    client.post(
        f"/admin/webhooks/{subscription.id}/disable",
        data={"csrf_token": csrf_token(client, "/admin/webhooks/")},
    )
    db.session.expire_all()
    assert not db.session.get(WebhookSubscription, subscription.id).is_active


def test_a_bad_address_is_shown_on_the_form_and_nothing_is_saved(client, admin):
    login(client, admin)
    response = client.post(
        "/admin/webhooks/new",
        data={
            "csrf_token": csrf_token(client, "/admin/webhooks/new"),
            "url": "http://hr.example.org/hook",
            "events": ["enrolment.changed"],
        },
    )
    assert response.status_code == 200
    assert "Use https://" in response.text and 'value="http://hr.example.org/hook"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription)) == 0


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.DIRECTORATE])
def test_only_admins_reach_the_webhook_pages(client, make_user, admin, role):
    subscription = _subscribe(admin, ALL_EVENTS)
    login(client, make_user(role))
    assert client.get("/admin/webhooks/").status_code == 403
    assert client.get(f"/admin/webhooks/{subscription.id}/edit").status_code == 403
    token = csrf_token(client, "/auth/reset")
    for action in ("ping", "secret", "disable"):
        assert (
            client.post(f"/admin/webhooks/{subscription.id}/{action}", data={"csrf_token": token})
        ).status_code == 403
    assert _deliveries() == [] and subscription.is_active


def test_the_list_downloads_as_csv_without_secrets(client, admin, world, make_user):
    subscription = webhooks.create_subscription(
        db.session,
        url="https://hr.example.org/hook",
        events=[WebhookEvent.ENROLMENT_CHANGED.value],
        description="=HYPERLINK(1)",
        actor=admin,
    )
    db.session.commit()
    trainee = make_user(Role.TRAINEE)
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    pending = len(_deliveries(subscription))
    login(client, admin)
    response = client.get("/admin/webhooks/?format=csv")
    assert response.mimetype == "text/csv" and "no-store" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    assert subscription.secret not in text
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["Address"] == "https://hr.example.org/hook"
    assert row["Description"] == "'=HYPERLINK(1)"
    assert row["Events"] == "enrolment.changed"
    assert (row["Pending"], row["Sent"]) == (str(pending), "0")
