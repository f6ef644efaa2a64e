"""Business rules for assistance projects.

Plain functions over a SQLAlchemy session; the caller commits once. "Today" is always a
parameter, so late milestones and the RAG rating are computed for a given date (and tested on
a fixed one).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Region, Role, User
from lms.core.audit import record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.model_base import utcnow
from lms.projects.models import (
    Activity,
    BudgetLine,
    Indicator,
    IndicatorActual,
    IndicatorTarget,
    LogframeElement,
    LogframeLevel,
    Milestone,
    MilestoneReplan,
    MilestoneStatus,
    PartnerRole,
    PeriodKind,
    Phase,
    ProgressUpdate,
    Project,
    ProjectPartner,
    ProjectStatus,
    Rag,
    RagOverride,
    Risk,
    RiskLevel,
    RiskStatus,
    TrainingMeasure,
    project_beneficiaries,
    project_focal_points,
    project_managers,
)

PROJECT_FIELDS = (
    "code",
    "title",
    "summary",
    "status",
    "start_date",
    "end_date",
    "currency",
)
MILESTONE_FIELDS = ("title", "owner", "status", "completed_on", "evidence", "due_date", "phase_id")
RISK_FIELDS = ("description", "likelihood", "impact", "mitigation", "owner", "status")


def _(message: str, **params: Any) -> str:
    """Translated in a request (the reader's language); plain English in jobs and tests."""
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message


# RAG thresholds. Documented in the README ("Assistance projects"); tests pin each one.
LATE_DAYS_RED = 90  # one milestone this many days late makes the project red
LATE_COUNT_RED = 2  # this many late milestones make the project red
TRAJECTORY_AMBER = Decimal("0.8")  # an indicator below 80 % of its planned progress
TRAJECTORY_RED = Decimal("0.5")  # ... below 50 %
REPORTING_GRACE_DAYS = 90  # a target period ended longer ago than this needs an actual
DELIVERY_GAP_AMBER = 0.25  # time elapsed ahead of milestones done by 25 points
DELIVERY_GAP_RED = 0.50


# Permissions -----------------------------------------------------------------------------


def is_project_manager(user: User, project: Project) -> bool:
    return user.has_role(Role.PROJECT_MANAGER) and any(m.id == user.id for m in project.managers)


def is_focal_point(user: User, project: Project) -> bool:
    """Named as a focal point of the project, or the focal point on file for a beneficiary."""
    if any(f.id == user.id for f in project.focal_points):
        return True
    email = (user.email or "").lower()
    return bool(email) and any(
        (m.focal_point_email or "").lower() == email for m in project.beneficiaries
    )


def can_view_project(user: User, project: Project) -> bool:
    if user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return True
    return is_focal_point(user, project)


def can_edit_project(user: User, project: Project) -> bool:
    return is_project_manager(user, project)


def visible_projects_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL twin of ``can_view_project``, for lists."""
    if user.is_admin or user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return sa.true()
    named = sa.select(project_focal_points.c.project_id).where(
        project_focal_points.c.user_id == user.id
    )
    by_email = (
        sa.select(project_beneficiaries.c.project_id)
        .join(
            MemberAdministration,
            MemberAdministration.id == project_beneficiaries.c.member_administration_id,
        )
        .where(sa.func.lower(MemberAdministration.focal_point_email) == user.email.lower())
    )
    return sa.or_(Project.id.in_(named), Project.id.in_(by_email))


def may_see_any_project(session: Session, user: User) -> bool:
    if user.is_admin or user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return True
    return bool(
        session.scalar(sa.select(sa.func.count(Project.id)).where(visible_projects_clause(user)))
    )


# Small parsers -------------------------------------------------------------------------


def _text(value: str | None, field_name: str, message: str, *, max_length: int = 0) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, field=field_name)
    if max_length and len(value) > max_length:
        raise ValidationError(f"Use at most {max_length} characters.", field=field_name)
    return value


def _decimal(value: Any, field_name: str, *, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValidationError("Enter a number.", field=field_name) from exc
    if not number.is_finite():
        raise ValidationError("Enter a number.", field=field_name)
    if minimum is not None and number < minimum:
        raise ValidationError(f"Enter {minimum} or more.", field=field_name)
    return number.quantize(Decimal("0.01"))


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def parse_period(kind: PeriodKind | str, text: str, field_name: str = "period") -> tuple[str, date]:
    """``2026`` for a yearly indicator, ``2026-Q3`` for a quarterly one; returns the
    normalised label and the last day of the period (what targets and actuals are dated by)."""
    text = (text or "").strip().upper()
    if PeriodKind(kind) is PeriodKind.YEAR:
        match = _YEAR.match(text)
        if not match:
            raise ValidationError("Enter a year, for example 2026.", field=field_name)
        return text, date(int(match.group(1)), 12, 31)
    match = _QUARTER.match(text)
    if not match:
        raise ValidationError("Enter a quarter, for example 2026-Q3.", field=field_name)
    year, quarter = int(match.group(1)), int(match.group(2))
    month, day = _QUARTER_END[quarter]
    return f"{year}-Q{quarter}", date(year, month, day)


def _within_project(project: Project, day: date, field_name: str) -> None:
    if not project.start_date <= day <= project.end_date:
        raise ValidationError(
            f"Choose a date within the project ({project.start_date.isoformat()} to "
            f"{project.end_date.isoformat()}).",
            field=field_name,
        )


# Projects --------------------------------------------------------------------------------


def _users(session: Session, ids: Iterable[int]) -> list[User]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    users = session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    if len(users) != len(ids):
        raise ValidationError("A chosen person no longer exists.")
    return list(users)


def _project_values(
    session: Session,
    project: Project | None,
    *,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    currency: str,
    status: ProjectStatus | str,
    beneficiary_ids: Iterable[int],
    manager_ids: Iterable[int],
    focal_point_ids: Iterable[int],
) -> dict[str, Any]:
    code = _text(code, "code", "Enter the project code.", max_length=30).upper()
    title = _text(title, "title", "Enter the project title.", max_length=200)
    if start_date is None:
        raise ValidationError("Enter the start date.", field="start_date")
    if end_date is None:
        raise ValidationError("Enter the end date.", field="end_date")
    if end_date < start_date:
        raise ValidationError("The project cannot end before it starts.", field="end_date")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ValidationError("Use a three-letter ISO 4217 code, e.g. EUR.", field="currency")
    try:
        status = ProjectStatus(status)
    except ValueError as exc:
        raise ValidationError("Choose a status.", field="status") from exc
    clash = session.scalar(sa.select(Project.id).where(Project.code == code))
    if clash and (project is None or clash != project.id):
        raise ConflictError(f"Another project already uses the code {code}.", field="code")
    members = []
    member_ids = sorted({int(i) for i in beneficiary_ids})
    if member_ids:
        members = list(
            session.scalars(
                sa.select(MemberAdministration).where(MemberAdministration.id.in_(member_ids))
            ).all()
        )
    if not members or len(members) != len(member_ids):
        raise ValidationError(
            "Choose at least one beneficiary member administration.", field="beneficiary_ids"
        )
    managers = _users(session, manager_ids)
    if not managers:
        raise ValidationError("Choose at least one project manager.", field="manager_ids")
    for manager in managers:
        if not manager.has_role(Role.PROJECT_MANAGER):
            raise ValidationError(
                f"{manager.full_name} does not have the project manager role.",
                field="manager_ids",
            )
    return {
        "code": code,
        "title": title,
        "start_date": start_date,
        "end_date": end_date,
        "currency": currency,
        "status": status,
        "beneficiaries": members,
        "managers": managers,
        "focal_points": _users(session, focal_point_ids),
    }


def _people(project: Project) -> dict[str, Any]:
    return {
        "beneficiaries": sorted(m.country_code for m in project.beneficiaries),
        "managers": sorted(u.email for u in project.managers),
        "focal_points": sorted(u.email for u in project.focal_points),
    }


def create_project(
    session: Session,
    *,
    actor: User | None,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    beneficiary_ids: Iterable[int],
    manager_ids: Iterable[int],
    summary: str = "",
    currency: str = "EUR",
    status: ProjectStatus | str = ProjectStatus.PIPELINE,
    focal_point_ids: Iterable[int] = (),
) -> Project:
    values = _project_values(
        session,
        None,
        code=code,
        title=title,
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        status=status,
        beneficiary_ids=beneficiary_ids,
        manager_ids=manager_ids,
        focal_point_ids=focal_point_ids,
    )
    project = Project(summary=(summary or "").strip(), **values)
    session.add(project)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.created",
        entity=project,
        after=snapshot(project, PROJECT_FIELDS) | _people(project),
        summary=f"{project.code} {project.title}",
    )
    return project


def update_project(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    beneficiary_ids: Iterable[int],
    manager_ids: Iterable[int],
    summary: str = "",
    currency: str = "EUR",
    status: ProjectStatus | str = ProjectStatus.PIPELINE,
    focal_point_ids: Iterable[int] = (),
) -> Project:
    before = snapshot(project, PROJECT_FIELDS) | _people(project)
    values = _project_values(
        session,
        project,
        code=code,
        title=title,
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        status=status,
        beneficiary_ids=beneficiary_ids,
        manager_ids=manager_ids,
        focal_point_ids=focal_point_ids,
    )
    if values["currency"] != project.currency and any(
        line.planned or line.spent for line in project.budget_lines
    ):
        raise ConflictError(
            "The budget is recorded in "
            f"{project.currency}; one project keeps one currency once amounts are entered.",
            field="currency",
        )
    for name, value in values.items():
        setattr(project, name, value)
    project.summary = (summary or "").strip()
    record_change(
        session,
        actor=actor,
        action="project.updated",
        entity=project,
        before=before,
        after=snapshot(project, PROJECT_FIELDS) | _people(project),
        summary=project.code,
    )
    return project


def add_partner(
    session: Session, project: Project, *, actor: User | None, name: str, role: PartnerRole | str
) -> ProjectPartner:
    name = _text(name, "name", "Enter the organisation's name.", max_length=200)
    try:
        role = PartnerRole(role)
    except ValueError as exc:
        raise ValidationError("Choose the partner's role.", field="role") from exc
    if any(p.name.lower() == name.lower() and p.role is role for p in project.partners):
        raise ConflictError(f"{name} is already a {role.value} partner.", field="name")
    partner = ProjectPartner(name=name, role=role)
    project.partners.append(partner)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.partner_added",
        entity=project,
        after={"partner": name, "role": role.value},
        summary=project.code,
    )
    return partner


def remove_partner(
    session: Session, project: Project, partner: ProjectPartner, *, actor: User | None
) -> None:
    record_change(
        session,
        actor=actor,
        action="project.partner_removed",
        entity=project,
        before={"partner": partner.name, "role": partner.role.value},
        summary=project.code,
    )
    project.partners.remove(partner)
    session.flush()


def set_budget_line(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    year: int | None,
    planned: Any,
    spent: Any,
) -> BudgetLine:
    """One line per year: entering a year again updates it (the audit log keeps the old
    figures)."""
    if year is None or not project.start_date.year <= int(year) <= project.end_date.year:
        raise ValidationError(
            f"Choose a year of the project ({project.start_date.year}–{project.end_date.year}).",
            field="year",
        )
    planned = _decimal(planned, "planned", minimum=Decimal("0"))
    spent = _decimal(spent, "spent", minimum=Decimal("0"))
    line = next((b for b in project.budget_lines if b.year == int(year)), None)
    before = None
    if line is None:
        line = BudgetLine(year=int(year), planned=planned, spent=spent)
        project.budget_lines.append(line)
    else:
        before = {"year": line.year, "planned": str(line.planned), "spent": str(line.spent)}
        line.planned, line.spent = planned, spent
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.budget_set",
        entity=project,
        before=before,
        after={"year": line.year, "planned": str(planned), "spent": str(spent)},
        summary=f"{project.code} {line.year}",
    )
    return line


# Logical framework ---------------------------------------------------------------------

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
        raise ValidationError("Choose goal, outcome or output.", field="level") from exc
    statement = _text(statement, "statement", "Write the statement.")
    elements = project.logframe_elements
    if level is LogframeLevel.GOAL:
        if parent is not None:
            raise ValidationError("The goal sits at the top; it has no parent.", field="parent_id")
        if any(e.level is LogframeLevel.GOAL for e in elements):
            raise ConflictError("This project already has its goal.", field="level")
        code = (code or "").strip() or "G"
    else:
        wanted = _PARENT_LEVEL[level]
        if parent is None or parent.project_id != project.id or parent.level is not wanted:
            raise ValidationError(
                f"An {level.value} sits under "
                f"{'the goal' if wanted is LogframeLevel.GOAL else 'an outcome'}.",
                field="parent_id",
            )
        if not (code or "").strip():
            siblings = [e for e in elements if e.parent_id == parent.id]
            prefix = "" if parent.level is LogframeLevel.GOAL else f"{parent.code}."
            code = f"{prefix}{len(siblings) + 1}"
    code = code.strip()[:20]
    if any(e.code == code for e in elements):
        raise ConflictError(f"The code {code} is already used in this logframe.", field="code")
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
        raise ValidationError("Activities sit under an output.", field="output_id")
    title = _text(title, "title", "Enter the activity's title.", max_length=200)
    if start_date and end_date and end_date < start_date:
        raise ValidationError("The activity cannot end before it starts.", field="end_date")
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


# Indicators --------------------------------------------------------------------------------


def add_indicator(
    session: Session,
    element: LogframeElement,
    *,
    actor: User | None,
    name: str,
    unit: str,
    baseline_value: Any,
    baseline_date: date | None,
    period_kind: PeriodKind | str = PeriodKind.YEAR,
    means_of_verification: str = "",
    training_measure: TrainingMeasure | str | None = None,
) -> Indicator:
    name = _text(name, "name", "Name the indicator.", max_length=300)
    unit = _text(unit, "unit", "Give the unit, for example officers or %.", max_length=40)
    baseline = _decimal(baseline_value, "baseline_value")
    if baseline_date is None:
        raise ValidationError("Enter the date of the baseline.", field="baseline_date")
    try:
        period_kind = PeriodKind(period_kind)
    except ValueError as exc:
        raise ValidationError("Choose year or quarter.", field="period_kind") from exc
    indicator = Indicator(
        project_id=element.project_id,
        element=element,
        name=name,
        unit=unit,
        baseline_value=baseline,
        baseline_date=baseline_date,
        period_kind=period_kind,
        means_of_verification=(means_of_verification or "").strip(),
        training_measure=TrainingMeasure(training_measure) if training_measure else None,
    )
    session.add(indicator)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="indicator.added",
        entity=indicator,
        after={"element": element.code, "name": name, "unit": unit, "baseline": str(baseline)},
        summary=name[:300],
    )
    return indicator


INDICATOR_FIELDS = (
    "name",
    "unit",
    "baseline_value",
    "baseline_date",
    "period_kind",
    "means_of_verification",
    "training_measure",
)


def update_indicator(
    session: Session,
    indicator: Indicator,
    *,
    actor: User | None,
    name: str,
    unit: str,
    baseline_value: Any,
    baseline_date: date | None,
    period_kind: PeriodKind | str,
    means_of_verification: str = "",
    training_measure: TrainingMeasure | str | None = None,
) -> Indicator:
    """Correct the indicator's definition. Reported actuals are never touched; the period kind
    is fixed once targets or actuals exist, because they are dated by it."""
    name = _text(name, "name", "Name the indicator.", max_length=300)
    unit = _text(unit, "unit", "Give the unit, for example officers or %.", max_length=40)
    baseline = _decimal(baseline_value, "baseline_value")
    if baseline_date is None:
        raise ValidationError("Enter the date of the baseline.", field="baseline_date")
    try:
        period_kind = PeriodKind(period_kind)
    except ValueError as exc:
        raise ValidationError("Choose year or quarter.", field="period_kind") from exc
    if period_kind is not indicator.period_kind and (indicator.targets or indicator.actuals):
        raise ConflictError(
            "Targets or actuals are recorded per "
            f"{indicator.period_kind.value}; the period kind can no longer change.",
            field="period_kind",
        )
    before = snapshot(indicator, INDICATOR_FIELDS)
    indicator.name, indicator.unit = name, unit
    indicator.baseline_value, indicator.baseline_date = baseline, baseline_date
    indicator.period_kind = period_kind
    indicator.means_of_verification = (means_of_verification or "").strip()
    indicator.training_measure = TrainingMeasure(training_measure) if training_measure else None
    session.flush()
    record_change(
        session,
        actor=actor,
        action="indicator.updated",
        entity=indicator,
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in snapshot(indicator, INDICATOR_FIELDS).items()},
        summary=name[:300],
    )
    return indicator


def update_logframe_element(
    session: Session, element: LogframeElement, *, actor: User | None, statement: str
) -> LogframeElement:
    """Reword a statement; its place in the logframe (level, parent, code) stays."""
    statement = _text(statement, "statement", "Write the statement.")
    before = element.statement
    element.statement = statement
    session.flush()
    record_change(
        session,
        actor=actor,
        action="logframe.updated",
        entity=element,
        before={"statement": before},
        after={"statement": statement},
        summary=element.code,
    )
    return element


def update_phase(
    session: Session,
    phase: Phase,
    *,
    actor: User | None,
    name: str,
    start_date: date | None,
    end_date: date | None,
) -> Phase:
    name = _text(name, "name", "Name the phase.", max_length=120)
    if start_date is None or end_date is None:
        raise ValidationError("Enter the phase's start and end dates.", field="start_date")
    if end_date < start_date:
        raise ValidationError("The phase cannot end before it starts.", field="end_date")
    _within_project(phase.project, start_date, "start_date")
    _within_project(phase.project, end_date, "end_date")
    before = snapshot(phase, ("name", "start_date", "end_date"))
    phase.name, phase.start_date, phase.end_date = name, start_date, end_date
    session.flush()
    record_change(
        session,
        actor=actor,
        action="phase.updated",
        entity=phase,
        before=before,
        after=snapshot(phase, ("name", "start_date", "end_date")),
        summary=name,
    )
    return phase


def set_target(
    session: Session, indicator: Indicator, *, actor: User | None, period: str, value: Any
) -> IndicatorTarget:
    """Targets are the plan and may be revised (the audit log keeps earlier values)."""
    label, period_end = parse_period(indicator.period_kind, period)
    value = _decimal(value, "value")
    target = next((t for t in indicator.targets if t.period == label), None)
    before = None
    if target is None:
        target = IndicatorTarget(period=label, period_end=period_end, value=value)
        indicator.targets.append(target)
    else:
        before = {"period": label, "value": str(target.value)}
        target.value = value
    session.flush()
    record_change(
        session,
        actor=actor,
        action="indicator.target_set",
        entity=indicator,
        before=before,
        after={"period": label, "value": str(value)},
        summary=f"{indicator.name[:200]} {label}",
    )
    return target


def report_actual(
    session: Session,
    indicator: Indicator,
    *,
    actor: User | None,
    period: str,
    value: Any,
    comment: str = "",
    evidence_url: str = "",
) -> IndicatorActual:
    """Append a reported value. Reporting the same period again adds a newer figure; the
    earlier ones stay in the history, which is why there is no update."""
    label, period_end = parse_period(indicator.period_kind, period)
    value = _decimal(value, "value")
    evidence_url = (evidence_url or "").strip()
    if evidence_url and not re.match(r"^https?://", evidence_url):
        raise ValidationError(
            "Give the evidence as a web link (http or https).", field="evidence_url"
        )
    actual = IndicatorActual(
        period=label,
        period_end=period_end,
        value=value,
        comment=(comment or "").strip(),
        evidence_url=evidence_url[:500],
        reported_by_id=getattr(actor, "id", None),
        reported_at=utcnow(),
    )
    indicator.actuals.append(actual)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="indicator.actual_reported",
        entity=indicator,
        after={"period": label, "value": str(value)},
        summary=f"{indicator.name[:200]} {label}",
    )
    return actual


def current_actuals(indicator: Indicator) -> dict[str, IndicatorActual]:
    """The latest figure per period (later reports supersede, never erase, earlier ones)."""
    latest: dict[str, IndicatorActual] = {}
    for actual in sorted(indicator.actuals, key=lambda a: (a.period_end, a.reported_at, a.id or 0)):
        latest[actual.period] = actual
    return latest


def latest_actual(indicator: Indicator) -> IndicatorActual | None:
    current = current_actuals(indicator)
    return max(current.values(), key=lambda a: a.period_end) if current else None


def planned_value(indicator: Indicator, on: date) -> Decimal:
    """The planned trajectory: a straight line from the baseline through each target."""
    points = [(indicator.baseline_date, Decimal(indicator.baseline_value))] + [
        (t.period_end, Decimal(t.value))
        for t in sorted(indicator.targets, key=lambda t: t.period_end)
    ]
    if on <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if on <= d1:
            span = (d1 - d0).days
            if span <= 0:
                return v1
            return v0 + (v1 - v0) * Decimal((on - d0).days) / Decimal(span)
    return points[-1][1]


# Phases and milestones -----------------------------------------------------------------


def add_phase(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    name: str,
    start_date: date | None,
    end_date: date | None,
) -> Phase:
    name = _text(name, "name", "Name the phase.", max_length=120)
    if start_date is None or end_date is None:
        raise ValidationError("Enter the phase's start and end dates.", field="start_date")
    if end_date < start_date:
        raise ValidationError("The phase cannot end before it starts.", field="end_date")
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
            "A milestone can only depend on one of the same project.", field="depends_on_id"
        )
    seen = set()
    step: Milestone | None = depends_on
    while step is not None:
        if milestone is not None and step.id == milestone.id:
            raise ValidationError("That dependency would make a loop.", field="depends_on_id")
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
    title = _text(title, "title", "Enter the milestone.", max_length=200)
    if due_date is None:
        raise ValidationError("Enter the due date.", field="due_date")
    _within_project(project, due_date, "due_date")
    if phase is not None and phase.project_id != project.id:
        raise ValidationError("Choose a phase of this project.", field="phase_id")
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
        raise ValidationError("Choose a status.", field="status") from exc
    if status is MilestoneStatus.LATE:
        raise ValidationError(
            "“Late” is set automatically when a milestone passes its due date.", field="status"
        )
    project = milestone.project
    if phase is not None and phase.project_id != project.id:
        raise ValidationError("Choose a phase of this project.", field="phase_id")
    _check_dependency(project, milestone, depends_on)
    if status is MilestoneStatus.DONE:
        if completed_on is None:
            raise ValidationError("Enter the date it was completed.", field="completed_on")
        if depends_on is not None and depends_on.status not in (
            MilestoneStatus.DONE,
            MilestoneStatus.CANCELLED,
        ):
            raise ConflictError(
                f"It depends on “{depends_on.title}”, which is not done yet.", field="status"
            )
    else:
        completed_on = None
    before = snapshot(milestone, MILESTONE_FIELDS)
    milestone.status = status
    milestone.completed_on = completed_on
    milestone.phase = phase
    milestone.depends_on = depends_on
    if evidence is not None:
        milestone.evidence = evidence.strip()
    if owner is not None:
        milestone.owner = owner.strip()[:160]
    if title is not None:
        milestone.title = _text(title, "title", "Enter the milestone.", max_length=200)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="milestone.updated",
        entity=milestone,
        before=before,
        after=snapshot(milestone, MILESTONE_FIELDS),
        summary=milestone.title,
    )
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
        raise ValidationError("Enter the new due date.", field="new_date")
    reason = _text(reason, "reason", "Say why the date moves.")
    if new_date == milestone.due_date:
        raise ValidationError("That is already the due date.", field="new_date")
    if milestone.status in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED):
        raise ConflictError("A finished or cancelled milestone is not re-planned.")
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
    return replan


def late_milestones(project: Project, today: date) -> list[Milestone]:
    return [m for m in project.milestones if m.status_on(today) is MilestoneStatus.LATE]


# Risks and progress updates -----------------------------------------------------------


def save_risk(
    session: Session,
    project: Project,
    risk: Risk | None,
    *,
    actor: User | None,
    description: str,
    likelihood: RiskLevel | str,
    impact: RiskLevel | str,
    mitigation: str = "",
    owner: str = "",
    status: RiskStatus | str = RiskStatus.OPEN,
) -> Risk:
    """Create or update a risk. Risks are closed, not deleted."""
    description = _text(description, "description", "Describe the risk.")
    try:
        likelihood, impact = RiskLevel(likelihood), RiskLevel(impact)
    except ValueError as exc:
        raise ValidationError("Choose low, medium or high.", field="likelihood") from exc
    try:
        status = RiskStatus(status)
    except ValueError as exc:
        raise ValidationError("Choose a status.", field="status") from exc
    before = snapshot(risk, RISK_FIELDS) if risk else None
    if risk is None:
        risk = Risk(project=project)
        session.add(risk)
    risk.description, risk.likelihood, risk.impact = description, likelihood, impact
    risk.mitigation, risk.owner, risk.status = (
        (mitigation or "").strip(),
        (owner or "").strip()[:160],
        status,
    )
    session.flush()
    record_change(
        session,
        actor=actor,
        action="risk.updated" if before else "risk.added",
        entity=risk,
        before=before,
        after=snapshot(risk, RISK_FIELDS),
        summary=f"{project.code}: {description[:200]}",
    )
    return risk


def add_progress_update(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    period: str,
    achievements: str,
    issues: str = "",
    next_steps: str = "",
) -> ProgressUpdate:
    update = ProgressUpdate(
        project=project,
        period=_text(period, "period", "Name the period reported on, e.g. 2026-Q1.", max_length=40),
        achievements=_text(achievements, "achievements", "Describe what was achieved."),
        issues=(issues or "").strip(),
        next_steps=(next_steps or "").strip(),
        author_id=getattr(actor, "id", None),
        created_at=utcnow(),
    )
    session.add(update)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="progress_update.added",
        entity=update,
        after={"project": project.code, "period": update.period},
        summary=f"{project.code} {update.period}",
    )
    return update


# RAG -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RagReason:
    """One finding behind a rating; ``rating`` is ``None`` for a purely informative note."""

    code: str
    rating: Rag | None
    message: str


@dataclass
class RagAssessment:
    computed: Rag | None
    reasons: list[RagReason] = field(default_factory=list)
    override: RagOverride | None = None

    @property
    def rating(self) -> Rag | None:
        return self.override.rating if self.override else self.computed

    @property
    def codes(self) -> set[str]:
        return {r.code for r in self.reasons}


def _pct(value: float | Decimal) -> int:
    return round(float(value) * 100)


def time_elapsed(project: Project, today: date) -> float:
    span = (project.end_date - project.start_date).days
    if span <= 0:
        return 1.0 if today >= project.end_date else 0.0
    return min(max((today - project.start_date).days / span, 0.0), 1.0)


def milestones_done_share(project: Project) -> float | None:
    counted = [m for m in project.milestones if m.status is not MilestoneStatus.CANCELLED]
    if not counted:
        return None
    return sum(m.status is MilestoneStatus.DONE for m in counted) / len(counted)


def _indicator_reasons(project: Project, today: date) -> list[RagReason]:
    reasons = []
    for indicator in project.indicators:
        if not indicator.targets:
            continue
        latest = latest_actual(indicator)
        overdue = [
            t for t in indicator.targets if (today - t.period_end).days > REPORTING_GRACE_DAYS
        ]
        if overdue:
            last_due = max(overdue, key=lambda t: t.period_end)
            if latest is None or latest.period_end < last_due.period_end:
                reasons.append(
                    RagReason(
                        "indicator_not_reported",
                        Rag.AMBER,
                        _(
                            "No actual reported for “%(name)s” for %(period)s.",
                            name=indicator.name,
                            period=last_due.period,
                        ),
                    )
                )
        if latest is None:
            continue
        baseline = Decimal(indicator.baseline_value)
        planned = planned_value(indicator, latest.period_end)
        if planned == baseline:
            continue
        ratio = (Decimal(latest.value) - baseline) / (planned - baseline)
        if ratio < TRAJECTORY_AMBER:
            rating = Rag.RED if ratio < TRAJECTORY_RED else Rag.AMBER
            reasons.append(
                RagReason(
                    "indicator_behind",
                    rating,
                    _(
                        "“%(name)s” is at %(pct)s%% of its planned progress for %(period)s "
                        "(%(actual)s against %(planned)s %(unit)s planned).",
                        name=indicator.name,
                        pct=max(_pct(ratio), 0),
                        period=latest.period,
                        actual=_number(latest.value),
                        planned=_number(planned),
                        unit=indicator.unit,
                    ),
                )
            )
    return reasons


def _number(value: Decimal | float) -> str:
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def compute_rag(project: Project, today: date) -> RagAssessment:
    """Red / amber / green from late milestones, indicator progress against the planned
    trajectory and elapsed time against milestones done; every finding is kept as a reason
    so the rating can be explained. The manager's override, if any, is shown in its place."""
    override = project.current_override
    if project.status in (ProjectStatus.PIPELINE, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        note = RagReason(
            "not_rated",
            None,
            _(
                "Not rated while the project is %(status)s.",
                status=(
                    project.status.label if has_request_context() else project.status.value
                ).lower(),
            ),
        )
        return RagAssessment(None, [note], override)
    reasons: list[RagReason] = []
    if project.status is ProjectStatus.SUSPENDED:
        reasons.append(RagReason("suspended", Rag.AMBER, _("The project is suspended.")))

    late = late_milestones(project, today)
    if late:
        worst = max(late, key=lambda m: (today - m.due_date).days)
        days = (today - worst.due_date).days
        rating = Rag.RED if len(late) >= LATE_COUNT_RED or days > LATE_DAYS_RED else Rag.AMBER
        reasons.append(
            RagReason(
                "milestones_late",
                rating,
                _(
                    "%(count)s milestone(s) late; the furthest behind is “%(title)s”, "
                    "%(days)s days past its due date.",
                    count=len(late),
                    title=worst.title,
                    days=days,
                ),
            )
        )

    reasons.extend(_indicator_reasons(project, today))

    if today > project.end_date:
        reasons.append(
            RagReason(
                "past_end_date",
                Rag.RED,
                _("The end date (%(date)s) has passed.", date=project.end_date.isoformat()),
            )
        )
    else:
        done = milestones_done_share(project)
        elapsed = time_elapsed(project, today)
        if done is not None and elapsed - done > DELIVERY_GAP_AMBER:
            rating = Rag.RED if elapsed - done > DELIVERY_GAP_RED else Rag.AMBER
            reasons.append(
                RagReason(
                    "delivery_behind_time",
                    rating,
                    _(
                        "%(elapsed)s%% of the time has elapsed but only %(done)s%% of the "
                        "milestones are done.",
                        elapsed=_pct(elapsed),
                        done=_pct(done),
                    ),
                )
            )

    rated = [r.rating for r in reasons if r.rating is not None]
    if not rated:
        reasons.append(
            RagReason(
                "on_track",
                Rag.GREEN,
                _(
                    "No late milestones, indicators on their trajectory, "
                    "delivery in step with time."
                ),
            )
        )
        return RagAssessment(Rag.GREEN, reasons, override)
    return RagAssessment(max(rated, key=lambda r: r.severity), reasons, override)


def override_rag(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    rating: Rag | str,
    justification: str,
    today: date,
) -> RagOverride:
    """The manager's rating replaces the computed one on every page until withdrawn; the
    computed rating at that moment is stored beside it, and earlier overrides stay as history."""
    try:
        rating = Rag(rating)
    except ValueError as exc:
        raise ValidationError("Choose red, amber or green.", field="rating") from exc
    justification = (justification or "").strip()
    if len(justification) < 10:
        raise ValidationError(
            "Write a justification (at least 10 characters) for overriding the rating.",
            field="justification",
        )
    now = utcnow()
    previous = project.current_override
    if previous is not None:
        previous.withdrawn_at = now
        previous.withdrawn_by_id = getattr(actor, "id", None)
    override = RagOverride(
        rating=rating,
        computed_rating=compute_rag(project, today).computed,
        justification=justification,
        set_by_id=getattr(actor, "id", None),
        set_at=now,
    )
    project.rag_overrides.append(override)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.rag_overridden",
        entity=project,
        after={"rating": rating.value, "justification": justification},
        summary=project.code,
    )
    return override


def withdraw_override(session: Session, project: Project, *, actor: User | None) -> None:
    current = project.current_override
    if current is None:
        raise ConflictError("There is no override to withdraw.")
    current.withdrawn_at = utcnow()
    current.withdrawn_by_id = getattr(actor, "id", None)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.rag_override_withdrawn",
        entity=project,
        before={"rating": current.rating.value},
        summary=project.code,
    )


# Portfolio ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioFilters:
    region: Region | None = None
    beneficiary_id: int | None = None
    status: ProjectStatus | None = None
    manager_id: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> PortfolioFilters:
        def enum_or_none(enum_cls, value):
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        return cls(
            region=enum_or_none(Region, args.get("region")),
            beneficiary_id=args.get("beneficiary", type=int),
            status=enum_or_none(ProjectStatus, args.get("status")),
            manager_id=args.get("manager", type=int),
        )


def portfolio_query(user: User, filters: PortfolioFilters) -> sa.Select:
    """The projects ``user`` may see, filtered, with everything the dashboard needs loaded in a
    fixed number of statements (one per collection), whatever the number of projects."""
    stmt = sa.select(Project).where(visible_projects_clause(user))
    if filters.region is not None:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_beneficiaries.c.project_id)
                .join(
                    MemberAdministration,
                    MemberAdministration.id == project_beneficiaries.c.member_administration_id,
                )
                .where(MemberAdministration.region == filters.region)
            )
        )
    if filters.beneficiary_id:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_beneficiaries.c.project_id).where(
                    project_beneficiaries.c.member_administration_id == filters.beneficiary_id
                )
            )
        )
    if filters.status is not None:
        stmt = stmt.where(Project.status == filters.status)
    if filters.manager_id:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(project_managers.c.project_id).where(
                    project_managers.c.user_id == filters.manager_id
                )
            )
        )
    return stmt.options(
        selectinload(Project.managers),
        selectinload(Project.beneficiaries),
        selectinload(Project.milestones),
        selectinload(Project.indicators).selectinload(Indicator.targets),
        selectinload(Project.indicators).selectinload(Indicator.actuals),
        selectinload(Project.rag_overrides),
    ).order_by(Project.start_date, Project.code)


@dataclass
class PortfolioRow:
    project: Project
    assessment: RagAssessment
    elapsed_pct: int
    done_pct: int | None
    late_count: int
    next_milestones: list[Milestone]


def portfolio_row(project: Project, today: date) -> PortfolioRow:
    done = milestones_done_share(project)
    upcoming = [
        m
        for m in project.milestones
        if m.status not in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED)
    ]
    upcoming.sort(key=lambda m: (m.due_date, m.id))
    return PortfolioRow(
        project=project,
        assessment=compute_rag(project, today),
        elapsed_pct=_pct(time_elapsed(project, today)),
        done_pct=None if done is None else _pct(done),
        late_count=len(late_milestones(project, today)),
        next_milestones=upcoming[:2],
    )


def status_counts(session: Session, user: User) -> dict[ProjectStatus, int]:
    rows = session.execute(
        sa.select(Project.status, sa.func.count(Project.id))
        .where(visible_projects_clause(user))
        .group_by(Project.status)
    ).all()
    return {status: count for status, count in rows}


def load_project(session: Session, project_id: int) -> Project | None:
    """One project with everything its page shows, loaded up front."""
    return session.scalar(
        sa.select(Project)
        .where(Project.id == project_id)
        .options(
            selectinload(Project.managers),
            selectinload(Project.beneficiaries),
            selectinload(Project.focal_points),
            selectinload(Project.partners),
            selectinload(Project.budget_lines),
            selectinload(Project.logframe_elements).selectinload(LogframeElement.activities),
            selectinload(Project.indicators).selectinload(Indicator.targets),
            selectinload(Project.indicators)
            .selectinload(Indicator.actuals)
            .joinedload(IndicatorActual.reported_by),
            selectinload(Project.phases),
            selectinload(Project.milestones).selectinload(Milestone.replans),
            selectinload(Project.risks),
            selectinload(Project.progress_updates),
            selectinload(Project.rag_overrides),
        )
    )
