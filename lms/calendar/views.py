"""The "My calendar feed" page (make, reset, revoke), the feed itself and a session's
one-event file.

The feed answers without a login: calendar programs cannot sign in, so the secret in the
address is the credential. An unknown, revoked or deactivated owner's address answers 404,
and no answer is kept by a cache (``private, no-store``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.calendar import services
from lms.core import clock
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.i18n import _, in_language
from lms.core.permissions import login_required, require_view
from lms.courses.models import CourseSession

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


def _base() -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/")


def _links() -> services.Links:
    base = _base()
    return services.Links(
        host=urlsplit(base).hostname or "localhost",
        session=lambda session_id: base + url_for("courses.session_detail", session_id=session_id),
        project=lambda project_id: base + url_for("projects.detail", project_id=project_id),
    )


def _ics(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(token: str | None = None, status: int = 200):
    feed = services.feed_of(db.session, current_user)
    url = _base() + url_for("calendar.feed", token=token) if token else None
    response = current_app.make_response(
        (
            render_template(
                "calendar/feed.html",
                feed=feed,
                feed_url=url,
                webcal_url=url and "webcal://" + url.split("://", 1)[1],
                confirm=ConfirmForm(),
            ),
            status,
        )
    )
    # The page may show the secret address: never keep it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calendar/")
@login_required
def manage():
    return _page()


def _make(action):
    """Make or reset the secret and show the address on this answer only (POST forms are
    CSRF-checked by the app; nothing with the secret is redirected or stored)."""
    outcome = commit_or_report(
        lambda: action(db.session, current_user, actor=current_user),
        success=_("Your calendar feed's address is below. Copy it now: it is shown only once."),
    )
    if not outcome.ok:
        return redirect(url_for("calendar.manage"))
    return _page(token=outcome.result)


@bp.route("/calendar/create", methods=["POST"])
@login_required
def create():
    return _make(services.create_feed)


@bp.route("/calendar/reset", methods=["POST"])
@login_required
def reset():
    return _make(services.reset_feed)


@bp.route("/calendar/revoke", methods=["POST"])
@login_required
def revoke():
    outcome = commit_or_report(
        lambda: services.revoke_feed(db.session, current_user, actor=current_user),
        success=_("Your calendar feed is revoked: its address no longer works."),
        redirect_to=url_for("calendar.manage"),
    )
    return outcome.response or redirect(url_for("calendar.manage"))


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    user = services.user_for_token(db.session, token)
    if user is None:
        abort(404)
    with in_language(user.preferred_language):
        body = services.feed_calendar(db.session, user, links=_links(), now=clock.now())
    return _ics(body)


@bp.route("/sessions/<int:session_id>.ics")
@login_required
def session_event(session_id: int):
    course_session = require_view(db.session.get(CourseSession, session_id))
    body = services.session_calendar(
        db.session, course_session, current_user, links=_links(), now=clock.now()
    )
    name = f"{course_session.course.code}-{course_session.starts_on.isoformat()}.ics"
    return _ics(body, name)
