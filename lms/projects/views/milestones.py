"""Phases and milestones: adding and editing them, and re-planning a due date with a reason."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.projects import services
from lms.projects.forms import MilestoneEditForm, MilestoneForm, PhaseForm, ReplanForm
from lms.projects.models import Milestone, Phase
from lms.projects.views import bp
from lms.projects.views.common import (
    child,
    data,
    form_page,
    milestone_choices,
    optional_child,
    phase_choices,
    prefill_choices,
    project_for_edit,
)


@bp.route("/<int:project_id>/phases/new", methods=["GET", "POST"])
@login_required
def add_phase(project_id: int):
    project = project_for_edit(project_id)
    form = PhaseForm()
    return form_page(
        project,
        form,
        _("Add a phase"),
        lambda: services.add_phase(
            db.session, project, actor=current_user, **data(form, "name", "start_date", "end_date")
        ),
        _("Phase added."),
        anchor="timeline",
    )


@bp.route("/<int:project_id>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@login_required
def edit_phase(project_id: int, phase_id: int):
    project = project_for_edit(project_id)
    phase = child(Phase, phase_id, project)
    form = PhaseForm(obj=phase)
    form.submit.label.text = _("Save phase")
    return form_page(
        project,
        form,
        _("Phase: %(name)s", name=phase.name),
        lambda: services.update_phase(
            db.session, phase, actor=current_user, **data(form, "name", "start_date", "end_date")
        ),
        _("Phase saved."),
        anchor="timeline",
    )


def _links(form, project) -> dict:
    """The phase and the milestone depended on, both of this project (404 otherwise)."""
    return {
        "phase": optional_child(Phase, form.phase_id.data, project),
        "depends_on": optional_child(Milestone, form.depends_on_id.data, project),
    }


@bp.route("/<int:project_id>/milestones/new", methods=["GET", "POST"])
@login_required
def add_milestone(project_id: int):
    project = project_for_edit(project_id)
    form = MilestoneForm()
    form.phase_id.choices = phase_choices(project)
    form.depends_on_id.choices = milestone_choices(project)
    return form_page(
        project,
        form,
        _("Add a milestone"),
        lambda: services.add_milestone(
            db.session,
            project,
            actor=current_user,
            **data(form, "title", "due_date", "owner", "evidence"),
            **_links(form, project),
        ),
        _("Milestone added."),
        anchor="milestones",
    )


@bp.route("/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(project_id: int, milestone_id: int):
    project = project_for_edit(project_id)
    milestone = child(Milestone, milestone_id, project)
    form = MilestoneEditForm(obj=milestone)
    form.phase_id.choices = phase_choices(project)
    form.depends_on_id.choices = milestone_choices(project, exclude=milestone)
    if request.method == "GET":
        prefill_choices(form, milestone, "status")
    return form_page(
        project,
        form,
        _("Milestone: %(title)s", title=milestone.title),
        lambda: services.update_milestone(
            db.session,
            milestone,
            actor=current_user,
            **data(form, "title", "status", "completed_on", "owner", "evidence"),
            **_links(form, project),
        ),
        _("Milestone saved."),
        anchor="milestones",
        intro=_("To move the due date, use “Re-plan”: the move is recorded with its reason."),
    )


@bp.route("/<int:project_id>/milestones/<int:milestone_id>/replan", methods=["GET", "POST"])
@login_required
def replan_milestone(project_id: int, milestone_id: int):
    project = project_for_edit(project_id)
    milestone = child(Milestone, milestone_id, project)
    form = ReplanForm()
    return form_page(
        project,
        form,
        _("Re-plan: %(title)s", title=milestone.title),
        lambda: services.replan_milestone(
            db.session, milestone, actor=current_user, **data(form, "new_date", "reason")
        ),
        _("Due date moved; the baseline is kept."),
        anchor="milestones",
        intro=_(
            "Baseline %(baseline)s · current due date %(due)s.",
            baseline=milestone.baseline_date.isoformat(),
            due=milestone.due_date.isoformat(),
        ),
    )
