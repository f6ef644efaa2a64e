"""Small parsers and formatting shared by the projects services: every form value is
checked here once, so each service reads as its rule."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lms.core.bounds import MAX_DATE, MIN_DATE
from lms.core.errors import ValidationError
from lms.core.i18n import _ as _  # the one translation helper, shared by the services
from lms.core.i18n import format_day, format_number
from lms.projects.models import PeriodKind, Project


def _text(value: str | None, field_name: str, message: str, *, max_length: int = 0) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, field=field_name)
    if max_length and len(value) > max_length:
        raise ValidationError(
            _("Use at most %(max)s characters.", max=max_length), field=field_name
        )
    return value


# Amounts and measures are NUMERIC(14, 2): twelve digits before the decimal point.
MAX_MEASURE = Decimal(10) ** 12


def _decimal(
    value: Any,
    field_name: str,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValidationError(_("Enter a number."), field=field_name) from exc
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), field=field_name)
    if abs(number) >= MAX_MEASURE:
        raise ValidationError(
            _("Enter a number below %(max)s.", max=format_number(MAX_MEASURE, 0)), field=field_name
        )
    if minimum is not None and number < minimum:
        raise ValidationError(_("Enter %(min)s or more.", min=minimum), field=field_name)
    if maximum is not None and number > maximum:
        raise ValidationError(_("Enter %(max)s or less.", max=maximum), field=field_name)
    return number.quantize(Decimal("0.01"))


_PERCENT_UNITS = {"%", "percent", "percentage", "per cent", "pourcentage", "pour cent"}


def is_percentage(unit: str | None) -> bool:
    """An indicator measured in percent (``%``, ``percent``, ``% of officers``…)."""
    unit = (unit or "").strip().lower()
    return unit in _PERCENT_UNITS or unit.startswith(("% ", "percent ", "percentage "))


def _measure(value: Any, field_name: str, unit: str | None) -> Decimal:
    """An indicator's value: a percentage between 0 and 100, a count or amount not below 0."""
    if is_percentage(unit):
        return _decimal(value, field_name, minimum=Decimal(0), maximum=Decimal(100))
    return _decimal(value, field_name, minimum=Decimal(0))


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def parse_period(kind: PeriodKind | str, text: str, field_name: str = "period") -> tuple[str, date]:
    """``2026`` for a yearly indicator, ``2026-Q3`` for a quarterly one; returns the
    normalised label and the last day of the period (what targets and actuals are dated by)."""
    text = (text or "").strip().upper()
    if PeriodKind(kind) is PeriodKind.YEAR:
        match = _YEAR.match(text)
        if not match or not MIN_DATE.year <= int(match.group(1)) <= MAX_DATE.year:
            raise ValidationError(_("Enter a year, for example 2026."), field=field_name)
        return text, date(int(match.group(1)), 12, 31)
    match = _QUARTER.match(text)
    if not match or not MIN_DATE.year <= int(match.group(1)) <= MAX_DATE.year:
        raise ValidationError(_("Enter a quarter, for example 2026-Q3."), field=field_name)
    year, quarter = int(match.group(1)), int(match.group(2))
    month, day = _QUARTER_END[quarter]
    return f"{year}-Q{quarter}", date(year, month, day)


_ANY_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _named_period(text: str | None, field_name: str = "period") -> str:
    """A period named freely (``2026-Q1``, ``2026-H1``, ``Final report 2025``) must name its
    year, between 1900 and 2100."""
    text = _text(text, field_name, _("Name the period reported on, e.g. 2026-Q1."), max_length=40)
    years = [int(y) for y in _ANY_YEAR.findall(text)]
    if not years or not all(MIN_DATE.year <= y <= MAX_DATE.year for y in years):
        raise ValidationError(
            _("Name the period with its year (1900 to 2100), e.g. 2026-Q1."), field=field_name
        )
    return text


def period_start(kind: PeriodKind | str, period_end: date) -> date:
    if PeriodKind(kind) is PeriodKind.YEAR:
        return date(period_end.year, 1, 1)
    return date(period_end.year, period_end.month - 2, 1)


def _period_within_project(
    project: Project, kind: PeriodKind | str, period_end: date, field_name: str = "period"
) -> None:
    """A target or actual's period must overlap the project's span."""
    if period_start(kind, period_end) > project.end_date or period_end < project.start_date:
        raise ValidationError(
            _(
                "Choose a period within the project (%(start)s to %(end)s).",
                start=format_day(project.start_date),
                end=format_day(project.end_date),
            ),
            field=field_name,
        )


def _within_project(project: Project, day: date, field_name: str) -> None:
    if not project.start_date <= day <= project.end_date:
        raise ValidationError(
            _(
                "Choose a date within the project (%(start)s to %(end)s).",
                start=format_day(project.start_date),
                end=format_day(project.end_date),
            ),
            field=field_name,
        )


def _pct(value: float | Decimal) -> int:
    return round(float(value) * 100)


def _number(value: Decimal | float) -> str:
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def refresh_summary(session: Any, project: Project) -> None:
    """Rewrite ``project``'s stored status after a change the RAG rules read, in the same
    transaction (``lms.projects.services.summary``). Every service changing the project's
    dates or status, a milestone, an indicator, a target or an actual ends with it."""
    # Imported here: the summary runs the rules, whose modules import this one.
    from lms.projects.services.summary import refresh_project_summary

    refresh_project_summary(session, project)
