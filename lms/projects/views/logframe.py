"""The logical framework (goal → outcomes → outputs) and the activities under outputs."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.projects import services
from lms.projects.forms import ActivityForm, LogframeForm, StatementForm
from lms.projects.models import LogframeElement, LogframeLevel
from lms.projects.views import bp
from lms.projects.views.common import (
    child,
    data,
    element_choices,
    form_page,
    optional_child,
    project_for_edit,
    to_project,
)


@bp.route("/<int:project_id>/logframe/new", methods=["GET", "POST"])
@login_required
def add_logframe_element(project_id: int):
    project = project_for_edit(project_id)
    form = LogframeForm()
    parents = element_choices(project, (LogframeLevel.GOAL, LogframeLevel.OUTCOME))
    form.parent_id.choices = [("", _("— none (the goal) —")), *parents]
    if request.method == "GET" and request.args.get("level"):
        form.level.data = request.args["level"]
        form.parent_id.data = request.args.get("parent", type=int)
    return form_page(
        project,
        form,
        _("Add to the logical framework"),
        lambda: services.add_logframe_element(
            db.session,
            project,
            actor=current_user,
            parent=optional_child(LogframeElement, form.parent_id.data, project),
            **data(form, "level", "statement", "code"),
        ),
        _("Logframe updated."),
        anchor="logframe",
    )


@bp.route("/<int:project_id>/logframe/<int:element_id>/edit", methods=["GET", "POST"])
@login_required
def edit_logframe_element(project_id: int, element_id: int):
    project = project_for_edit(project_id)
    element = child(LogframeElement, element_id, project)
    form = StatementForm(obj=element)
    return form_page(
        project,
        form,
        _("%(level)s %(code)s", level=element.level.label, code=element.code),
        lambda: services.update_logframe_element(
            db.session, element, actor=current_user, statement=form.statement.data
        ),
        _("Logframe updated."),
        anchor="logframe",
    )


@bp.route("/<int:project_id>/activities/new", methods=["GET", "POST"])
@login_required
def add_activity(project_id: int):
    project = project_for_edit(project_id)
    form = ActivityForm()
    form.output_id.choices = element_choices(project, (LogframeLevel.OUTPUT,))
    if not form.output_id.choices:
        flash(_("Add an output to the logframe first: activities sit under outputs."), "info")
        return to_project(project, "logframe")
    if request.method == "GET" and request.args.get("output"):
        form.output_id.data = request.args.get("output", type=int)
    return form_page(
        project,
        form,
        _("Add an activity"),
        lambda: services.add_activity(
            db.session,
            child(LogframeElement, form.output_id.data, project),
            actor=current_user,
            **data(form, "title", "description", "start_date", "end_date"),
        ),
        _("Activity added."),
        anchor="logframe",
    )
