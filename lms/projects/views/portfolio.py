"""The portfolio dashboard: every project the reader may see, rated, filtered and paged."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from lms.accounts.models import Region
from lms.core.csv_export import csv_response, wants_csv
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import login_required
from lms.core.ratelimit import export_limited
from lms.projects import services
from lms.projects.models import ProjectStatus
from lms.projects.services import exports
from lms.projects.views import bp
from lms.projects.views.common import manager_choices, member_choices, today


@bp.route("/")
@login_required
@export_limited
def portfolio():
    if not services.may_see_any_project(db.session, current_user):
        abort(403)
    filters = services.PortfolioFilters.from_args(request.args)
    if wants_csv():
        stmt = services.portfolio_query(current_user, filters)
        return csv_response("portfolio", *exports.portfolio_table(db.session, stmt, today()))
    page = paginate(services.portfolio_query(current_user, filters))
    on = today()
    wide = services.sees_whole_portfolio(current_user)
    return render_template(
        "projects/portfolio.html",
        page=page,
        rows=services.portfolio_rows(db.session, page.items, on),
        filters=filters,
        today=on,
        counts=services.status_counts(db.session, current_user),
        regions=list(Region),
        statuses=list(ProjectStatus),
        members=member_choices() if wide else [],
        managers=manager_choices() if wide else [],
        can_create=services.can_create_project(current_user),
    )
