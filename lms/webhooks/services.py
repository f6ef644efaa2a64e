"""Webhook subscriptions and their deliveries.

An event becomes one outbox request per active subscription to it, written in the
transaction of the change (so a rolled-back change sends nothing) and delivered by the HTTP
outbox's job with retries and back-off. The signature is computed when each attempt is sent
(``signature_headers``), from the subscription's secret, which the outbox never stores.

Signature: ``X-LMS-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``. The
receiver recomputes it with the shared secret and refuses a stale ``t`` (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import record_change
from lms.core.errors import ValidationError
from lms.core.http_outbox import Undeliverable, enqueue
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.core.models import OutboundRequest, OutboundStatus
from lms.courses.models import SessionEnrolment
from lms.progress.models import Certificate
from lms.projects.models import Milestone
from lms.webhooks.models import WebhookEvent, WebhookSubscription, WebhookSubscriptionEvent

CHANNEL = "webhook"
SIGNATURE_HEADER = "X-LMS-Signature"
# The hosts a plain-http address may name: a receiver on this machine (tests, a local relay).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
URL_MAX = 500


def _reference(subscription_id: int) -> str:
    return f"webhook-subscription:{subscription_id}"


def _subscription_id(reference: str | None) -> int | None:
    prefix, _sep, number = (reference or "").partition(":")
    return int(number) if prefix == "webhook-subscription" and number.isdigit() else None


# Subscriptions ---------------------------------------------------------------------------


def check_url(url: str, *, allow_http: bool = False) -> str:
    """An absolute http(s) address with a host and no credentials in it (a secret in an
    address ends up in logs); plain http only for this machine unless the setting allows it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Enter the address to post to."), field="url")
    if len(url) > URL_MAX:
        raise ValidationError(
            _("The address is longer than %(n)s characters.", n=URL_MAX), field="url"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an absolute address starting with https://."), field="url")
    if parts.username or parts.password:
        raise ValidationError(
            _("Leave the user name and password out of the address: deliveries are signed."),
            field="url",
        )
    if parts.scheme == "http" and not allow_http and parts.hostname not in LOCAL_HOSTS:
        raise ValidationError(_("Use https:// for an address on another machine."), field="url")
    return url


def _events(values: Iterable[str]) -> list[WebhookEvent]:
    try:
        events = sorted({WebhookEvent(value) for value in values})
    except ValueError:
        raise ValidationError(_("Choose events from the list."), field="events") from None
    if not events:
        raise ValidationError(_("Choose at least one event."), field="events")
    return events


def _new_secret() -> str:
    return secrets.token_hex(32)


def create_subscription(
    session: Session,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    actor: User,
    allow_http: bool = False,
) -> WebhookSubscription:
    """A new subscription with a fresh secret (the caller shows it once)."""
    subscription = WebhookSubscription(
        url=check_url(url, allow_http=allow_http),
        description=(description or "").strip()[:200],
        secret=_new_secret(),
        created_by_id=actor.id,
    )
    subscription.events = [WebhookSubscriptionEvent(event=e) for e in _events(events)]
    session.add(subscription)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="webhook.created",
        entity=subscription,
        after={"url": subscription.url, "events": [e.value for e in _events(events)]},
        summary=subscription.url,
    )
    return subscription


def update_subscription(
    session: Session,
    subscription: WebhookSubscription,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    actor: User,
    allow_http: bool = False,
) -> None:
    _check_active(subscription)
    before = _picture(subscription)
    subscription.url = check_url(url, allow_http=allow_http)
    subscription.description = (description or "").strip()[:200]
    wanted = set(_events(events))
    subscription.events = [link for link in subscription.events if link.event in wanted] + [
        WebhookSubscriptionEvent(event=e) for e in sorted(wanted - subscription.event_set)
    ]
    session.flush()
    record_change(
        session,
        actor=actor,
        action="webhook.updated",
        entity=subscription,
        before=before,
        after=_picture(subscription),
        summary=subscription.url,
    )


def _picture(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "description": subscription.description,
        "events": sorted(e.value for e in subscription.event_set),
    }


def _check_active(subscription: WebhookSubscription) -> None:
    if not subscription.is_active:
        raise ValidationError(_("This subscription is disabled."))


def rotate_secret(session: Session, subscription: WebhookSubscription, *, actor: User) -> str:
    """A new secret; deliveries still waiting are signed with it when they are sent."""
    _check_active(subscription)
    subscription.secret = _new_secret()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="webhook.secret_replaced",
        entity=subscription,
        summary=subscription.url,
    )
    return subscription.secret


def disable_subscription(
    session: Session, subscription: WebhookSubscription, *, actor: User, now: datetime
) -> int:
    """Stop deliveries: the subscription is kept (its history stays readable) and the
    requests still waiting for it are parked as dead, with the reason. Returns how many."""
    _check_active(subscription)
    subscription.disabled_at = now
    parked = session.execute(
        sa.update(OutboundRequest)
        .where(
            OutboundRequest.channel == CHANNEL,
            OutboundRequest.reference == _reference(subscription.id),
            OutboundRequest.status == OutboundStatus.PENDING,
        )
        .values(status=OutboundStatus.DEAD, last_error="Subscription disabled")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    record_change(
        session,
        actor=actor,
        action="webhook.disabled",
        entity=subscription,
        before={"active": True},
        after={"active": False},
        summary=f"{subscription.url}: {parked} waiting delivery(ies) parked",
    )
    return parked or 0


def subscriptions_query() -> sa.Select:
    return sa.select(WebhookSubscription).order_by(
        WebhookSubscription.disabled_at.is_not(None), WebhookSubscription.id.desc()
    )


def subscriptions_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list[Any]]]:
    """The list page's CSV: the subscriptions as listed, never their secrets."""
    counts = delivery_counts(session)
    header = [_("Address"), _("Description"), _("Events"), _("Status"), _("Created")]
    header += [_("Disabled"), _("Pending"), _("Sent"), _("Undeliverable")]
    rows = [
        [
            s.url,
            s.description,
            ", ".join(sorted(e.value for e in s.event_set)),
            _("Active") if s.is_active else _("Disabled"),
            s.created_at,
            s.disabled_at,
            *(counts.get((s.id, status), 0) for status in OutboundStatus),
        ]
        for s in session.scalars(stmt)
    ]
    return header, rows


def delivery_counts(session: Session) -> dict[tuple[int, OutboundStatus], int]:
    """Deliveries per subscription and status, for the list page (one statement)."""
    rows = session.execute(
        sa.select(OutboundRequest.reference, OutboundRequest.status, sa.func.count())
        .where(OutboundRequest.channel == CHANNEL)
        .group_by(OutboundRequest.reference, OutboundRequest.status)
    )
    counts: dict[tuple[int, OutboundStatus], int] = {}
    for reference, status, count in rows:
        subscription_id = _subscription_id(reference)
        if subscription_id is not None:
            counts[(subscription_id, status)] = count
    return counts


# Events ----------------------------------------------------------------------------------


def _subscribers(session: Session, event: WebhookEvent) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            sa.select(WebhookSubscription)
            .join(WebhookSubscriptionEvent)
            .where(
                WebhookSubscriptionEvent.event == event,
                WebhookSubscription.disabled_at.is_(None),
            )
            .order_by(WebhookSubscription.id)
        )
    )


def _body(event: str, delivery: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    return json.dumps(
        {"id": delivery, "event": event, "occurred_at": occurred_at.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def _post(
    session: Session,
    subscription: WebhookSubscription,
    event: str,
    data: dict[str, Any],
    *,
    once: str | None = None,
) -> OutboundRequest:
    """One delivery to one subscription. ``once`` names the occurrence for events a job
    announces again every day (a late milestone): the outbox keeps the first only."""
    delivery = str(uuid.uuid4())
    return enqueue(
        session,
        channel=CHANNEL,
        method="POST",
        url=subscription.url,
        body=_body(event, delivery, utcnow(), data),
        headers={"X-LMS-Event": event, "X-LMS-Delivery": delivery},
        reference=_reference(subscription.id),
        dedupe_key=f"webhook:{subscription.id}:{once}" if once else None,
    )


def publish(
    session: Session,
    event: WebhookEvent,
    data: Callable[[], dict[str, Any]],
    *,
    once: str | None = None,
) -> int:
    """Queue ``event`` for every active subscription to it; returns how many were queued.
    ``data`` is called only when someone subscribes (and after the query has flushed the
    change, so new rows have their ids)."""
    subscribers = _subscribers(session, event)
    if subscribers:
        payload = data()
        for subscription in subscribers:
            _post(session, subscription, event.value, payload, once=once)
    return len(subscribers)


def send_ping(session: Session, subscription: WebhookSubscription, *, actor: User) -> None:
    """A test delivery the administrator asks for, to check the receiver and its secret."""
    _check_active(subscription)
    _post(session, subscription, "ping", {"subscription_id": subscription.id, "by": actor.email})


def _person(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email}


def enrolment_data(enrolment: SessionEnrolment, previous: str | None) -> dict[str, Any]:
    course_session = enrolment.session
    return {
        "enrolment_id": enrolment.id,
        "session_id": course_session.id,
        "course_code": course_session.course.code,
        "user": _person(enrolment.user),
        "status": enrolment.status.value,
        "previous_status": previous,
    }


def result_data(enrolment: SessionEnrolment, *, corrected: bool) -> dict[str, Any]:
    return {
        "enrolment_id": enrolment.id,
        "session_id": enrolment.session.id,
        "course_code": enrolment.session.course.code,
        "user": _person(enrolment.user),
        "status": enrolment.status.value,
        "score": None if enrolment.score is None else str(enrolment.score),
        "passed": enrolment.passed,
        "corrected": corrected,
    }


def certificate_data(certificate: Certificate) -> dict[str, Any]:
    return {
        "certificate_id": certificate.id,
        "user": _person(certificate.user),
        "track_code": certificate.track.code,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "verification_code": certificate.verification_code,
    }


def milestone_data(milestone: Milestone, today: date) -> dict[str, Any]:
    return {
        "milestone_id": milestone.id,
        "project_id": milestone.project_id,
        "project_code": milestone.project.code,
        "title": milestone.title,
        "due_date": milestone.due_date.isoformat(),
        "days_late": (today - milestone.due_date).days,
        "status": milestone.status.value,
    }


# Signatures ------------------------------------------------------------------------------


def sign(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body.encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: str, header: str, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (documented in the README, used by the tests' receiver)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def signature_headers(session: Session, request: OutboundRequest, now: datetime) -> dict | None:
    """The ``outbound_headers`` answer for a webhook delivery, signed on each attempt; a
    delivery whose subscription was disabled since it was queued (an admin's retry) is not
    sent."""
    if request.channel != CHANNEL:
        return None
    subscription_id = _subscription_id(request.reference)
    subscription = session.get(WebhookSubscription, subscription_id) if subscription_id else None
    if subscription is None or not subscription.is_active:
        raise Undeliverable("the webhook subscription is disabled")
    return {SIGNATURE_HEADER: sign(subscription.secret, request.body, int(now.timestamp()))}
