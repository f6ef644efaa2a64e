"""Phases and milestones: a milestone's baseline date never moves; its due date moves only
through a re-plan recorded with its reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import audited, record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.projects.models import Milestone, MilestoneReplan, MilestoneStatus, Phase, Project
from lms.projects.services.common import _text, _within_project, refresh_summary

MILESTONE_FIELDS = ("title", "owner", "status", "completed_on", "evidence", "due_date", "phase_id")


def update_phase(
    session: Session,
    phase: Phase,
    *,
    actor: User | None,
    name: str,
    start_date: date | None,
    end_date: date | None,
) -> Phase:
    name = _text(name, "name", _("Name the phase."), max_length=120)
    if start_date is None or end_date is None:
        raise ValidationError(_("Enter the phase's start and end dates."), field="start_date")
    if end_date < start_date:
        raise ValidationError(_("The phase cannot end before it starts."), field="end_date")
    _within_project(phase.project, start_date, "start_date")
    _within_project(phase.project, end_date, "end_date")
    with audited(
        session,
        phase,
        ("name", "start_date", "end_date"),
        actor=actor,
        action="phase.updated",
        summary=name,
    ):
        phase.name, phase.start_date, phase.end_date = name, start_date, end_date
    return phase


def add_phase(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    name: str,
    start_date: date | None,
    end_date: date | None,
) -> Phase:
    name = _text(name, "name", _("Name the phase."), max_length=120)
    if start_date is None or end_date is None:
        raise ValidationError(_("Enter the phase's start and end dates."), field="start_date")
    if end_date < start_date:
        raise ValidationError(_("The phase cannot end before it starts."), field="end_date")
    _within_project(project, start_date, "start_date")
    _within_project(project, end_date, "end_date")
    phase = Phase(name=name, start_date=start_date, end_date=end_date)
    project.phases.append(phase)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="phase.added",
        entity=phase,
        after={"project": project.code, "name": name},
        summary=name,
    )
    return phase


def _check_dependency(project: Project, milestone: Milestone | None, depends_on: Milestone | None):
    if depends_on is None:
        return
    if depends_on.project_id != project.id:
        raise ValidationError(
            _("A milestone can only depend on one of the same project."), field="depends_on_id"
        )
    seen = set()
    step: Milestone | None = depends_on
    while step is not None:
        if milestone is not None and step.id == milestone.id:
            raise ValidationError(_("That dependency would make a loop."), field="depends_on_id")
        if step.id in seen:
            break
        seen.add(step.id)
        step = step.depends_on


def add_milestone(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    title: str,
    due_date: date | None,
    owner: str = "",
    phase: Phase | None = None,
    depends_on: Milestone | None = None,
    evidence: str = "",
) -> Milestone:
    """The due date given now becomes the milestone's baseline, kept for ever."""
    title = _text(title, "title", _("Enter the milestone."), max_length=200)
    if due_date is None:
        raise ValidationError(_("Enter the due date."), field="due_date")
    _within_project(project, due_date, "due_date")
    if phase is not None and phase.project_id != project.id:
        raise ValidationError(_("Choose a phase of this project."), field="phase_id")
    _check_dependency(project, None, depends_on)
    with session.no_autoflush:
        milestone = Milestone(
            title=title,
            owner=(owner or "").strip()[:160],
            baseline_date=due_date,
            due_date=due_date,
            phase=phase,
            depends_on=depends_on,
            evidence=(evidence or "").strip(),
            status=MilestoneStatus.PLANNED,
        )
        project.milestones.append(milestone)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="milestone.added",
        entity=milestone,
        after={"project": project.code, "title": title, "baseline_date": due_date.isoformat()},
        summary=title,
    )
    refresh_summary(session, project)
    return milestone


def update_milestone(
    session: Session,
    milestone: Milestone,
    *,
    actor: User | None,
    status: MilestoneStatus | str,
    completed_on: date | None = None,
    evidence: str | None = None,
    owner: str | None = None,
    title: str | None = None,
    phase: Phase | None = None,
    depends_on: Milestone | None = None,
) -> Milestone:
    """Progress on a milestone. Its date moves only through ``replan_milestone``."""
    try:
        status = MilestoneStatus(status)
    except ValueError as exc:
        raise ValidationError(_("Choose a status."), field="status") from exc
    if status is MilestoneStatus.LATE:
        raise ValidationError(
            _("“Late” is set automatically when a milestone passes its due date."), field="status"
        )
    project = milestone.project
    if phase is not None and phase.project_id != project.id:
        raise ValidationError(_("Choose a phase of this project."), field="phase_id")
    _check_dependency(project, milestone, depends_on)
    if status is MilestoneStatus.DONE:
        if completed_on is None:
            raise ValidationError(_("Enter the date it was completed."), field="completed_on")
        if depends_on is not None and depends_on.status not in (
            MilestoneStatus.DONE,
            MilestoneStatus.CANCELLED,
        ):
            raise ConflictError(
                _("It depends on “%(title)s”, which is not done yet.", title=depends_on.title),
                field="status",
            )
    else:
        completed_on = None
    with audited(
        session,
        milestone,
        MILESTONE_FIELDS,
        actor=actor,
        action="milestone.updated",
        summary=lambda: milestone.title,
    ):
        milestone.status = status
        milestone.completed_on = completed_on
        milestone.phase = phase
        milestone.depends_on = depends_on
        if evidence is not None:
            milestone.evidence = evidence.strip()
        if owner is not None:
            milestone.owner = owner.strip()[:160]
        if title is not None:
            milestone.title = _text(title, "title", _("Enter the milestone."), max_length=200)
        session.flush()  # so the "after" picture reads the new phase_id
    refresh_summary(session, project)
    return milestone


def replan_milestone(
    session: Session,
    milestone: Milestone,
    *,
    actor: User | None,
    new_date: date | None,
    reason: str,
) -> MilestoneReplan:
    """Move the due date, keeping the baseline and recording the reason."""
    if new_date is None:
        raise ValidationError(_("Enter the new due date."), field="new_date")
    reason = _text(reason, "reason", _("Say why the date moves."))
    if new_date == milestone.due_date:
        raise ValidationError(_("That is already the due date."), field="new_date")
    if milestone.status in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED):
        raise ConflictError(_("A finished or cancelled milestone is not re-planned."))
    _within_project(milestone.project, new_date, "new_date")
    replan = MilestoneReplan(
        previous_date=milestone.due_date,
        new_date=new_date,
        reason=reason,
        changed_by_id=getattr(actor, "id", None),
        changed_at=utcnow(),
    )
    milestone.replans.append(replan)
    milestone.due_date = new_date
    session.flush()
    record_change(
        session,
        actor=actor,
        action="milestone.replanned",
        entity=milestone,
        before={"due_date": replan.previous_date.isoformat()},
        after={"due_date": new_date.isoformat(), "reason": reason},
        summary=milestone.title,
    )
    refresh_summary(session, milestone.project)
    return replan


def late_milestones(project: Project, today: date) -> list[Milestone]:
    return [m for m in project.milestones if m.status_on(today) is MilestoneStatus.LATE]
