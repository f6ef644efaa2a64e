"""Notification pages: the list (mark read, mark all read), the email preferences, the bell's
unread count, and the admin's retry of a dead-letter email."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.models import OutboxMessage
from lms.core.pagination import paginate
from lms.core.permissions import login_required, role_required
from lms.core.ratelimit import export_limited
from lms.notifications import exports, services
from lms.notifications.forms import PreferencesForm
from lms.notifications.models import Notification
from lms.notifications.registry import KINDS, kinds_for

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def bell():
    def unread_notification_count() -> int:
        """One COUNT per page, however often the template asks."""
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = services.unread_count(db.session, current_user)
        return g.unread_notifications

    return {"unread_notification_count": unread_notification_count}


def _own(notification_id: int) -> Notification:
    notification = services.own_notification(db.session, current_user, notification_id)
    if notification is None:
        abort(404)  # someone else's notification does not exist for you
    return notification


@bp.route("/notifications")
@login_required
@export_limited
def index():
    show = request.args.get("show", "all")
    if wants_csv():
        stmt = services.notifications_query(current_user, show)
        return csv_response("notifications", *exports.notifications_table(db.session, stmt))
    page = paginate(services.notifications_query(current_user, show))
    return render_template(
        "notifications/index.html", page=page, show=show, kinds=KINDS, confirm=ConfirmForm()
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one read; with ``open=1``, continue to the page it links to."""
    notification = _own(notification_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_read(db.session, notification)
    db.session.commit()
    if request.form.get("open") and notification.link:
        return redirect(services.safe_link(notification.link) or url_for("notifications.index"))
    return redirect(url_for("notifications.index", show=request.args.get("show", "all")))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(db.session, current_user)
    db.session.commit()
    flash(_("%(count)s notification(s) marked as read.", count=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    kinds = kinds_for(current_user)
    form.email_kinds.choices = [(key, kind.label) for key, kind in kinds.items()]
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: services.save_email_preferences(
                db.session, current_user, set(form.email_kinds.data)
            ),
            form=form,
            success=_("Your notification preferences are saved."),
            redirect_to=url_for("notifications.preferences"),
        )
        if outcome.response:
            return outcome.response
    elif not form.is_submitted():
        chosen = services.email_preferences(db.session, current_user)
        form.email_kinds.data = [key for key, wanted in chosen.items() if wanted]
    return render_template("notifications/preferences.html", form=form, kinds=kinds)


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry_email(message_id: int):
    """Put a dead-letter email back in the queue (linked from /admin/outbox)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: services.retry_dead_message(db.session, message, actor=current_user),
        success=_(
            "The message to %(to)s is queued again; the outbox job sends it within a minute.",
            to=message.recipient,
        ),
    )
    return redirect(url_for("admin.outbox", status=request.args.get("status", "")))
