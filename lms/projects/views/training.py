"""Training delivered: linking course sessions to the project's activities, and reporting an
indicator's actual from the training records."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.courses.models import CourseSession
from lms.projects import services, training
from lms.projects.forms import LinkSessionForm, TrainingActualForm
from lms.projects.models import Activity, ActivitySession, Indicator, Project
from lms.projects.views import bp
from lms.projects.views.common import child, form_action, project_for_edit, to_project


def _session_label(s: CourseSession) -> str:
    return f"{s.course.code} {s.course.title} — {s.starts_on.isoformat()}" + (
        f" ({s.venue})" if s.venue else ""
    )


def _link_form(project: Project) -> LinkSessionForm:
    form = LinkSessionForm()
    activities = services.project_activities(db.session, project)
    form.activity_id.choices = [(a.id, a.title) for a in activities]
    return form


def link_form_context(project: Project, query: str, editable: bool) -> dict[str, Any]:
    """The "link a session" form of the project page, for its editors: the sessions that ran
    during the project, searched by ``query``, with a clear note when more match than shown."""
    if not editable:
        return {"link_form": None, "session_choices": None}
    form = _link_form(project)
    choices = services.linkable_sessions(db.session, project, query=query)
    form.course_session_id.choices = [(s.id, _session_label(s)) for s in choices.sessions]
    return {"link_form": form, "session_choices": choices}


def _child_activity(activity_id: int | None, project: Project) -> Activity:
    activity = db.session.get(Activity, activity_id) if activity_id else None
    if activity is None or activity.output.project_id != project.id:
        abort(404)
    return activity


@bp.route("/<int:project_id>/training/link", methods=["POST"])
@login_required
def link_session(project_id: int):
    project = project_for_edit(project_id)
    form = _link_form(project)
    chosen = services.linkable_session(
        db.session, project, request.form.get("course_session_id", type=int)
    )
    form.course_session_id.choices = [(chosen.id, _session_label(chosen))] if chosen else []
    form_action(
        lambda: training.link_session(
            db.session,
            project,
            _child_activity(form.activity_id.data, project),
            chosen,
            actor=current_user,
        ),
        form,
        _("Session linked; its trainees now count as training delivered."),
        _("Choose an activity and a session."),
    )
    return to_project(project, "training")


@bp.route("/<int:project_id>/training/<int:link_id>/unlink", methods=["POST"])
@login_required
def unlink_session(project_id: int, link_id: int):
    project = project_for_edit(project_id)
    link = db.session.get(ActivitySession, link_id)
    if link is None or link.activity.output.project_id != project.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: training.unlink_session(db.session, project, link, actor=current_user),
        success=_("Session unlinked."),
    )
    return to_project(project, "training")


@bp.route("/<int:project_id>/indicators/<int:indicator_id>/from-training", methods=["POST"])
@login_required
def training_actual(project_id: int, indicator_id: int):
    project = project_for_edit(project_id)
    record = child(Indicator, indicator_id, project)
    form = TrainingActualForm()
    form_action(
        lambda: training.report_training_actual(
            db.session, record, period=form.period.data, actor=current_user
        ),
        form,
        lambda actual: _(
            "Actual %(value)s reported for %(period)s from the training records.",
            value=actual.value,
            period=actual.period,
        ),
        _("Enter the period, for example 2026 or 2026-Q3."),
    )
    return redirect(url_for("projects.indicator", project_id=project.id, indicator_id=record.id))
