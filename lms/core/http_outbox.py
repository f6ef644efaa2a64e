"""The HTTP outbox: outgoing requests (xAPI statements to an LRS, webhook deliveries) written
in the caller's transaction, sent after commit by the ``http_outbox.deliver`` job, retried
with back-off.

- ``enqueue`` adds a request (flush only). A ``dedupe_key`` makes it idempotent: enqueueing
  the same key again returns the row already there, so an event that is announced twice is
  sent once.
- ``deliver_due`` sends the pending requests whose time has come. A 2xx answer marks a request
  sent. A network error, a 5xx or one of the "try again" answers (``RETRYABLE_4XX``: 401 and
  403 because credentials are fixed in the configuration, 408, 425, 429) schedules another
  attempt after ``backoff(attempts)`` (1, 2, 4, … minutes, at most six hours); after
  ``max_attempts`` the request is dead. Any other 4xx means the request itself is wrong
  (the receiver will never accept it): it is dead at once, with the status code and the
  start of the answer kept for the admin page (``/admin/http-outbox``), where an admin
  queues it again.
- Secrets are never stored. Just before each attempt the ``outbound_headers`` signal asks the
  channel's listener for the headers to add (Basic credentials, an HMAC signature); they are
  merged into the stored, non-secret headers for that attempt only.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.audit import audited
from lms.core.errors import ConflictError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.core.models import OutboundRequest, OutboundStatus
from lms.core.signals import outbound_headers, values_from_signal

log = logging.getLogger("lms.http_outbox")

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_LIMIT = 200
DEFAULT_TIMEOUT = 10.0
MAX_BACKOFF_MINUTES = 360
# 4xx answers worth another try; every other 4xx is final.
RETRYABLE_4XX = frozenset({401, 403, 408, 425, 429})
SENDABLE_SCHEMES = frozenset({"http", "https"})
_ERROR_LENGTH = 2000


class Undeliverable(Exception):
    """Raised by an ``outbound_headers`` listener when the request can no longer be sent
    (its subscription is gone, its channel is no longer configured), or by the sender for a
    URL it will never send to; the request is dead."""


@dataclass(frozen=True)
class Call:
    """One attempt, as handed to the sender: stored headers merged with the listeners'."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Reply:
    status: int
    text: str = ""


Sender = Callable[[Call], Reply]


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    ids: list[int] = field(default_factory=list)


def enqueue(
    session: Session,
    *,
    channel: str,
    method: str,
    url: str,
    body: str,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    reference: str | None = None,
    dedupe_key: str | None = None,
) -> OutboundRequest:
    """Queue a request in the caller's transaction (flushes; the caller commits)."""
    if dedupe_key is not None:
        existing = session.scalar(
            sa.select(OutboundRequest).where(OutboundRequest.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    outbound = OutboundRequest(
        channel=channel,
        method=method.upper(),
        url=url,
        body=body,
        content_type=content_type,
        headers=dict(headers or {}),
        reference=reference,
        dedupe_key=dedupe_key,
        status=OutboundStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(outbound)
    session.flush()
    return outbound


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, … minutes, at most 6 h."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def urllib_send(call: Call) -> Reply:
    """The default sender (standard library; redirects are followed by urllib for GET only).
    Only http and https: urllib would also open ``file:``, ``ftp:`` and ``data:`` URLs, and a
    stored URL must never make the scheduler read a local file into an outbox row."""
    scheme = urllib.parse.urlsplit(call.url).scheme.lower()
    if scheme not in SENDABLE_SCHEMES:
        raise Undeliverable(f"not an http or https URL ({scheme or 'no scheme'})")
    request = urllib.request.Request(
        call.url, data=call.body or None, headers=call.headers, method=call.method
    )
    try:
        # The scheme is checked above.
        with urllib.request.urlopen(request, timeout=call.timeout) as response:  # nosec B310
            return Reply(response.status, response.read(_ERROR_LENGTH).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        text = error.read(_ERROR_LENGTH).decode("utf-8", "replace") if error.fp else ""
        return Reply(error.code, text)


def _headers_for(session: Session, outbound: OutboundRequest, now: datetime) -> dict[str, str]:
    headers = {str(k): str(v) for k, v in (outbound.headers or {}).items()}
    headers["Content-Type"] = outbound.content_type
    for answer in values_from_signal(outbound_headers.send(session, request=outbound, now=now)):
        headers.update({str(k): str(v) for k, v in answer.items()})
    return headers


def _park(outbound: OutboundRequest, error: str, report: DeliveryReport) -> None:
    outbound.status = OutboundStatus.DEAD
    outbound.last_error = error[:_ERROR_LENGTH]
    report.dead += 1
    log.error(
        "Outbound request %s (%s) is dead after %s attempt(s): %s",
        outbound.id,
        outbound.channel,
        outbound.attempts,
        error[:200],
    )


def _failed(
    outbound: OutboundRequest,
    error: str,
    *,
    now: datetime,
    max_attempts: int,
    final: bool,
    report: DeliveryReport,
) -> None:
    if final or outbound.attempts >= max_attempts:
        _park(outbound, error, report)
        return
    outbound.last_error = error[:_ERROR_LENGTH]
    outbound.next_attempt_at = now + backoff(outbound.attempts)
    report.retrying += 1


def deliver_due(
    session: Session,
    *,
    now: datetime | None = None,
    send: Sender | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
    channel: str | None = None,
) -> DeliveryReport:
    """Try every pending request whose ``next_attempt_at`` has come (oldest first, at most
    ``limit``; of one ``channel`` when given). Outcomes are written to the session; the
    caller commits."""
    now = now or utcnow()
    send = send or urllib_send
    stmt = (
        sa.select(OutboundRequest)
        .where(
            OutboundRequest.status == OutboundStatus.PENDING,
            OutboundRequest.next_attempt_at <= now,
        )
        .order_by(OutboundRequest.next_attempt_at, OutboundRequest.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if channel is not None:
        stmt = stmt.where(OutboundRequest.channel == channel)
    report = DeliveryReport()
    for outbound in session.scalars(stmt).all():
        outbound.attempts += 1
        report.ids.append(outbound.id)
        try:
            headers = _headers_for(session, outbound, now)
        except Undeliverable as reason:
            _park(outbound, f"Undeliverable: {reason}", report)
            continue
        call = Call(
            method=outbound.method,
            url=outbound.url,
            headers=headers,
            body=(outbound.body or "").encode("utf-8"),
            timeout=timeout,
        )
        try:
            reply = send(call)
        except Undeliverable as reason:
            _park(outbound, f"Undeliverable: {reason}", report)
            continue
        except (OSError, http.client.HTTPException, ValueError) as exc:
            outbound.last_status_code = None
            _failed(
                outbound,
                f"{type(exc).__name__}: {exc}",
                now=now,
                max_attempts=max_attempts,
                final=False,
                report=report,
            )
            continue
        outbound.last_status_code = reply.status
        if 200 <= reply.status < 300:
            outbound.status = OutboundStatus.SENT
            outbound.sent_at = now
            outbound.last_error = None
            report.sent += 1
            continue
        final = 400 <= reply.status < 500 and reply.status not in RETRYABLE_4XX
        _failed(
            outbound,
            f"HTTP {reply.status}: {reply.text}".strip(),
            now=now,
            max_attempts=max_attempts,
            final=final,
            report=report,
        )
    return report


def retry_now(session: Session, outbound: OutboundRequest, *, actor: Any) -> None:
    """Queue a dead or waiting request for the next run, with a fresh set of attempts."""
    if outbound.status == OutboundStatus.SENT:
        raise ConflictError(_("This request was delivered already; there is nothing to retry."))
    with audited(
        session,
        outbound,
        ("status", "attempts", "next_attempt_at"),
        actor=actor,
        action="http_outbox.retried",
        summary=f"{outbound.channel}: {outbound.method} {outbound.url}"[:300],
    ):
        outbound.status = OutboundStatus.PENDING
        outbound.attempts = 0
        outbound.next_attempt_at = utcnow()


def json_body(document: Any) -> str:
    """A compact, stable JSON text for a request body."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
