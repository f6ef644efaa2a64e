"""The landing page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from lms.core import clock
from lms.core.extensions import db
from lms.core.faults import commit_unless_read_only, database_health
from lms.core.model_base import utcnow
from lms.main.dashboard import sections_for

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    sections = sections_for(db.session, current_user, clock.today(), utcnow())
    page = render_template("main/index.html", sections=sections, today=clock.today())
    commit_unless_read_only(db.session)  # keeps a progress summary the page had to compute
    return page


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring: 200 when the database answers (``degraded`` when it
    refuses writes), 503 when it does not; the fields are in README "Faults and recovery"."""
    health, status = database_health(db.session)
    body = {"app": "lms", **health}
    from importlib.metadata import PackageNotFoundError, version

    try:
        body["version"] = version("capacity-lms")
    except PackageNotFoundError:
        body["version"] = "unknown"
    return jsonify(body), status
