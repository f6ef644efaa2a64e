"""Opening a project, its page, and editing its identity, dates and people."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.permissions import can_edit, login_required
from lms.projects import services, training
from lms.projects.forms import BeneficiariesForm, ProjectForm
from lms.projects.models import Project
from lms.projects.views import bp
from lms.projects.views.common import (
    data,
    form_page,
    indicator_chart,
    manager_choices,
    member_choices,
    project_for_edit,
    project_for_view,
    timeline_chart,
    today,
    user_choices,
)
from lms.projects.views.training import link_form_context

_FIELDS = services.PROJECT_FIELDS
_PEOPLE = ("manager_ids", "focal_point_ids")


def _project_form(project: Project | None = None) -> ProjectForm:
    """The project editor; the beneficiaries field only for those who may set them."""
    form = ProjectForm(obj=project)
    if services.can_set_beneficiaries(current_user):
        form.beneficiary_ids.choices = member_choices()
    else:
        del form.beneficiary_ids
    form.manager_ids.choices = manager_choices()
    form.focal_point_ids.choices = user_choices()
    if request.method == "GET":
        if project is not None:
            if "beneficiary_ids" in form:
                form.beneficiary_ids.data = [m.id for m in project.beneficiaries]
            form.manager_ids.data = [u.id for u in project.managers]
            form.focal_point_ids.data = [u.id for u in project.focal_points]
            form.status.data = project.status.value
        elif current_user.has_role(Role.PROJECT_MANAGER):
            form.manager_ids.data = [current_user.id]
    return form


def _beneficiaries_note() -> str:
    if services.can_set_beneficiaries(current_user):
        return ""
    return _("The beneficiary administrations are named by an administrator or the directorate.")


def _project_fields(form: ProjectForm) -> dict[str, Any]:
    """The service's arguments. Beneficiaries go to the service whenever they are posted, also
    by someone whose form has no such field, so the service refuses them (nothing is saved)."""
    fields = data(form, *_FIELDS) | {name: form[name].data or [] for name in _PEOPLE}
    if "beneficiary_ids" in form:
        fields["beneficiary_ids"] = form.beneficiary_ids.data or []
    elif "beneficiary_ids" in request.form:
        fields["beneficiary_ids"] = request.form.getlist("beneficiary_ids", type=int)
    return fields


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not services.can_create_project(current_user):
        abort(403)
    form = _project_form()
    return form_page(
        None,
        form,
        _("New project"),
        lambda: services.create_project(
            db.session, actor=current_user, goal=form.goal.data, **_project_fields(form)
        ),
        lambda project: _("Project %(code)s created.", code=project.code),
        back=url_for("projects.portfolio"),
        to=lambda project: url_for("projects.detail", project_id=project.id),
        intro=_beneficiaries_note(),
    )


def _status_context(project: Project, on: date) -> dict[str, Any]:
    """The rating, progress and timeline at the top of the page (the stored summary)."""
    summary = services.project_summary(db.session, project, on)
    return {
        "today": on,
        "assessment": summary.assessment,
        "elapsed_pct": round(summary.elapsed_share * 100),
        "done_share": summary.done_share,
        "timeline": timeline_chart(project, on),
    }


@bp.route("/<int:project_id>")
@login_required
def detail(project_id: int):
    project = project_for_view(project_id)
    editable = can_edit(current_user, project)
    tree = services.logframe_tree(project)
    return render_template(
        "projects/detail.html",
        project=project,
        goals=tree.get(None, []),
        children=tree,
        indicators_by_element=services.indicators_by_element(project),
        indicator_charts={i.id: indicator_chart(i) for i in project.indicators},
        current_actuals={i.id: services.current_actuals(i) for i in project.indicators},
        can_edit_project=editable,
        can_set_beneficiaries=services.can_set_beneficiaries(current_user),
        confirm=ConfirmForm(),
        training=training.training_delivered(db.session, project),
        budget=services.budget_summary(project),
        partners=services.partners_by_role(project),
        default_sector=current_app.config["LMS_IATI_DEFAULT_SECTOR"],
        **_status_context(project, today()),
        **link_form_context(project, request.args.get("session_q", ""), editable),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = project_for_edit(project_id)
    form = _project_form(project)
    del form.goal
    return form_page(
        project,
        form,
        _("Edit %(code)s", code=project.code),
        lambda: services.update_project(
            db.session, project, actor=current_user, **_project_fields(form)
        ),
        _("Project saved."),
        intro=_beneficiaries_note(),
    )


@bp.route("/<int:project_id>/beneficiaries", methods=["GET", "POST"])
@login_required
def beneficiaries(project_id: int):
    """Administrators and the directorate name a project's beneficiary administrations."""
    project = project_for_view(project_id)
    if not services.can_set_beneficiaries(current_user):
        abort(403)
    form = BeneficiariesForm()
    form.beneficiary_ids.choices = member_choices()
    if request.method == "GET":
        form.beneficiary_ids.data = [m.id for m in project.beneficiaries]
    return form_page(
        project,
        form,
        _("Beneficiaries of %(code)s", code=project.code),
        lambda: services.set_beneficiaries(
            db.session, project, actor=current_user, beneficiary_ids=form.beneficiary_ids.data
        ),
        _("Beneficiaries saved."),
        anchor="overview",
    )
