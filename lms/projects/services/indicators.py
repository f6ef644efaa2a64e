"""Indicators, their targets (the plan, revisable) and actuals (reported, append-only), and
the planned trajectory the RAG rating compares actuals with."""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.projects.models import (
    Indicator,
    IndicatorActual,
    IndicatorTarget,
    LogframeElement,
    PeriodKind,
    Project,
    TrainingMeasure,
)
from lms.projects.services.common import (
    _measure,
    _period_within_project,
    _text,
    parse_period,
    refresh_summary,
)

INDICATOR_FIELDS = (
    "name",
    "unit",
    "baseline_value",
    "baseline_date",
    "period_kind",
    "means_of_verification",
    "training_measure",
)


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
    name = _text(name, "name", _("Name the indicator."), max_length=300)
    unit = _text(unit, "unit", _("Give the unit, for example officers or %."), max_length=40)
    baseline = _measure(baseline_value, "baseline_value", unit)
    if baseline_date is None:
        raise ValidationError(_("Enter the date of the baseline."), field="baseline_date")
    try:
        period_kind = PeriodKind(period_kind)
    except ValueError as exc:
        raise ValidationError(_("Choose year or quarter."), field="period_kind") from exc
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
    refresh_summary(session, element.project)
    return indicator


def _indicator_picture(indicator: Indicator) -> dict[str, str]:
    # Kept as text, as the log has always shown indicator definitions.
    return {k: str(v) for k, v in snapshot(indicator, INDICATOR_FIELDS).items()}


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
    name = _text(name, "name", _("Name the indicator."), max_length=300)
    unit = _text(unit, "unit", _("Give the unit, for example officers or %."), max_length=40)
    baseline = _measure(baseline_value, "baseline_value", unit)
    if baseline_date is None:
        raise ValidationError(_("Enter the date of the baseline."), field="baseline_date")
    try:
        period_kind = PeriodKind(period_kind)
    except ValueError as exc:
        raise ValidationError(_("Choose year or quarter."), field="period_kind") from exc
    if period_kind is not indicator.period_kind and (indicator.targets or indicator.actuals):
        raise ConflictError(
            _(
                "Targets or actuals are recorded per %(period)s; the period kind can no longer "
                "change.",
                period=indicator.period_kind.value,
            ),
            field="period_kind",
        )
    with audited(
        session,
        indicator,
        _indicator_picture,
        actor=actor,
        action="indicator.updated",
        summary=name[:300],
    ):
        indicator.name, indicator.unit = name, unit
        indicator.baseline_value, indicator.baseline_date = baseline, baseline_date
        indicator.period_kind = period_kind
        indicator.means_of_verification = (means_of_verification or "").strip()
        indicator.training_measure = TrainingMeasure(training_measure) if training_measure else None
    refresh_summary(session, indicator.project)
    return indicator


def set_target(
    session: Session, indicator: Indicator, *, actor: User | None, period: str, value: Any
) -> IndicatorTarget:
    """Targets are the plan and may be revised (the audit log keeps earlier values)."""
    label, period_end = parse_period(indicator.period_kind, period)
    _period_within_project(indicator.project, indicator.period_kind, period_end)
    value = _measure(value, "value", indicator.unit)
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
    refresh_summary(session, indicator.project)
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
    _period_within_project(indicator.project, indicator.period_kind, period_end)
    value = _measure(value, "value", indicator.unit)
    evidence_url = (evidence_url or "").strip()
    if evidence_url and not re.match(r"^https?://", evidence_url):
        raise ValidationError(
            _("Give the evidence as a web link (http or https)."), field="evidence_url"
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
    refresh_summary(session, indicator.project)
    return actual


def current_actuals(indicator: Indicator) -> dict[str, IndicatorActual]:
    """The latest figure per period (later reports supersede, never erase, earlier ones);
    a corrected or withdrawn figure never counts (its replacement, if any, takes its place)."""
    latest: dict[str, IndicatorActual] = {}
    for actual in sorted(indicator.actuals, key=lambda a: (a.period_end, a.reported_at, a.id or 0)):
        if not actual.superseded:
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


def indicators_by_element(project: Project) -> dict[int, list[Indicator]]:
    """The project's indicators grouped under the logframe element each one measures."""
    grouped: dict[int, list[Indicator]] = {}
    for indicator in project.indicators:
        grouped.setdefault(indicator.element_id, []).append(indicator)
    return grouped
