"""Project pages: the portfolio dashboard, the project page and its editors.

Thin: parse the form, authorise against the project, call a service, commit once, render.
Every page is reached through ``_project`` (read) or ``_editable`` (write), which apply the
record rules registered below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import MemberAdministration, Region, Role, User, UserRole
from lms.core import clock
from lms.core.errors import DomainError, flash_error
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import (
    can_edit,
    login_required,
    require_edit,
    require_view,
)
from lms.courses.models import CourseSession
from lms.projects import charts, services, training
from lms.projects.forms import (
    ActivityForm,
    ActualForm,
    BudgetForm,
    IndicatorForm,
    LinkSessionForm,
    LogframeForm,
    MilestoneEditForm,
    MilestoneForm,
    OverrideForm,
    PartnerForm,
    PhaseForm,
    ProgressUpdateForm,
    ProjectForm,
    ReplanForm,
    RiskForm,
    StatementForm,
    TargetForm,
    TrainingActualForm,
)
from lms.projects.models import (
    Activity,
    ActivitySession,
    Indicator,
    LogframeElement,
    LogframeLevel,
    Milestone,
    Phase,
    Project,
    ProjectPartner,
    ProjectStatus,
    Rag,
    Risk,
)

bp = Blueprint("projects", __name__, url_prefix="/projects")


def today() -> date:
    """The date the pages judge lateness and RAG on (``LMS_TODAY`` pins it)."""
    return clock.today()


def _project(project_id: int) -> Project:
    return require_view(services.load_project(db.session, project_id))


def _editable(project_id: int) -> Project:
    return require_edit(services.load_project(db.session, project_id))


def _child(model: type, child_id: int, project: Project) -> Any:
    """A record of ``project``: 404 when it belongs to another project, so ids cannot be mixed."""
    record = db.session.get(model, child_id)
    if record is None or record.project_id != project.id:
        abort(404)
    return record


def _to_project(project: Project, anchor: str = "") -> Any:
    return redirect(
        url_for("projects.detail", project_id=project.id) + (f"#{anchor}" if anchor else "")
    )


def _form_page(
    project: Project,
    form: Any,
    heading: str,
    action: Callable[[], Any],
    done: str,
    *,
    anchor: str = "",
    back: str | None = None,
    intro: str = "",
) -> Any:
    """The common shape of an editor: validate, call the service, commit once, or re-render the
    form with the error and everything typed kept."""
    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as error:
            db.session.rollback()
            flash_error(error, form)
        else:
            db.session.commit()
            flash(done, "success")
            if isinstance(result, str):
                return redirect(result)
            return _to_project(project, anchor)
    return render_template(
        "projects/form.html",
        project=project,
        form=form,
        heading=heading,
        intro=intro,
        cancel_url=back or url_for("projects.detail", project_id=project.id),
    )


# Choices ------------------------------------------------------------------------------------


def _member_choices() -> list[tuple[int, str]]:
    members = db.session.scalars(
        sa.select(MemberAdministration)
        .where(MemberAdministration.is_active.is_(True))
        .order_by(MemberAdministration.name)
    ).all()
    return [(m.id, f"{m.name} ({m.country_code})") for m in members]


def _manager_choices() -> list[tuple[int, str]]:
    managers = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.PROJECT_MANAGER, User.is_active.is_(True))
        .order_by(User.full_name)
    ).all()
    return [(u.id, u.full_name) for u in managers]


def _user_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True)).order_by(User.full_name)
    ).all()
    return [(u.id, f"{u.full_name} <{u.email}>") for u in users]


def _project_form(project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.beneficiary_ids.choices = _member_choices()
    form.manager_ids.choices = _manager_choices()
    form.focal_point_ids.choices = _user_choices()
    if request.method == "GET":
        if project is not None:
            form.beneficiary_ids.data = [m.id for m in project.beneficiaries]
            form.manager_ids.data = [u.id for u in project.managers]
            form.focal_point_ids.data = [u.id for u in project.focal_points]
            form.status.data = project.status.value
        elif current_user.has_role(Role.PROJECT_MANAGER):
            form.manager_ids.data = [current_user.id]
    return form


def _phase_choices(project: Project) -> list[tuple[Any, str]]:
    return [("", _("— none —"))] + [(p.id, p.name) for p in project.phases]


def _milestone_choices(project: Project, exclude: Milestone | None = None) -> list[tuple[Any, str]]:
    return [("", _("— none —"))] + [
        (m.id, f"{m.title} ({m.due_date.isoformat()})")
        for m in project.milestones
        if exclude is None or m.id != exclude.id
    ]


def _element_choices(project: Project, levels: tuple[LogframeLevel, ...]) -> list[tuple[Any, str]]:
    return [
        (e.id, f"{e.level.label} {e.code} – {e.statement[:80]}")
        for e in project.logframe_elements
        if e.level in levels
    ]


def _chart_labels() -> dict[str, str]:
    return {
        "target_label": _("Target"),
        "actual_label": _("Actual"),
        "empty_label": _("No targets or actuals yet"),
    }


# Portfolio -----------------------------------------------------------------------------


@bp.route("/")
@login_required
def portfolio():
    if not services.may_see_any_project(db.session, current_user):
        abort(403)
    filters = services.PortfolioFilters.from_args(request.args)
    page = paginate(services.portfolio_query(current_user, filters))
    on = today()
    rows = [services.portfolio_row(project, on) for project in page.items]
    wide = current_user.is_admin or current_user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER)
    return render_template(
        "projects/portfolio.html",
        page=page,
        rows=rows,
        filters=filters,
        today=on,
        counts=services.status_counts(db.session, current_user),
        regions=list(Region),
        statuses=list(ProjectStatus),
        members=_member_choices() if wide else [],
        managers=_manager_choices() if wide else [],
        can_create=current_user.has_role(Role.PROJECT_MANAGER, Role.ADMIN),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not current_user.has_role(Role.PROJECT_MANAGER, Role.ADMIN):
        abort(403)
    form = _project_form()
    if form.validate_on_submit():
        try:
            project = services.create_project(
                db.session,
                actor=current_user,
                code=form.code.data,
                title=form.title.data,
                summary=form.summary.data,
                status=form.status.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                currency=form.currency.data,
                beneficiary_ids=form.beneficiary_ids.data or [],
                manager_ids=form.manager_ids.data or [],
                focal_point_ids=form.focal_point_ids.data or [],
            )
            if (form.goal.data or "").strip():
                services.add_logframe_element(
                    db.session,
                    project,
                    actor=current_user,
                    level=LogframeLevel.GOAL,
                    statement=form.goal.data,
                )
        except DomainError as error:
            db.session.rollback()
            flash_error(error, form)
        else:
            db.session.commit()
            flash(_("Project %(code)s created.", code=project.code), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return render_template(
        "projects/form.html",
        project=None,
        form=form,
        heading=_("New project"),
        intro="",
        cancel_url=url_for("projects.portfolio"),
    )


@bp.route("/<int:project_id>")
@login_required
def detail(project_id: int):
    project = _project(project_id)
    on = today()
    indicator_charts = {
        i.id: charts.svg_markup(
            charts.target_actual_chart(charts.indicator_series(i), **_chart_labels()),
            _("Target and actual values of %(name)s", name=i.name),
        )
        for i in project.indicators
    }
    children: dict[int | None, list[LogframeElement]] = {}
    for element in project.logframe_elements:
        children.setdefault(element.parent_id, []).append(element)
    indicators_by_element: dict[int, list[Indicator]] = {}
    for item in project.indicators:
        indicators_by_element.setdefault(item.element_id, []).append(item)
    link_form = None
    if can_edit(current_user, project):
        link_form = LinkSessionForm()
        _training_choices(project, link_form)
    return render_template(
        "projects/detail.html",
        project=project,
        goals=children.get(None, []),
        children=children,
        indicators_by_element=indicators_by_element,
        today=on,
        assessment=services.compute_rag(project, on),
        elapsed_pct=round(services.time_elapsed(project, on) * 100),
        done_share=services.milestones_done_share(project),
        timeline=charts.svg_markup(
            charts.timeline_chart(charts.timeline_data(project, on), today_label=_("today")),
            _("Timeline of phases and milestones"),
            full_width=True,
        ),
        indicator_charts=indicator_charts,
        current_actuals={i.id: services.current_actuals(i) for i in project.indicators},
        can_edit_project=can_edit(current_user, project),
        confirm=ConfirmForm(),
        training=training.training_delivered(db.session, project),
        link_form=link_form,
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = _editable(project_id)
    form = _project_form(project)
    del form.goal
    return _form_page(
        project,
        form,
        _("Edit %(code)s", code=project.code),
        lambda: services.update_project(
            db.session,
            project,
            actor=current_user,
            code=form.code.data,
            title=form.title.data,
            summary=form.summary.data,
            status=form.status.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            currency=form.currency.data,
            beneficiary_ids=form.beneficiary_ids.data or [],
            manager_ids=form.manager_ids.data or [],
            focal_point_ids=form.focal_point_ids.data or [],
        ),
        _("Project saved."),
    )


# Partners and budget --------------------------------------------------------------------


@bp.route("/<int:project_id>/partners/new", methods=["GET", "POST"])
@login_required
def add_partner(project_id: int):
    project = _editable(project_id)
    form = PartnerForm()
    return _form_page(
        project,
        form,
        _("Add a partner organisation"),
        lambda: services.add_partner(
            db.session, project, actor=current_user, name=form.name.data, role=form.role.data
        ),
        _("Partner added."),
        anchor="overview",
    )


@bp.route("/<int:project_id>/partners/<int:partner_id>/remove", methods=["POST"])
@login_required
def remove_partner(project_id: int, partner_id: int):
    project = _editable(project_id)
    partner = _child(ProjectPartner, partner_id, project)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_partner(db.session, project, partner, actor=current_user)
    db.session.commit()
    flash(_("Partner removed."), "success")
    return _to_project(project, "overview")


@bp.route("/<int:project_id>/budget", methods=["GET", "POST"])
@login_required
def budget(project_id: int):
    project = _editable(project_id)
    form = BudgetForm()
    return _form_page(
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


# Logframe, activities, indicators ---------------------------------------------------------


@bp.route("/<int:project_id>/logframe/new", methods=["GET", "POST"])
@login_required
def add_logframe_element(project_id: int):
    project = _editable(project_id)
    form = LogframeForm()
    parents = _element_choices(project, (LogframeLevel.GOAL, LogframeLevel.OUTCOME))
    form.parent_id.choices = [("", _("— none (the goal) —")), *parents]
    if request.method == "GET" and request.args.get("level"):
        form.level.data = request.args["level"]
        form.parent_id.data = request.args.get("parent", type=int)

    def action():
        parent = (
            _child(LogframeElement, form.parent_id.data, project) if form.parent_id.data else None
        )
        return services.add_logframe_element(
            db.session,
            project,
            actor=current_user,
            level=form.level.data,
            statement=form.statement.data,
            code=form.code.data,
            parent=parent,
        )

    return _form_page(
        project,
        form,
        _("Add to the logical framework"),
        action,
        _("Logframe updated."),
        anchor="logframe",
    )


@bp.route("/<int:project_id>/logframe/<int:element_id>/edit", methods=["GET", "POST"])
@login_required
def edit_logframe_element(project_id: int, element_id: int):
    project = _editable(project_id)
    element = _child(LogframeElement, element_id, project)
    form = StatementForm(obj=element)
    return _form_page(
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
    project = _editable(project_id)
    form = ActivityForm()
    form.output_id.choices = _element_choices(project, (LogframeLevel.OUTPUT,))
    if not form.output_id.choices:
        flash(_("Add an output to the logframe first: activities sit under outputs."), "info")
        return _to_project(project, "logframe")
    if request.method == "GET" and request.args.get("output"):
        form.output_id.data = request.args.get("output", type=int)
    return _form_page(
        project,
        form,
        _("Add an activity"),
        lambda: services.add_activity(
            db.session,
            _child(LogframeElement, form.output_id.data, project),
            actor=current_user,
            title=form.title.data,
            description=form.description.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
        ),
        _("Activity added."),
        anchor="logframe",
    )


@bp.route("/<int:project_id>/indicators/new", methods=["GET", "POST"])
@login_required
def add_indicator(project_id: int):
    project = _editable(project_id)
    form = IndicatorForm()
    form.element_id.choices = _element_choices(project, tuple(LogframeLevel))
    if not form.element_id.choices:
        flash(_("Add the goal to the logframe first: indicators measure its elements."), "info")
        return _to_project(project, "logframe")
    if request.method == "GET" and request.args.get("element"):
        form.element_id.data = request.args.get("element", type=int)
    if request.method == "GET" and form.baseline_date.data is None:
        form.baseline_date.data = project.start_date

    def action():
        indicator = services.add_indicator(
            db.session,
            _child(LogframeElement, form.element_id.data, project),
            actor=current_user,
            name=form.name.data,
            unit=form.unit.data,
            baseline_value=form.baseline_value.data,
            baseline_date=form.baseline_date.data,
            period_kind=form.period_kind.data,
            means_of_verification=form.means_of_verification.data,
            training_measure=form.training_measure.data or None,
        )
        return url_for("projects.indicator", project_id=project.id, indicator_id=indicator.id)

    return _form_page(project, form, _("Add an indicator"), action, _("Indicator added."))


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(project_id: int, indicator_id: int):
    project = _editable(project_id)
    record = _child(Indicator, indicator_id, project)
    form = IndicatorForm(obj=record)
    del form.element_id
    form.submit.label.text = _("Save indicator")
    if request.method == "GET":
        form.period_kind.data = record.period_kind.value
        form.training_measure.data = (
            record.training_measure.value if record.training_measure else ""
        )
    back = url_for("projects.indicator", project_id=project.id, indicator_id=record.id)

    def save() -> str:
        services.update_indicator(
            db.session,
            record,
            actor=current_user,
            name=form.name.data,
            unit=form.unit.data,
            baseline_value=form.baseline_value.data,
            baseline_date=form.baseline_date.data,
            period_kind=form.period_kind.data,
            means_of_verification=form.means_of_verification.data,
            training_measure=form.training_measure.data or None,
        )
        return back

    return _form_page(
        project,
        form,
        _("Edit indicator"),
        save,
        _("Indicator saved."),
        back=back,
        intro=_("Reported actuals are kept as they are whatever you change here."),
    )


@bp.route("/<int:project_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def indicator(project_id: int, indicator_id: int):
    """The indicator's page: chart, targets, and the full history of reported actuals. The
    target form posts here; the actual form has its own page."""
    project = _project(project_id)
    record = _child(Indicator, indicator_id, project)
    editable = can_edit(current_user, project)
    form = TargetForm()
    if request.method == "POST":
        require_edit(project)
        if form.validate_on_submit():
            try:
                services.set_target(
                    db.session,
                    record,
                    actor=current_user,
                    period=form.period.data,
                    value=form.value.data,
                )
            except DomainError as error:
                db.session.rollback()
                flash_error(error, form)
            else:
                db.session.commit()
                flash(_("Target saved."), "success")
                return redirect(request.path)
    return render_template(
        "projects/indicator.html",
        project=project,
        indicator=record,
        form=form,
        editable=editable,
        current=services.current_actuals(record),
        training_form=TrainingActualForm(),
        planned_now=services.planned_value(record, today()),
        chart=charts.svg_markup(
            charts.target_actual_chart(
                charts.indicator_series(record), width=640, height=260, **_chart_labels()
            ),
            _("Target and actual values of %(name)s", name=record.name),
        ),
    )


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/actuals", methods=["GET", "POST"])
@login_required
def report_actual(project_id: int, indicator_id: int):
    project = _editable(project_id)
    record = _child(Indicator, indicator_id, project)
    form = ActualForm()
    back = url_for("projects.indicator", project_id=project.id, indicator_id=record.id)

    def report() -> str:
        services.report_actual(
            db.session,
            record,
            actor=current_user,
            period=form.period.data,
            value=form.value.data,
            comment=form.comment.data,
            evidence_url=form.evidence_url.data,
        )
        return back

    return _form_page(
        project,
        form,
        _("Report an actual: %(name)s", name=record.name),
        report,
        _("Actual reported."),
        back=back,
        intro=_(
            "Reported values are kept as history: reporting a period again adds a newer figure "
            "and keeps the earlier one."
        ),
    )


# Phases and milestones --------------------------------------------------------------------


@bp.route("/<int:project_id>/phases/new", methods=["GET", "POST"])
@login_required
def add_phase(project_id: int):
    project = _editable(project_id)
    form = PhaseForm()
    return _form_page(
        project,
        form,
        _("Add a phase"),
        lambda: services.add_phase(
            db.session,
            project,
            actor=current_user,
            name=form.name.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
        ),
        _("Phase added."),
        anchor="timeline",
    )


@bp.route("/<int:project_id>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@login_required
def edit_phase(project_id: int, phase_id: int):
    project = _editable(project_id)
    phase = _child(Phase, phase_id, project)
    form = PhaseForm(obj=phase)
    form.submit.label.text = _("Save phase")
    return _form_page(
        project,
        form,
        _("Phase: %(name)s", name=phase.name),
        lambda: services.update_phase(
            db.session,
            phase,
            actor=current_user,
            name=form.name.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
        ),
        _("Phase saved."),
        anchor="timeline",
    )


def _optional_child(model: type, child_id: int | None, project: Project) -> Any:
    return _child(model, child_id, project) if child_id else None


@bp.route("/<int:project_id>/milestones/new", methods=["GET", "POST"])
@login_required
def add_milestone(project_id: int):
    project = _editable(project_id)
    form = MilestoneForm()
    form.phase_id.choices = _phase_choices(project)
    form.depends_on_id.choices = _milestone_choices(project)
    return _form_page(
        project,
        form,
        _("Add a milestone"),
        lambda: services.add_milestone(
            db.session,
            project,
            actor=current_user,
            title=form.title.data,
            due_date=form.due_date.data,
            owner=form.owner.data,
            phase=_optional_child(Phase, form.phase_id.data, project),
            depends_on=_optional_child(Milestone, form.depends_on_id.data, project),
            evidence=form.evidence.data,
        ),
        _("Milestone added."),
        anchor="milestones",
    )


@bp.route("/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(project_id: int, milestone_id: int):
    project = _editable(project_id)
    milestone = _child(Milestone, milestone_id, project)
    form = MilestoneEditForm(obj=milestone)
    form.phase_id.choices = _phase_choices(project)
    form.depends_on_id.choices = _milestone_choices(project, exclude=milestone)
    if request.method == "GET":
        form.status.data = milestone.status.value
    return _form_page(
        project,
        form,
        _("Milestone: %(title)s", title=milestone.title),
        lambda: services.update_milestone(
            db.session,
            milestone,
            actor=current_user,
            title=form.title.data,
            status=form.status.data,
            completed_on=form.completed_on.data,
            owner=form.owner.data,
            evidence=form.evidence.data,
            phase=_optional_child(Phase, form.phase_id.data, project),
            depends_on=_optional_child(Milestone, form.depends_on_id.data, project),
        ),
        _("Milestone saved."),
        anchor="milestones",
        intro=_("To move the due date, use “Re-plan”: the move is recorded with its reason."),
    )


@bp.route("/<int:project_id>/milestones/<int:milestone_id>/replan", methods=["GET", "POST"])
@login_required
def replan_milestone(project_id: int, milestone_id: int):
    project = _editable(project_id)
    milestone = _child(Milestone, milestone_id, project)
    form = ReplanForm()
    return _form_page(
        project,
        form,
        _("Re-plan: %(title)s", title=milestone.title),
        lambda: services.replan_milestone(
            db.session,
            milestone,
            actor=current_user,
            new_date=form.new_date.data,
            reason=form.reason.data,
        ),
        _("Due date moved; the baseline is kept."),
        anchor="milestones",
        intro=_(
            "Baseline %(baseline)s · current due date %(due)s.",
            baseline=milestone.baseline_date.isoformat(),
            due=milestone.due_date.isoformat(),
        ),
    )


# Risks, updates, rating -------------------------------------------------------------------


@bp.route("/<int:project_id>/risks/new", methods=["GET", "POST"])
@bp.route("/<int:project_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@login_required
def save_risk(project_id: int, risk_id: int | None = None):
    project = _editable(project_id)
    risk = _child(Risk, risk_id, project) if risk_id else None
    form = RiskForm(obj=risk)
    if request.method == "GET" and risk is not None:
        form.likelihood.data, form.impact.data = risk.likelihood.value, risk.impact.value
        form.status.data = risk.status.value
    return _form_page(
        project,
        form,
        _("Edit risk") if risk else _("Add a risk"),
        lambda: services.save_risk(
            db.session,
            project,
            risk,
            actor=current_user,
            description=form.description.data,
            likelihood=form.likelihood.data,
            impact=form.impact.data,
            mitigation=form.mitigation.data,
            owner=form.owner.data,
            status=form.status.data,
        ),
        _("Risk saved."),
        anchor="risks",
        intro=_("Risks are closed rather than deleted, so the register keeps its history."),
    )


@bp.route("/<int:project_id>/updates/new", methods=["GET", "POST"])
@login_required
def add_update(project_id: int):
    project = _editable(project_id)
    form = ProgressUpdateForm()
    return _form_page(
        project,
        form,
        _("Progress update"),
        lambda: services.add_progress_update(
            db.session,
            project,
            actor=current_user,
            period=form.period.data,
            achievements=form.achievements.data,
            issues=form.issues.data,
            next_steps=form.next_steps.data,
        ),
        _("Progress update added."),
        anchor="updates",
        intro=_("Updates are kept as written, as the project's reporting history."),
    )


@bp.route("/<int:project_id>/rating", methods=["GET", "POST"])
@login_required
def override_rating(project_id: int):
    project = _editable(project_id)
    assessment = services.compute_rag(project, today())
    form = OverrideForm()
    if request.method == "GET" and assessment.computed:
        form.rating.data = assessment.computed.value
    return _form_page(
        project,
        form,
        _("Override the RAG rating"),
        lambda: services.override_rag(
            db.session,
            project,
            actor=current_user,
            rating=form.rating.data,
            justification=form.justification.data,
            today=today(),
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
    project = _editable(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.withdraw_override(db.session, project, actor=current_user)
    db.session.commit()
    flash(_("Override withdrawn; the computed rating applies again."), "success")
    return _to_project(project, "rating")


RAG_COLOURS = {Rag.GREEN: "success", Rag.AMBER: "warning", Rag.RED: "danger"}


@bp.app_template_filter("rag_colour")
def rag_colour(rating: Rag | None) -> str:
    return RAG_COLOURS.get(rating, "secondary") if rating else "secondary"


# Training delivered ----------------------------------------------------------------------------


@bp.route("/<int:project_id>/training/link", methods=["POST"])
@login_required
def link_session(project_id: int):
    project = _editable(project_id)
    form = LinkSessionForm()
    _training_choices(project, form)
    if form.validate_on_submit():
        course_session = db.session.get(CourseSession, form.course_session_id.data)
        try:
            training.link_session(
                db.session,
                project,
                _child_activity(form.activity_id.data, project),
                course_session,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("Session linked; its trainees now count as training delivered."), "success")
    else:
        flash(_("Choose an activity and a session."), "danger")
    return _to_project(project, "training")


@bp.route("/<int:project_id>/training/<int:link_id>/unlink", methods=["POST"])
@login_required
def unlink_session(project_id: int, link_id: int):
    project = _editable(project_id)
    link = db.session.get(ActivitySession, link_id)
    if link is None or link.activity.output.project_id != project.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    training.unlink_session(db.session, project, link, actor=current_user)
    db.session.commit()
    flash(_("Session unlinked."), "success")
    return _to_project(project, "training")


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/from-training", methods=["POST"])
@login_required
def training_actual(project_id: int, indicator_id: int):
    project = _editable(project_id)
    record = _child(Indicator, indicator_id, project)
    form = TrainingActualForm()
    if form.validate_on_submit():
        try:
            actual = training.report_training_actual(
                db.session, record, period=form.period.data, actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(
                _(
                    "Actual %(value)s reported for %(period)s from the training records.",
                    value=actual.value,
                    period=actual.period,
                ),
                "success",
            )
    else:
        flash(_("Enter the period, for example 2026 or 2026-Q3."), "danger")
    return redirect(url_for("projects.indicator", project_id=project.id, indicator_id=record.id))


def _child_activity(activity_id: int | None, project: Project) -> Activity:
    activity = db.session.get(Activity, activity_id) if activity_id else None
    if activity is None or activity.output.project_id != project.id:
        abort(404)
    return activity


def _training_choices(project: Project, form: LinkSessionForm) -> None:
    activities = db.session.scalars(
        sa.select(Activity)
        .join(LogframeElement, LogframeElement.id == Activity.output_id)
        .where(LogframeElement.project_id == project.id)
        .order_by(Activity.id)
    ).all()
    form.activity_id.choices = [(a.id, a.title) for a in activities]
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .where(
            CourseSession.ends_on >= project.start_date, CourseSession.starts_on <= project.end_date
        )
        .order_by(CourseSession.starts_on.desc())
        .limit(300)
    ).all()
    form.course_session_id.choices = [
        (
            s.id,
            f"{s.course.code} {s.course.title} — {s.starts_on.isoformat()}"
            + (f" ({s.venue})" if s.venue else ""),
        )
        for s in sessions
    ]
