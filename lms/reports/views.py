"""Reports pages: generate and download reports, report runs with their status, the
statistics page, certificates and their public verification, report schedules."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role, User
from lms.core import clock
from lms.core.bounds import parse_date
from lms.core.charts import svg_markup
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import DomainError, PermissionDenied, commit_or_report, flash_error
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import login_required, require_view, role_required
from lms.core.ratelimit import export_limited, rate_limited
from lms.core.redirects import referrer_target
from lms.progress import services as progress_services
from lms.progress.models import Certificate
from lms.progress.services import can_view_trainee, certificates_for
from lms.projects.models import Project
from lms.reports import certificates as certificate_services
from lms.reports import choices, documents, exports, runner, services
from lms.reports.data import directorate_data
from lms.reports.forms import CertificateBundleForm, GenerateForm, ScheduleForm
from lms.reports.models import ReportKind, ReportRun, ReportSchedule, RunStatus
from lms.reports.parameters import run_parameters

bp = Blueprint("reports", __name__)


EVERYONE = (Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER, Role.TRAINEE)
STAFF = (Role.ADMIN, Role.DIRECTORATE)


def _generate_form(kind: ReportKind, **values) -> GenerateForm:
    form = GenerateForm(formdata=None, kind=kind.value, **values)
    form.format.choices = [(f.value, f.label) for f in services.formats_for(kind)]
    return form


def _send(content: bytes, filename: str, mime: str):
    return send_file(io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=filename)


def _capped_note(capped: choices.Capped, what: str) -> str:
    if not capped.more:
        return ""
    return _(
        "Showing the first %(limit)s %(what)s only; narrow the list to find the others.",
        limit=capped.limit,
        what=what,
    )


# Runs -----------------------------------------------------------------------------------------


@bp.route("/reports/")
@role_required(*EVERYONE)
@export_limited
def index():
    if wants_csv():
        stmt = services.visible_runs_query(current_user)
        return csv_response("report-runs", *exports.runs_table(db.session, stmt))
    page = paginate(services.visible_runs_query(current_user))
    projects = choices.report_projects(db.session, current_user)
    return render_template(
        "reports/index.html",
        page=page,
        parameters={r.id: run_parameters(db.session, r.kind, r.parameters) for r in page.items},
        projects=projects.items,
        projects_note=_capped_note(projects, _("projects")),
        is_staff=current_user.has_role(*STAFF),
        reads_trainees=current_user.has_role(
            Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER
        ),
        directorate_form=_generate_form(
            ReportKind.DIRECTORATE, start=date(clock.today().year, 1, 1), end=clock.today()
        ),
    )


@bp.route("/reports/trainees/")
@role_required(Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER)
@export_limited
def trainees():
    """Trainees whose report the user may generate (the same remit as their records)."""
    q = request.args.get("q", "").strip().lower()
    if wants_csv():
        table = exports.trainees_table(db.session, current_user, choices.trainee_search(q))
        return csv_response("report-trainees", *table)
    page = paginate(choices.trainee_search(q))
    visible = progress_services.trainees_in_remit(db.session, current_user, page.items)
    return render_template("reports/trainees.html", page=page, q=q, visible=visible)


def _generate_request() -> tuple[GenerateForm, ReportKind]:
    form = GenerateForm()
    try:
        kind = ReportKind(form.kind.data or "")
    except ValueError:
        abort(400)
    form.format.choices = [(f.value, f.label) for f in services.formats_for(kind)]
    return form, kind


def _start_run(form: GenerateForm, kind: ReportKind) -> Callable[[], ReportRun]:
    """The service call behind ``generate``; a refusal for lack of permission is a 403 page,
    any other refusal a flash message on the page the user came from."""
    params = {"user_id": form.user_id.data, "project_id": form.project_id.data}
    params |= {"start": form.start.data, "end": form.end.data, "narrative": form.narrative.data}

    def start() -> ReportRun:
        try:
            return services.start_run(
                db.session,
                user=current_user,
                kind=kind,
                params=params,
                format=form.format.data,
                today=clock.today(),
            )
        except PermissionDenied:
            db.session.rollback()
            abort(403)

    return start


@bp.route("/reports/generate", methods=["POST"])
@role_required(*EVERYONE)
@rate_limited("reports", methods=("POST",))
def generate():
    form, kind = _generate_request()
    back = referrer_target(url_for("reports.index"))
    if not form.validate_on_submit():
        for error in (e for errors in form.errors.values() for e in errors):
            flash(error, "danger")
        return redirect(back)
    done, run = commit_or_report(_start_run(form, kind))
    if not done:
        return redirect(back)
    if kind in services.BACKGROUND_KINDS:
        runner.submit(run.id)  # after the commit: the runner claims it in its own transaction
    elif run.status == RunStatus.DONE:
        return redirect(url_for("reports.download", run_id=run.id))
    return redirect(url_for("reports.run", run_id=run.id))


def _run_or_403(run_id: int) -> ReportRun:
    run = db.session.get(ReportRun, run_id)
    if run is None:
        abort(404)
    if not services.may_view_report(db.session, current_user, run.kind, run.parameters):
        abort(403)
    return run


@bp.route("/reports/runs/<int:run_id>")
@role_required(*EVERYONE)
def run(run_id: int):
    report_run = _run_or_403(run_id)
    pending = report_run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    response = make_response(
        render_template(
            "reports/run.html",
            run=report_run,
            pending=pending,
            parameters=run_parameters(db.session, report_run.kind, report_run.parameters),
        )
    )
    if pending:
        response.headers["Refresh"] = "2"
    return response


@bp.route("/reports/runs/<int:run_id>/download")
@role_required(*EVERYONE)
def download(run_id: int):
    report_run = _run_or_403(run_id)
    if report_run.status != RunStatus.DONE:
        return redirect(url_for("reports.run", run_id=run_id))
    return _send(report_run.content, report_run.filename, report_run.mime_type)


# Pages that offer a report ------------------------------------------------------------------------


@bp.route("/reports/trainees/<int:user_id>")
@role_required(*EVERYONE)
def trainee(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not can_view_trainee(db.session, current_user, person):
        abort(403)
    return render_template(
        "reports/trainee.html",
        trainee=person,
        form=_generate_form(ReportKind.TRAINEE, user_id=person.id),
        record_form=_generate_form(ReportKind.TRAINEE_RECORD, user_id=person.id),
        certificates=certificates_for(db.session, person),
        certificate_status=progress_services.certificate_status,
        today=clock.today(),
    )


@bp.route("/reports/my")
@role_required(*EVERYONE)
def mine():
    return redirect(url_for("reports.trainee", user_id=current_user.id))


@bp.route("/reports/projects/<int:project_id>")
@role_required(*EVERYONE)
def project(project_id: int):
    item = require_view(db.session.get(Project, project_id))
    return render_template(
        "reports/project.html",
        project=item,
        form=_generate_form(ReportKind.PROJECT, project_id=item.id),
    )


def _period() -> tuple[date, date]:
    today = clock.today()
    try:
        start = parse_date(request.args.get("start") or f"{today.year}-01-01")
        end = parse_date(request.args.get("end") or today.isoformat())
    except ValueError:
        flash(_("Enter dates as YYYY-MM-DD, between 1900 and 2100."), "danger")
        start, end = date(today.year, 1, 1), today
    if end < start:
        flash(_("The end of the period is before its start."), "danger")
        start, end = end, start
    return start, end


# Rows of a statistics table shown on the page (the rest one click away, and in the report's
# CSV, XLSX and PDF): a year of sessions at the programme's size is thousands of rows.
STATISTICS_SHOWN_ROWS = 25


def _statistics_charts(data) -> dict[str, Markup]:
    """The statistics page's charts, each with its title, description and data table."""
    return {
        "region_chart": svg_markup(
            documents.region_chart(data),
            _("Trainees by region"),
            description=_("Trainees enrolled, completed and certified in each region."),
            table=documents.region_chart_data(data).table(_("Region")),
            full_width=True,
        ),
        "levels_chart": svg_markup(
            documents.levels_chart(data),
            _("Competency level distribution"),
            description=_("Current ratings at each level of the scale."),
            table=documents.levels_chart_data(data).table(_("Level")),
            full_width=True,
        ),
    }


@bp.route("/reports/statistics")
@role_required(*STAFF)
def statistics():
    start, end = _period()
    data = directorate_data(db.session, start, end, clock.today())
    return render_template(
        "reports/statistics.html",
        data=data,
        tables=data.tables(),
        **_statistics_charts(data),
        form=_generate_form(ReportKind.DIRECTORATE, start=start, end=end),
        start=start,
        end=end,
        shown_rows=STATISTICS_SHOWN_ROWS,
        full_table=request.args.get("full", ""),
    )


# Certificates ------------------------------------------------------------------------------------


@bp.route("/reports/certificates/<int:certificate_id>.pdf")
@login_required
@rate_limited("reports")
def certificate(certificate_id: int):
    item = db.session.get(Certificate, certificate_id)
    if item is None:
        abort(404)
    if not can_view_trainee(db.session, current_user, item.user):
        abort(403)
    content = certificate_services.certificate_document(item, current_app.config["LMS_BASE_URL"])
    return _send(content, certificate_services.certificate_filename(item), "application/pdf")


def _bundle_form() -> CertificateBundleForm:
    form = CertificateBundleForm()
    offered = choices.bundle_choices(db.session)
    form.track_id.choices = [(0, "—")] + [(t.id, f"{t.code} {t.name}") for t in offered.tracks]
    form.session_id.choices = [(0, "—")] + [
        (s.id, f"{s.course.code} {s.starts_on.isoformat()} {s.venue}")
        for s in offered.sessions.items
    ]
    if offered.sessions.more:
        form.session_id.description = _(
            "Showing the latest %(limit)s sessions; choose a track or the issue dates for "
            "certificates of older ones.",
            limit=offered.sessions.limit,
        )
    return form


@bp.route("/reports/certificates/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@rate_limited("reports", methods=("POST",))
def certificate_bundle():
    form = _bundle_form()
    if form.validate_on_submit():
        try:
            chosen = certificate_services.select_certificates(
                db.session,
                track_id=form.track_id.data or None,
                session_id=form.session_id.data or None,
                start=form.start.data,
                end=form.end.data,
            )
        except DomainError as error:
            flash_error(error, form)
            return render_template("reports/certificates.html", form=form)
        if not chosen:
            flash(_("No certificates match."), "warning")
        else:
            content = certificate_services.certificates_zip(
                chosen, current_app.config["LMS_BASE_URL"]
            )
            return _send(
                content, f"certificates-{clock.today().isoformat()}.zip", "application/zip"
            )
    return render_template("reports/certificates.html", form=form)


@bp.route("/verify/<code>")
def verify(code: str):
    result = certificate_services.verify(db.session, code[:40], clock.today())
    status = 200 if result else 404
    return render_template("reports/verify.html", result=result, code=code[:40]), status


# Schedules ----------------------------------------------------------------------------------


@bp.route("/reports/schedules/")
@role_required(*STAFF)
@export_limited
def schedules():
    if wants_csv():
        table = exports.schedules_table(db.session, services.schedules_query())
        return csv_response("report-schedules", *table)
    page = paginate(services.schedules_query())
    return render_template("reports/schedules.html", page=page, confirm=ConfirmForm())


def _schedule_choices(form: ScheduleForm) -> None:
    offered = choices.schedule_choices(db.session)
    form.project_id.choices = [(0, "—")] + [(p.id, f"{p.code} {p.title}") for p in offered.projects]
    form.trainee_id.choices = [(0, "—")] + [
        (u.id, f"{u.full_name} <{u.email}>") for u in offered.trainees
    ]
    form.recipient_ids.choices = [(u.id, f"{u.full_name} <{u.email}>") for u in offered.recipients]
    form.member_roles.choices = [
        (f"{m.id}:{r.value}", f"{m.name} — {r.label}") for m in offered.members for r in Role
    ]


def _fill_schedule_form(form: ScheduleForm, schedule: ReportSchedule) -> None:
    """The stored schedule shown in the form's fields (the kind decides which are used)."""
    form.kind.data = schedule.kind.value
    form.format.data = schedule.format.value
    form.recurrence.data = schedule.recurrence.value
    form.empty_policy.data = schedule.empty_policy.value
    form.period.data = schedule.parameters.get("period", "previous_month")
    form.narrative.data = schedule.parameters.get("narrative", "")
    form.project_id.data = schedule.parameters.get("project_id", 0)
    form.trainee_id.data = schedule.parameters.get("user_id", 0)
    form.next_run_at.data = schedule.next_run_at.replace(tzinfo=None)
    form.recipient_ids.data = [r.user_id for r in schedule.recipients if r.user_id]
    form.member_roles.data = [
        f"{r.member_id}:{r.role.value}" for r in schedule.recipients if r.user_id is None
    ]


def _save_schedule(form: ScheduleForm, schedule: ReportSchedule | None):
    kind = ReportKind(form.kind.data)
    if kind == ReportKind.DIRECTORATE:
        params = {"period": form.period.data, "narrative": form.narrative.data}
    elif kind == ReportKind.PROJECT:
        params = {"project_id": form.project_id.data or None}
    else:
        params = {"user_id": form.trainee_id.data or None}
    recipients = [services.RecipientSpec(user_id=uid) for uid in form.recipient_ids.data or []]
    for value in form.member_roles.data or []:
        member_id, role = value.split(":", 1)
        recipients.append(
            services.RecipientSpec(member_administration_id=int(member_id), role=Role(role))
        )
    return services.save_schedule(
        db.session,
        actor=current_user,
        schedule=schedule,
        name=form.name.data,
        kind=kind,
        parameters=params,
        format=form.format.data,
        recurrence=form.recurrence.data,
        empty_policy=form.empty_policy.data,
        next_run_at=form.next_run_at.data.replace(tzinfo=UTC),
        recipients=recipients,
    )


@bp.route("/reports/schedules/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_schedule():
    form = ScheduleForm()
    _schedule_choices(form)
    if request.method == "GET":
        tomorrow = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
        form.next_run_at.data = (tomorrow + timedelta(days=1)).replace(tzinfo=None)
    if form.validate_on_submit():
        done, _schedule = commit_or_report(
            lambda: _save_schedule(form, None), form=form, success=_("Schedule saved.")
        )
        if done:
            return redirect(url_for("reports.schedules"))
    return render_template("reports/schedule_form.html", form=form, schedule=None)


@bp.route("/reports/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_schedule(schedule_id: int):
    schedule = db.session.get(ReportSchedule, schedule_id)
    if schedule is None:
        abort(404)
    form = ScheduleForm(obj=None if request.method == "POST" else schedule)
    _schedule_choices(form)
    if request.method == "GET":
        _fill_schedule_form(form, schedule)
    if form.validate_on_submit():
        done, _schedule = commit_or_report(
            lambda: _save_schedule(form, schedule), form=form, success=_("Schedule saved.")
        )
        if done:
            return redirect(url_for("reports.schedules"))
    return render_template("reports/schedule_form.html", form=form, schedule=schedule)


@bp.route("/reports/schedules/<int:schedule_id>/delete", methods=["POST"])
@role_required(*STAFF)
def delete_schedule(schedule_id: int):
    schedule = db.session.get(ReportSchedule, schedule_id)
    if schedule is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: services.delete_schedule(db.session, schedule, actor=current_user),
            success=_("Schedule deleted; the reports it produced are kept."),
        )
    return redirect(url_for("reports.schedules"))


# Commands for cron or the scheduler: `lms reports run-due`, `lms reports run-queued`.


@bp.cli.command("run-due")
def run_due_command():
    """Generate and send the report schedules that are due now."""
    import click

    from lms.core.model_base import utcnow

    runs = services.run_due_schedules(db.session, utcnow())
    db.session.commit()
    click.echo(f"{len(runs)} scheduled report(s) generated.")


@bp.cli.command("run-queued")
def run_queued_command():
    """Run report runs left queued (e.g. by a restart)."""
    import click

    click.echo(f"{len(runner.execute_queued_runs())} queued report run(s) executed.")
