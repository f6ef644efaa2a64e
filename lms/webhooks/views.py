"""Admin pages for webhook subscriptions. Thin: parse the form, call the service, commit
once through ``commit_or_report``, render. The secret is shown once, on the answer to the
request that made it, and that answer is never cached."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.core import clock
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.i18n import _
from lms.core.pagination import paginate
from lms.core.permissions import role_required
from lms.core.ratelimit import export_limited
from lms.webhooks import services
from lms.webhooks.forms import SubscriptionForm
from lms.webhooks.models import WebhookSubscription

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _subscription(subscription_id: int) -> WebhookSubscription:
    return db.get_or_404(WebhookSubscription, subscription_id)


def _allow_http() -> bool:
    return bool(current_app.config.get("LMS_WEBHOOK_ALLOW_HTTP"))


def _values(form: SubscriptionForm) -> dict:
    return {
        "url": form.url.data,
        "events": form.events.data,
        "description": form.description.data or "",
        "allow_http": _allow_http(),
    }


def _with_secret(subscription: WebhookSubscription, secret: str):
    response = current_app.make_response(
        render_template("webhooks/secret.html", subscription=subscription, secret=secret)
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/")
@role_required(Role.ADMIN)
@export_limited
def index():
    if wants_csv():
        return csv_response(
            "webhooks", *services.subscriptions_table(db.session, services.subscriptions_query())
        )
    return render_template(
        "webhooks/index.html",
        page=paginate(services.subscriptions_query()),
        counts=services.delivery_counts(db.session),
        confirm=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create():
    form = SubscriptionForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: services.create_subscription(db.session, actor=current_user, **_values(form)),
            form=form,
            success=_("Subscription saved. Copy its secret now: it is shown only once."),
        )
        if outcome.ok:
            return _with_secret(outcome.result, outcome.result.secret)
    return render_template("webhooks/form.html", form=form, subscription=None)


@bp.route("/<int:subscription_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(subscription_id: int):
    subscription = _subscription(subscription_id)
    form = SubscriptionForm(
        data={
            "url": subscription.url,
            "description": subscription.description,
            "events": sorted(e.value for e in subscription.event_set),
        }
    )
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: services.update_subscription(
                db.session, subscription, actor=current_user, **_values(form)
            ),
            form=form,
            success=_("Subscription saved."),
            redirect_to=url_for("webhooks.index"),
        )
        if outcome.response:
            return outcome.response
    return render_template("webhooks/form.html", form=form, subscription=subscription)


@bp.route("/<int:subscription_id>/secret", methods=["POST"])
@role_required(Role.ADMIN)
def rotate(subscription_id: int):
    subscription = _subscription(subscription_id)
    outcome = commit_or_report(
        lambda: services.rotate_secret(db.session, subscription, actor=current_user),
        success=_("A new secret is below. Copy it now: it is shown only once."),
    )
    if not outcome.ok:
        return redirect(url_for("webhooks.index"))
    return _with_secret(subscription, outcome.result)


@bp.route("/<int:subscription_id>/ping", methods=["POST"])
@role_required(Role.ADMIN)
def ping(subscription_id: int):
    subscription = _subscription(subscription_id)
    outcome = commit_or_report(
        lambda: services.send_ping(db.session, subscription, actor=current_user),
        success=_("A test delivery is queued; the HTTP outbox shows how it went."),
        redirect_to=url_for("webhooks.index"),
    )
    return outcome.response or redirect(url_for("webhooks.index"))


@bp.route("/<int:subscription_id>/disable", methods=["POST"])
@role_required(Role.ADMIN)
def disable(subscription_id: int):
    subscription = _subscription(subscription_id)
    outcome = commit_or_report(
        lambda: services.disable_subscription(
            db.session, subscription, actor=current_user, now=clock.now()
        ),
        success=_("Subscription disabled: nothing more is sent to it."),
        redirect_to=url_for("webhooks.index"),
    )
    return outcome.response or redirect(url_for("webhooks.index"))
