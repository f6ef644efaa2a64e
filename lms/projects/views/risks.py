"""The risk register, progress updates and the manager's override of the RAG rating."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.projects import services
from lms.projects.forms import OverrideForm, ProgressUpdateForm, RiskForm
from lms.projects.models import Risk
from lms.projects.views import bp
from lms.projects.views.common import (
    data,
    form_page,
    optional_child,
    prefill_choices,
    project_for_edit,
    to_project,
    today,
)

_RISK = ("description", "likelihood", "impact", "mitigation", "owner", "status")


@bp.route("/<int:project_id>/risks/new", methods=["GET", "POST"])
@bp.route("/<int:project_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@login_required
def save_risk(project_id: int, risk_id: int | None = None):
    project = project_for_edit(project_id)
    risk = optional_child(Risk, risk_id, project)
    form = RiskForm(obj=risk)
    if request.method == "GET" and risk is not None:
        prefill_choices(form, risk, "likelihood", "impact", "status")
    return form_page(
        project,
        form,
        _("Edit risk") if risk else _("Add a risk"),
        lambda: services.save_risk(
            db.session, project, risk, actor=current_user, **data(form, *_RISK)
        ),
        _("Risk saved."),
        anchor="risks",
        intro=_("Risks are closed rather than deleted, so the register keeps its history."),
    )


@bp.route("/<int:project_id>/updates/new", methods=["GET", "POST"])
@login_required
def add_update(project_id: int):
    project = project_for_edit(project_id)
    form = ProgressUpdateForm()
    return form_page(
        project,
        form,
        _("Progress update"),
        lambda: services.add_progress_update(
            db.session,
            project,
            actor=current_user,
            **data(form, "period", "achievements", "issues", "next_steps"),
        ),
        _("Progress update added."),
        anchor="updates",
        intro=_("Updates are kept as written, as the project's reporting history."),
    )


@bp.route("/<int:project_id>/rating", methods=["GET", "POST"])
@login_required
def override_rating(project_id: int):
    project = project_for_edit(project_id)
    assessment = services.compute_rag(project, today())
    form = OverrideForm()
    if request.method == "GET" and assessment.computed:
        form.rating.data = assessment.computed.value
    return form_page(
        project,
        form,
        _("Override the RAG rating"),
        lambda: services.override_rag(
            db.session,
            project,
            actor=current_user,
            today=today(),
            **data(form, "rating", "justification"),
        ),
        _("Rating overridden; your justification is on record."),
        anchor="rating",
        intro=_(
            "Computed rating: %(rating)s.",
            rating=assessment.computed.label if assessment.computed else _("not rated"),
        ),
    )


@bp.route("/<int:project_id>/rating/withdraw", methods=["POST"])
@login_required
def withdraw_override(project_id: int):
    project = project_for_edit(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: services.withdraw_override(db.session, project, actor=current_user),
        success=_("Override withdrawn; the computed rating applies again."),
    )
    return to_project(project, "rating")
