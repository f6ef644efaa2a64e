"""The logical framework: goal → outcomes → outputs, and the activities under outputs."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import audited, record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.projects.models import Activity, LogframeElement, LogframeLevel, Project
from lms.projects.services.common import _text

_PARENT_LEVEL = {
    LogframeLevel.OUTCOME: LogframeLevel.GOAL,
    LogframeLevel.OUTPUT: LogframeLevel.OUTCOME,
}


def add_logframe_element(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    level: LogframeLevel | str,
    statement: str,
    code: str = "",
    parent: LogframeElement | None = None,
) -> LogframeElement:
    """Goal → outcomes → outputs: one goal per project, each outcome under the goal, each
    output under an outcome of the same project."""
    try:
        level = LogframeLevel(level)
    except ValueError as exc:
        raise ValidationError(_("Choose goal, outcome or output."), field="level") from exc
    statement = _text(statement, "statement", _("Write the statement."))
    elements = project.logframe_elements
    if level is LogframeLevel.GOAL:
        if parent is not None:
            raise ValidationError(
                _("The goal sits at the top; it has no parent."), field="parent_id"
            )
        if any(e.level is LogframeLevel.GOAL for e in elements):
            raise ConflictError(_("This project already has its goal."), field="level")
        code = (code or "").strip() or "G"
    else:
        wanted = _PARENT_LEVEL[level]
        if parent is None or parent.project_id != project.id or parent.level is not wanted:
            raise ValidationError(
                _("An outcome sits under the goal.")
                if wanted is LogframeLevel.GOAL
                else _("An output sits under an outcome."),
                field="parent_id",
            )
        if not (code or "").strip():
            siblings = [e for e in elements if e.parent_id == parent.id]
            prefix = "" if parent.level is LogframeLevel.GOAL else f"{parent.code}."
            code = f"{prefix}{len(siblings) + 1}"
    code = code.strip()[:20]
    if any(e.code == code for e in elements):
        raise ConflictError(
            _("The code %(code)s is already used in this logframe.", code=code), field="code"
        )
    element = LogframeElement(
        project=project, parent=parent, level=level, code=code, statement=statement
    )
    session.add(element)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="logframe.added",
        entity=element,
        after={"project": project.code, "level": level.value, "code": code, "statement": statement},
        summary=f"{project.code} {code}",
    )
    return element


def add_activity(
    session: Session,
    output: LogframeElement,
    *,
    actor: User | None,
    title: str,
    description: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Activity:
    if output.level is not LogframeLevel.OUTPUT:
        raise ValidationError(_("Activities sit under an output."), field="output_id")
    title = _text(title, "title", _("Enter the activity's title."), max_length=200)
    if start_date and end_date and end_date < start_date:
        raise ValidationError(_("The activity cannot end before it starts."), field="end_date")
    activity = Activity(
        output=output,
        title=title,
        description=(description or "").strip(),
        start_date=start_date,
        end_date=end_date,
    )
    session.add(activity)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="activity.added",
        entity=activity,
        after={"output": output.code, "title": title},
        summary=title,
    )
    return activity


def update_logframe_element(
    session: Session, element: LogframeElement, *, actor: User | None, statement: str
) -> LogframeElement:
    """Reword a statement; its place in the logframe (level, parent, code) stays."""
    statement = _text(statement, "statement", _("Write the statement."))
    with audited(
        session,
        element,
        ("statement",),
        actor=actor,
        action="logframe.updated",
        summary=element.code,
    ):
        element.statement = statement
    return element


def logframe_tree(project: Project) -> dict[int | None, list[LogframeElement]]:
    """The logframe as ``{parent id: children}``; the goal sits under ``None``."""
    children: dict[int | None, list[LogframeElement]] = {}
    for element in project.logframe_elements:
        children.setdefault(element.parent_id, []).append(element)
    return children
