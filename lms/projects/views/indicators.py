"""Indicators: defining one, its page with the targets, and reporting actuals."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import can_edit, login_required, require_edit
from lms.projects import services
from lms.projects.forms import ActualForm, IndicatorForm, TargetForm, TrainingActualForm
from lms.projects.models import Indicator, LogframeElement, LogframeLevel
from lms.projects.views import bp
from lms.projects.views.common import (
    child,
    data,
    element_choices,
    form_page,
    indicator_chart,
    prefill_choices,
    project_for_edit,
    project_for_view,
    to_project,
    today,
)

_DEFINITION = (
    "name",
    "unit",
    "baseline_value",
    "baseline_date",
    "period_kind",
    "means_of_verification",
)


def _definition(form: IndicatorForm) -> dict[str, Any]:
    return data(form, *_DEFINITION) | {"training_measure": form.training_measure.data or None}


def _indicator_url(indicator: Indicator) -> str:
    return url_for("projects.indicator", project_id=indicator.project_id, indicator_id=indicator.id)


@bp.route("/<int:project_id>/indicators/new", methods=["GET", "POST"])
@login_required
def add_indicator(project_id: int):
    project = project_for_edit(project_id)
    form = IndicatorForm()
    form.element_id.choices = element_choices(project, tuple(LogframeLevel))
    if not form.element_id.choices:
        flash(_("Add the goal to the logframe first: indicators measure its elements."), "info")
        return to_project(project, "logframe")
    if request.method == "GET":
        form.element_id.data = request.args.get("element", type=int) or form.element_id.data
        form.baseline_date.data = form.baseline_date.data or project.start_date
    return form_page(
        project,
        form,
        _("Add an indicator"),
        lambda: services.add_indicator(
            db.session,
            child(LogframeElement, form.element_id.data, project),
            actor=current_user,
            **_definition(form),
        ),
        _("Indicator added."),
        to=_indicator_url,
    )


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(project_id: int, indicator_id: int):
    project = project_for_edit(project_id)
    record = child(Indicator, indicator_id, project)
    form = IndicatorForm(obj=record)
    del form.element_id
    form.submit.label.text = _("Save indicator")
    if request.method == "GET":
        prefill_choices(form, record, "period_kind", "training_measure")
    return form_page(
        project,
        form,
        _("Edit indicator"),
        lambda: services.update_indicator(
            db.session, record, actor=current_user, **_definition(form)
        ),
        _("Indicator saved."),
        back=_indicator_url(record),
        to=_indicator_url(record),
        intro=_("Reported actuals are kept as they are whatever you change here."),
    )


def _set_target(record: Indicator, form: TargetForm) -> bool:
    saved, _target = commit_or_report(
        lambda: services.set_target(
            db.session, record, actor=current_user, **data(form, "period", "value")
        ),
        form=form,
        success=_("Target saved."),
    )
    return saved


@bp.route("/<int:project_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def indicator(project_id: int, indicator_id: int):
    """The indicator's page: chart, targets, and the full history of reported actuals. The
    target form posts here; the actual form has its own page."""
    project = project_for_view(project_id)
    record = child(Indicator, indicator_id, project)
    form = TargetForm()
    if request.method == "POST":
        require_edit(project)
        if form.validate_on_submit() and _set_target(record, form):
            return redirect(request.path)
    return render_template(
        "projects/indicator.html",
        project=project,
        indicator=record,
        form=form,
        editable=can_edit(current_user, project),
        current=services.current_actuals(record),
        training_form=TrainingActualForm(),
        planned_now=services.planned_value(record, today()),
        chart=indicator_chart(record, width=640, height=260),
    )


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/actuals", methods=["GET", "POST"])
@login_required
def report_actual(project_id: int, indicator_id: int):
    project = project_for_edit(project_id)
    record = child(Indicator, indicator_id, project)
    form = ActualForm()
    return form_page(
        project,
        form,
        _("Report an actual: %(name)s", name=record.name),
        lambda: services.report_actual(
            db.session,
            record,
            actor=current_user,
            **data(form, "period", "value", "comment", "evidence_url"),
        ),
        _("Actual reported."),
        back=_indicator_url(record),
        to=_indicator_url(record),
        intro=_(
            "Reported values are kept as history: reporting a period again adds a newer figure "
            "and keeps the earlier one."
        ),
    )
