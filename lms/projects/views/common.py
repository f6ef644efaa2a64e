"""What every project page shares: finding the project and its records under the record
rules, the common shape of an editor, and the labels of the choice lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.core import clock
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import require_edit, require_view
from lms.projects import charts, services
from lms.projects.models import Indicator, LogframeLevel, Milestone, Project


def today() -> date:
    """The date the pages judge lateness and RAG on (``LMS_TODAY`` pins it)."""
    return clock.today()


def project_for_view(project_id: int) -> Project:
    return require_view(services.load_project(db.session, project_id))


def project_for_edit(project_id: int) -> Project:
    return require_edit(services.load_project(db.session, project_id))


def child(model: type, child_id: int | None, project: Project) -> Any:
    """A record of ``project``: 404 when it belongs to another project, so ids cannot be mixed."""
    record = db.session.get(model, child_id) if child_id else None
    if record is None or record.project_id != project.id:
        abort(404)
    return record


def optional_child(model: type, child_id: int | None, project: Project) -> Any:
    return child(model, child_id, project) if child_id else None


def to_project(project: Project, anchor: str = "") -> Any:
    return redirect(
        url_for("projects.detail", project_id=project.id) + (f"#{anchor}" if anchor else "")
    )


def data(form: Any, *names: str) -> dict[str, Any]:
    """The submitted values of ``names``, as keyword arguments for the service."""
    return {name: form[name].data for name in names}


def prefill_choices(form: Any, record: Any, *names: str) -> None:
    """Show a record's enum values in its select fields (the form holds their ``.value``)."""
    for name in names:
        value = getattr(record, name)
        form[name].data = value.value if value is not None else ""


def form_page(
    project: Project | None,
    form: Any,
    heading: str,
    action: Callable[[], Any],
    done: str,
    *,
    anchor: str = "",
    back: str | None = None,
    to: str | Callable[[Any], str] | None = None,
    intro: str = "",
) -> Any:
    """The common shape of an editor: validate, call the service through
    ``commit_or_report``, then go to ``to`` (or the project's ``anchor``); or show the form
    again with the error and everything typed kept."""
    if form.validate_on_submit():
        ok, result = commit_or_report(action, form=form, success=done)
        if ok:
            if to is not None:
                return redirect(to(result) if callable(to) else to)
            return to_project(project, anchor)
    return render_template(
        "projects/form.html",
        project=project,
        form=form,
        heading=heading,
        intro=intro,
        cancel_url=back or url_for("projects.detail", project_id=project.id),
    )


def form_action(
    action: Callable[[], Any], form: Any, done: str | Callable[[Any], str], invalid: str
) -> bool:
    """A small form posted from the project page (no page of its own): the service's refusal,
    or ``invalid`` when the form does not validate, is flashed."""
    if not form.validate_on_submit():
        flash(invalid, "danger")
        return False
    return commit_or_report(action, success=done)[0]


# Choice labels ------------------------------------------------------------------------------


def member_choices() -> list[tuple[int, str]]:
    return [(m.id, f"{m.name} ({m.country_code})") for m in services.active_members(db.session)]


def manager_choices() -> list[tuple[int, str]]:
    return [(u.id, u.full_name) for u in services.active_project_managers(db.session)]


def user_choices() -> list[tuple[int, str]]:
    return [(u.id, f"{u.full_name} <{u.email}>") for u in services.active_users(db.session)]


def phase_choices(project: Project) -> list[tuple[Any, str]]:
    return [("", _("— none —"))] + [(p.id, p.name) for p in project.phases]


def milestone_choices(project: Project, exclude: Milestone | None = None) -> list[tuple[Any, str]]:
    return [("", _("— none —"))] + [
        (m.id, f"{m.title} ({m.due_date.isoformat()})")
        for m in project.milestones
        if exclude is None or m.id != exclude.id
    ]


def element_choices(project: Project, levels: tuple[LogframeLevel, ...]) -> list[tuple[Any, str]]:
    return [
        (e.id, f"{e.level.label} {e.code} – {e.statement[:80]}")
        for e in project.logframe_elements
        if e.level in levels
    ]


# Charts -------------------------------------------------------------------------------------


def _chart_labels() -> dict[str, str]:
    return {
        "target_label": _("Target"),
        "actual_label": _("Actual"),
        "empty_label": _("No targets or actuals yet"),
    }


def indicator_chart(indicator: Indicator, **size: int) -> Any:
    return charts.indicator_svg(
        indicator,
        label=_("Target and actual values of %(name)s", name=indicator.name),
        **size,
        **_chart_labels(),
    )


def timeline_chart(project: Project, on: date) -> Any:
    return charts.timeline_svg(
        charts.timeline_data(project, on),
        label=_("Timeline of phases and milestones"),
        today_label=_("today"),
    )
