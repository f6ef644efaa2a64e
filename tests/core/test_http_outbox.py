"""The HTTP outbox: back-off, dead letters, dedupe, headers from listeners (never stored), a
real HTTP server on loopback for the default sender, and the admin page."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import http_outbox
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboundRequest, OutboundStatus
from lms.core.signals import outbound_headers
from lms.scheduler.registry import JOBS
from tests.conftest import post_form

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


class Recorder:
    """A sender that records each call and answers from a script of replies or exceptions."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[http_outbox.Call] = []

    def __call__(self, call):
        self.calls.append(call)
        answer = self.answers.pop(0) if self.answers else http_outbox.Reply(200)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _queue(**kw) -> OutboundRequest:
    values = {
        "channel": "test",
        "method": "POST",
        "url": "http://lrs.example.org/xAPI/statements",
        "body": '{"a": 1}',
    }
    values.update(kw)
    outbound = http_outbox.enqueue(db.session, **values)
    outbound.next_attempt_at = T0
    db.session.commit()
    return outbound


def test_enqueue_stores_the_request_and_a_repeated_dedupe_key_returns_the_same_row(app):
    first = _queue(dedupe_key="xapi:abc", headers={"X-Trace": "1"}, reference="lrs")
    again = http_outbox.enqueue(
        db.session,
        channel="test",
        method="post",
        url="http://other",
        body="{}",
        dedupe_key="xapi:abc",
    )
    assert again.id == first.id
    db.session.commit()
    rows = db.session.scalars(sa.select(OutboundRequest)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.method, row.status, row.attempts, row.headers, row.reference) == (
        "POST",
        OutboundStatus.PENDING,
        0,
        {"X-Trace": "1"},
        "lrs",
    )
    assert row.content_type == "application/json"


def test_failures_back_off_exponentially_and_the_request_is_dead_after_max_attempts(app):
    outbound = _queue()
    send = Recorder(*([ConnectionRefusedError("refused")] * 5))
    now = T0
    expected_waits = [1, 2, 4, 8]  # minutes: 2 ** (n - 1) after the n-th failure
    for attempt, wait in enumerate(expected_waits, start=1):
        report = http_outbox.deliver_due(db.session, now=now, send=send, max_attempts=5)
        db.session.commit()
        assert (report.sent, report.retrying, report.dead) == (0, 1, 0)
        assert outbound.attempts == attempt
        assert outbound.next_attempt_at == now + timedelta(minutes=wait)
        assert "ConnectionRefusedError: refused" in outbound.last_error
        # Nothing is tried before its time.
        early = http_outbox.deliver_due(
            db.session, now=now + timedelta(minutes=wait, seconds=-1), send=send, max_attempts=5
        )
        assert early.ids == []
        now += timedelta(minutes=wait)
    report = http_outbox.deliver_due(db.session, now=now, send=send, max_attempts=5)
    db.session.commit()
    assert report.dead == 1 and outbound.status == OutboundStatus.DEAD and outbound.attempts == 5
    assert len(send.calls) == 5
    assert http_outbox.deliver_due(db.session, now=now + timedelta(days=9), send=send).ids == []


def test_the_back_off_is_capped_at_six_hours():
    assert [http_outbox.backoff(n) for n in (1, 2, 3, 9, 10, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=256),
        timedelta(minutes=360),
        timedelta(minutes=360),
    ]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, OutboundStatus.SENT),
        (204, OutboundStatus.SENT),
        (500, OutboundStatus.PENDING),
        (503, OutboundStatus.PENDING),
        (429, OutboundStatus.PENDING),
        (408, OutboundStatus.PENDING),
        (401, OutboundStatus.PENDING),
        (400, OutboundStatus.DEAD),
        (404, OutboundStatus.DEAD),
        (409, OutboundStatus.DEAD),
        (302, OutboundStatus.PENDING),
    ],
)
def test_the_answer_decides_sent_retry_or_dead_at_once(app, status, outcome):
    outbound = _queue()
    send = Recorder(http_outbox.Reply(status, "why not"))
    http_outbox.deliver_due(db.session, now=T0, send=send)
    db.session.commit()
    assert outbound.status == outcome and outbound.attempts == 1
    assert outbound.last_status_code == status
    if outcome == OutboundStatus.SENT:
        assert outbound.sent_at == T0 and outbound.last_error is None
    else:
        assert outbound.last_error == f"HTTP {status}: why not"


def test_listener_headers_are_merged_for_the_attempt_and_never_stored(app):
    outbound = _queue(headers={"X-Trace": "t1"}, reference="ref:1")
    seen = []

    def answer(sender, request, now):
        seen.append((request.id, request.reference, now))
        if request.channel != "test":
            return None
        return {"Authorization": "Basic c2VjcmV0", "X-Trace": "overridden"}

    def other(sender, request, now):
        return None

    outbound_headers.connect(answer)
    outbound_headers.connect(other)
    try:
        send = Recorder()
        http_outbox.deliver_due(db.session, now=T0, send=send)
        db.session.commit()
    finally:
        outbound_headers.disconnect(answer)
        outbound_headers.disconnect(other)
    assert seen == [(outbound.id, "ref:1", T0)]
    (call,) = send.calls
    assert call.headers == {
        "X-Trace": "overridden",
        "Authorization": "Basic c2VjcmV0",
        "Content-Type": "application/json",
    }
    assert call.body == b'{"a": 1}' and call.method == "POST"
    db.session.expire_all()
    stored = db.session.get(OutboundRequest, outbound.id)
    assert stored.headers == {"X-Trace": "t1"}
    raw = db.session.execute(sa.text("SELECT headers FROM outbound_requests")).scalar_one()
    assert "c2VjcmV0" not in json.dumps(raw)


def test_a_listener_refusing_the_request_parks_it_dead(app):
    outbound = _queue()

    def refuse(sender, request, now):
        raise http_outbox.Undeliverable("subscription deleted")

    outbound_headers.connect(refuse)
    try:
        send = Recorder()
        http_outbox.deliver_due(db.session, now=T0, send=send)
        db.session.commit()
    finally:
        outbound_headers.disconnect(refuse)
    assert send.calls == []
    assert outbound.status == OutboundStatus.DEAD
    assert outbound.last_error == "Undeliverable: subscription deleted"


class _Handler(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, dict(self.headers), body))
        self.send_response(204 if self.path == "/ok" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_default_sender_talks_http_and_waits_while_the_server_is_down(app):
    port = _free_port()
    outbound = _queue(url=f"http://127.0.0.1:{port}/ok", body='{"x":"é"}', headers={"X-A": "b"})
    http_outbox.deliver_due(db.session, now=T0, timeout=2)
    db.session.commit()
    assert outbound.status == OutboundStatus.PENDING and outbound.attempts == 1
    assert outbound.last_status_code is None and "refused" in outbound.last_error.lower()

    _Handler.received = []
    server = HTTPServer(("127.0.0.1", port), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        failing = _queue(url=f"http://127.0.0.1:{port}/down")
        http_outbox.deliver_due(db.session, now=T0 + timedelta(hours=1), timeout=2)
        db.session.commit()
    finally:
        server.shutdown()
        server.server_close()
    assert outbound.status == OutboundStatus.SENT and outbound.last_status_code == 204
    assert failing.status == OutboundStatus.PENDING and failing.last_status_code == 503
    assert sorted(path for path, _h, _b in _Handler.received) == ["/down", "/ok"]
    _path, headers, body = next(r for r in _Handler.received if r[0] == "/ok")
    assert body == '{"x":"é"}'.encode()
    assert headers["X-A"] == "b" and headers["Content-Type"] == "application/json"


def test_the_job_is_registered_every_minute_and_delivers(app, monkeypatch):
    definition = JOBS["http_outbox.deliver"]
    assert definition.interval_seconds == 60
    outbound = _queue()
    sent = Recorder()
    monkeypatch.setattr(http_outbox, "urllib_send", sent)
    result = definition.func(db.session, T0)
    db.session.commit()
    assert outbound.status == OutboundStatus.SENT and len(sent.calls) == 1
    assert result.summary == "1 sent, 0 waiting, 0 dead"


def test_admin_page_lists_filters_and_retries_with_confirmation(app, client, logged_in):
    admin = logged_in(Role.ADMIN)
    dead = _queue(url="http://lrs.example.org/dead", channel="xapi")
    dead.status, dead.attempts, dead.last_error = OutboundStatus.DEAD, 10, "HTTP 500: <b>boom</b>"
    sent = _queue(url="http://hooks.example.org/sent", channel="webhook")
    sent.status = OutboundStatus.SENT
    db.session.commit()

    page = client.get("/admin/http-outbox").get_data(as_text=True)
    assert "http://lrs.example.org/dead" in page and "http://hooks.example.org/sent" in page
    assert "&lt;b&gt;boom&lt;/b&gt;" in page and "<b>boom" not in page
    assert 'data-confirm="Send this request again now' in page
    only_dead = client.get("/admin/http-outbox?status=dead").get_data(as_text=True)
    assert "lrs.example.org/dead" in only_dead and "hooks.example.org/sent" not in only_dead

    assert client.post(f"/admin/http-outbox/{dead.id}/retry").status_code == 400  # no CSRF
    response = post_form(client, f"/admin/http-outbox/{dead.id}/retry?status=dead")
    assert response.status_code == 302 and response.location.endswith(
        "/admin/http-outbox?status=dead"
    )
    db.session.expire_all()
    dead = db.session.get(OutboundRequest, dead.id)
    assert dead.status == OutboundStatus.PENDING and dead.attempts == 0
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "http_outbox.retried")
    )
    assert entry.actor_id == admin.id

    post_form(client, f"/admin/http-outbox/{sent.id}/retry")
    db.session.expire_all()
    assert db.session.get(OutboundRequest, sent.id).status == OutboundStatus.SENT
    assert client.post("/admin/http-outbox/999999/retry").status_code in (400, 404)


def test_admin_page_in_french(app, client, logged_in):
    logged_in(Role.ADMIN, preferred_language="fr")
    _queue()
    page = client.get("/admin/http-outbox").get_data(as_text=True)
    assert "Boîte d'envoi HTTP" in page
    assert "Réessayer maintenant" in page


@pytest.mark.parametrize(
    "role", [Role.TRAINER, Role.DIRECTORATE, Role.TRAINEE, Role.PROJECT_MANAGER]
)
def test_only_admins_reach_the_page(app, client, logged_in, role):
    outbound = _queue()
    logged_in(role)
    assert client.get("/admin/http-outbox").status_code == 403
    assert post_form(client, f"/admin/http-outbox/{outbound.id}/retry").status_code == 403


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://127.0.0.1/x", "data:,secret"])
def test_the_default_sender_refuses_every_scheme_but_http_and_https(app, url):
    """urllib opens file:, ftp: and data: URLs too: a stored URL of that kind is dead at once,
    and nothing it names is read into the row."""
    outbound = _queue(url=url)
    http_outbox.deliver_due(db.session, now=T0, timeout=2)
    db.session.commit()
    assert outbound.status == OutboundStatus.DEAD and outbound.attempts == 1
    scheme = url.partition(":")[0]
    assert outbound.last_error == f"Undeliverable: not an http or https URL ({scheme})"
    assert outbound.last_status_code is None
