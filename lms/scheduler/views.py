"""The admin page of scheduled jobs. Thin: parse, authorise, call a service, commit, render.
The web never runs a job: "run now" records a request the scheduler process picks up."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import role_required
from lms.core.ratelimit import export_limited
from lms.scheduler import exports, services
from lms.scheduler.forms import ScheduleForm
from lms.scheduler.models import ScheduledJob
from lms.scheduler.registry import JOBS

RECENT_RUNS = 10
bp = Blueprint("scheduler", __name__, url_prefix="/admin/jobs")


def _job(name: str) -> ScheduledJob:
    job = services.get_job(db.session, name)
    if job is None:
        abort(404)
    return job


@bp.route("")
@role_required(Role.ADMIN)
def jobs():
    # Registered jobs get their rows here too, so the page is complete before the scheduler's
    # first start (an idempotent insert; the scheduler does the same).
    if services.sync_jobs(db.session):
        db.session.commit()
    rows = services.all_jobs(db.session)
    return render_template(
        "scheduler/jobs.html",
        jobs=rows,
        definitions=JOBS,
        last=services.last_runs(db.session, [j.id for j in rows]),
        leader=services.leader_status(db.session),
        confirm=ConfirmForm(),
    )


@bp.route("/runs")
@role_required(Role.ADMIN)
@export_limited
def runs():
    """The run history, of one job (``?job=name``) or of all, newest first."""
    name = request.args.get("job", "").strip()
    job = _job(name) if name else None
    if wants_csv():
        return csv_response("job-runs", *exports.runs_table(db.session, services.runs_query(job)))
    page = paginate(services.runs_query(job))
    return render_template("scheduler/runs.html", page=page, job=job)


def _save_schedule(job: ScheduledJob, form: ScheduleForm):
    return commit_or_report(
        lambda: services.change_schedule(
            db.session,
            job,
            actor=current_user,
            kind=form.kind.data,
            interval_seconds=form.interval_seconds(),
            cron=form.cron.data,
        ),
        form=form,
        success=lambda _result: _(
            "The schedule of %(name)s is now %(trigger)s.", name=job.name, trigger=job.trigger_label
        ),
        redirect_to=url_for("scheduler.job_detail", name=job.name),
    )


@bp.route("/<name>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def job_detail(name: str):
    job = _job(name)
    form = ScheduleForm()
    if form.validate_on_submit():
        outcome = _save_schedule(job, form)
        if outcome.response:
            return outcome.response
    elif not form.is_submitted():
        form.fill_from(job)
    return render_template(
        "scheduler/job_detail.html",
        job=job,
        definition=JOBS.get(job.name),
        form=form,
        runs=services.recent_runs(db.session, job, RECENT_RUNS),
        confirm=ConfirmForm(),
        leader=services.leader_status(db.session),
    )


def _action(name: str, action, message: str):
    job = _job(name)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(lambda: action(job), success=message % {"name": job.name})
    return redirect(url_for("scheduler.job_detail", name=job.name))


@bp.route("/<name>/pause", methods=["POST"])
@role_required(Role.ADMIN)
def pause(name: str):
    return _action(
        name,
        lambda job: services.pause_job(db.session, job, actor=current_user),
        _("%(name)s is paused; it will not run on its schedule until resumed."),
    )


@bp.route("/<name>/resume", methods=["POST"])
@role_required(Role.ADMIN)
def resume(name: str):
    return _action(
        name,
        lambda job: services.resume_job(db.session, job, actor=current_user),
        _("%(name)s is running on its schedule again."),
    )


@bp.route("/<name>/run", methods=["POST"])
@role_required(Role.ADMIN)
def run_now(name: str):
    return _action(
        name,
        lambda job: services.request_run(db.session, job, actor=current_user),
        _("A run of %(name)s is requested; the scheduler starts it within a few seconds."),
    )
