"""Correcting or withdrawing a reported indicator actual, from the indicator's page.

Thin views: parse, authorise (``lms.projects.permissions.can_correct_actual``), call
``lms.projects.services.corrections``, commit through ``commit_or_report``, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DecimalField, TextAreaField
from wtforms.validators import Optional

from lms.core.correction_forms import CorrectionForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required, require_view
from lms.projects import services
from lms.projects.models import IndicatorActual
from lms.projects.permissions import can_correct_actual
from lms.projects.services import corrections

bp = Blueprint("project_corrections", __name__, url_prefix="/projects")


class ActualCorrectionForm(CorrectionForm):
    value = DecimalField(_l("Corrected value"), validators=[Optional()])
    comment = TextAreaField(_l("Comment on the corrected value"), validators=[Optional()])


@bp.app_context_processor
def _history_helpers() -> dict[str, Any]:
    return {"may_correct_actual": lambda a: can_correct_actual(current_user, a)}


def _call(form: ActualCorrectionForm, actual: IndicatorActual) -> Any:
    common = dict(reason=form.reason.data, actor=current_user)
    if form.withdrawing:
        return corrections.withdraw_actual(db.session, actual, **common)
    return corrections.correct_actual(
        db.session, actual, value=form.value.data, comment=form.comment.data or "", **common
    )


def _record(actual: IndicatorActual) -> list[tuple[Any, Any]]:
    return [
        (_("Indicator"), actual.indicator.name),
        (_("Period"), actual.period),
        (_("Value"), f"{actual.value} {actual.indicator.unit}"),
        (_("Comment"), actual.comment or "—"),
        (_("Reported by"), actual.reported_by.full_name if actual.reported_by else "—"),
    ]


@bp.route("/<int:project_id>/actuals/<int:actual_id>/correct", methods=["GET", "POST"])
@login_required
def correct_actual(project_id: int, actual_id: int):
    project = require_view(services.load_project(db.session, project_id))
    actual = db.session.get(IndicatorActual, actual_id)
    if actual is None or actual.indicator.project_id != project.id:
        abort(404)
    if not can_correct_actual(current_user, actual) or actual.superseded:
        abort(403)
    form = ActualCorrectionForm()
    back = url_for("projects.indicator", project_id=project.id, indicator_id=actual.indicator_id)
    if form.validate_on_submit():
        ok, _done = commit_or_report(
            lambda: _call(form, actual), form=form, success=_("Correction recorded.")
        )
        if ok:
            return redirect(back)
    return render_template(
        "corrections/correct.html",
        title=_("Correct a reported actual"),
        record=_record(actual),
        form=form,
        back=back,
        history=[],
    )
