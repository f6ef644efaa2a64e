"""The IATI activity XML downloads: the portfolio the reader sees, and one project."""

from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_login import current_user

from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.core.ratelimit import rate_limited
from lms.projects import iati, services
from lms.projects.views import bp
from lms.projects.views.common import project_for_view, today

XML_TYPE = "application/xml; charset=utf-8"


def _download(body: bytes, filename: str) -> Response:
    return Response(
        body,
        content_type=XML_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/iati.xml")
@login_required
@rate_limited("exports")
def portfolio_iati():
    """The portfolio page's projects (its rule and its filters) as IATI activities."""
    if not services.may_see_any_project(db.session, current_user):
        abort(403)
    on = today()
    body = iati.portfolio_xml(
        db.session,
        current_user,
        iati.IatiSettings.from_config(current_app.config),
        today=on,
        filters=services.PortfolioFilters.from_args(request.args),
    )
    return _download(body, iati.iati_filename(on))


@bp.route("/<int:project_id>/iati.xml")
@login_required
@rate_limited("exports")
def project_iati(project_id: int):
    """One project as an IATI activity, for whoever may see its page."""
    project = project_for_view(project_id)
    on = today()
    body = iati.activities_xml(
        [project], iati.IatiSettings.from_config(current_app.config), today=on
    )
    return _download(body, iati.iati_filename(on, project))
