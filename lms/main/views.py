"""The landing page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from lms.core import clock
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.main.dashboard import sections_for

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    sections = sections_for(db.session, current_user, clock.today(), utcnow())
    page = render_template("main/index.html", sections=sections, today=clock.today())
    db.session.commit()  # keeps a progress summary the page had to compute (a missing row)
    return page


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = {"status": "ok", "backend": db.engine.dialect.name}
        healthy = True
    except Exception as exc:  # the point is to report the failure, whatever it is
        db.session.rollback()
        database = {"status": "error", "error": type(exc).__name__}
        healthy = False
    body = {"status": "ok" if healthy else "error", "app": "lms", "database": database}
    from importlib.metadata import PackageNotFoundError, version

    try:
        body["version"] = version("capacity-lms")
    except PackageNotFoundError:
        body["version"] = "unknown"
    return jsonify(body), 200 if healthy else 503
