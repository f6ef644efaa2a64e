"""The programme's figures for a period: the statistics page's read model (``directorate_data``
of the reports feature), for the staff who see that page."""

from __future__ import annotations

from datetime import date

from lms.accounts.models import Role
from lms.api.boundary import token_auth
from lms.api.schemas import StatisticsOut, StatisticsQuery
from lms.api.views import bp
from lms.core import clock
from lms.core.bounds import date_in_range, date_range_message
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.core.i18n import _
from lms.core.permissions import role_required
from lms.reports.data.statistics import level_distribution, trainee_figures


def _named(rows) -> list[dict]:
    return [{"name": str(name), **vars(figures)} for name, figures in rows]


@bp.get("/statistics")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN, Role.DIRECTORATE)
@bp.input(StatisticsQuery, location="query", arg_name="query")
@bp.output(StatisticsOut)
@bp.doc(summary="Trainees enrolled, completed and certified; current levels (staff)")
def statistics(query: dict):
    today = clock.today()
    start, end = query.get("start") or date(today.year, 1, 1), query.get("end") or today
    for field, day in (("start", start), ("end", end)):
        if not date_in_range(day):
            raise ValidationError(date_range_message(), field=field)
    if end < start:
        raise ValidationError(_("The end of the period is before its start."), field="end")
    figures = trainee_figures(db.session, start, end)
    return {
        "start": start,
        "end": end,
        "total": figures.total,
        "by_region": _named(figures.by_region),
        "by_track": _named(figures.by_track),
        "level_distribution": [
            {"level": level, "trainees": count}
            for level, count in level_distribution(db.session, end)
        ],
    }
