"""Webhook subscriptions (administrators): the admin page's services, so an address is
refused alike on the page and here, and the secret is given once, in the creation's answer."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import DateTime, Function, Integer, List, String
from apiflask.validators import Length, OneOf
from flask import current_app
from flask_login import current_user

from lms.accounts.models import Role
from lms.api.boundary import PageQuery, committed, page_of, page_schema, require_write, token_auth
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.permissions import role_required
from lms.webhooks import services
from lms.webhooks.models import WebhookEvent, WebhookSubscription

EVENTS = [e.value for e in WebhookEvent]
REFUSED = {403: "Not an administrator", 404: "No such subscription"}


class WebhookOut(Schema):
    id = Integer(required=True)
    url = String(required=True)
    description = String(required=True)
    events = Function(lambda s: sorted(e.value for e in s.event_set), required=True)
    active = Function(lambda s: s.is_active, required=True)
    created_at = DateTime(required=True)
    disabled_at = DateTime(allow_none=True)


class WebhookCreatedOut(WebhookOut):
    secret = String(
        required=True,
        metadata={"description": "The signing secret, given in this answer only."},
    )


class WebhookIn(Schema):
    url = String(required=True, validate=Length(min=1, max=services.URL_MAX))
    events = List(String(validate=OneOf(EVENTS)), required=True, validate=Length(min=1))
    description = String(load_default="", validate=Length(max=200))


def _subscription(subscription_id: int) -> WebhookSubscription:
    return db.get_or_404(WebhookSubscription, subscription_id)


@bp.get("/webhooks")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(WebhookOut))
@bp.doc(summary="Webhook subscriptions (administrators)", responses={403: REFUSED[403]})
def webhooks(query: dict):
    return page_of(services.subscriptions_query())


@bp.post("/webhooks")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN)
@bp.input(WebhookIn, location="json", arg_name="body")
@bp.output(WebhookCreatedOut, status_code=201)
@bp.doc(summary="Subscribe an address to events (administrators)", responses=REFUSED)
def create_webhook(body: dict):
    require_write()
    allow_http = bool(current_app.config.get("LMS_WEBHOOK_ALLOW_HTTP"))
    return committed(
        lambda: services.create_subscription(
            db.session, actor=current_user, allow_http=allow_http, **body
        )
    )


@bp.get("/webhooks/<int:subscription_id>")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN)
@bp.output(WebhookOut)
@bp.doc(summary="One webhook subscription", responses=REFUSED)
def webhook(subscription_id: int):
    return _subscription(subscription_id)


@bp.delete("/webhooks/<int:subscription_id>")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Disable a subscription (kept with its history; waiting deliveries parked)",
    responses={**REFUSED, 422: "Already disabled"},
)
def disable_webhook(subscription_id: int):
    require_write()
    subscription = _subscription(subscription_id)
    committed(
        lambda: services.disable_subscription(
            db.session, subscription, actor=current_user, now=clock.now()
        )
    )
    return ""
