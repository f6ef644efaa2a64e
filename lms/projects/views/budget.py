"""Partner organisations and the yearly budget lines."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.projects import services
from lms.projects.forms import BudgetForm, PartnerForm
from lms.projects.models import ProjectPartner
from lms.projects.views import bp
from lms.projects.views.common import child, data, form_page, project_for_edit, to_project


@bp.route("/<int:project_id>/partners/new", methods=["GET", "POST"])
@login_required
def add_partner(project_id: int):
    project = project_for_edit(project_id)
    form = PartnerForm()
    return form_page(
        project,
        form,
        _("Add a partner organisation"),
        lambda: services.add_partner(
            db.session, project, actor=current_user, **data(form, "name", "role")
        ),
        _("Partner added."),
        anchor="overview",
    )


@bp.route("/<int:project_id>/partners/<int:partner_id>/remove", methods=["POST"])
@login_required
def remove_partner(project_id: int, partner_id: int):
    project = project_for_edit(project_id)
    partner = child(ProjectPartner, partner_id, project)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: services.remove_partner(db.session, project, partner, actor=current_user),
        success=_("Partner removed."),
    )
    return to_project(project, "overview")


@bp.route("/<int:project_id>/budget", methods=["GET", "POST"])
@login_required
def budget(project_id: int):
    project = project_for_edit(project_id)
    form = BudgetForm()
    return form_page(
        project,
        form,
        _("Budget line (%(currency)s)", currency=project.currency),
        lambda: services.set_budget_line(
            db.session,
            project,
            actor=current_user,
            year=form.year.data,
            planned=form.planned.data,
            spent=form.spent.data or 0,
        ),
        _("Budget line saved."),
        anchor="budget",
        intro=_("Entering a year that already has a line updates it."),
    )
