"""The portfolio, or one project, as IATI 2.03 activity XML (``<iati-activities>``, one
``<iati-activity>`` per project), for the funders and aid-transparency registries that read it.

Plain functions over projects loaded by the read model, with the settings and "today" as
parameters: the pages and the coming API build the same file, with no request. The figures
come from the existing rules (``budget_summary``, ``current_actuals``, ``period_start``,
``partners_by_role``); this module only maps them to the standard's elements and codes, in the
order the 2.03 schema requires. lxml escapes the text; characters XML 1.0 forbids (most C0
controls) are dropped first, since no reader could parse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lms.accounts.models import User
from lms.core import clock
from lms.projects.models import (
    Indicator,
    LogframeLevel,
    PartnerRole,
    Project,
    ProjectStatus,
)
from lms.projects.services.budget import budget_summary, partners_by_role
from lms.projects.services.common import is_percentage, period_start
from lms.projects.services.indicators import current_actuals, indicators_by_element
from lms.projects.services.portfolio import PortfolioFilters, portfolio_query

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# ActivityStatus codelist. "Completed" is Closed (4): the model does not tell a pending
# financial sign-off (Finalisation, 3) apart.
STATUS_CODES = {
    ProjectStatus.PIPELINE: "1",
    ProjectStatus.ACTIVE: "2",
    ProjectStatus.COMPLETED: "4",
    ProjectStatus.CANCELLED: "5",
    ProjectStatus.SUSPENDED: "6",
}
# OrganisationRole codelist. Beneficiary partners have no role there: the beneficiaries are
# reported as recipient countries.
ROLE_CODES = {
    PartnerRole.FUNDING: "1",
    PartnerRole.ACCOUNTABLE: "2",
    PartnerRole.IMPLEMENTING: "4",
}
EXTENDING, IMPLEMENTING = "3", "4"
# ResultType codelist: the goal is the impact, then outcomes, then outputs.
RESULT_TYPES = {LogframeLevel.GOAL: "3", LogframeLevel.OUTCOME: "2", LogframeLevel.OUTPUT: "1"}
_LEVEL_ORDER = {LogframeLevel.GOAL: 0, LogframeLevel.OUTCOME: 1, LogframeLevel.OUTPUT: 2}
# ActivityDateType codelist.
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
STARTED = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED)
DAC_PURPOSE_VOCABULARY = "1"  # SectorVocabulary: OECD DAC CRS purpose codes (5 digits)

# XML 1.0 allows tab, newline and carriage return, and no other C0 control; nor surrogates,
# U+FFFE or U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# IATI identifiers carry no spaces nor / & | ? (the rulesets refuse them).
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class IatiSettings:
    """Who publishes, and the sector of projects that name none (from the configuration)."""

    reporting_org_ref: str
    reporting_org_name: str
    reporting_org_type: str
    default_sector: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IatiSettings:
        return cls(
            reporting_org_ref=config["LMS_IATI_REPORTING_ORG_REF"],
            reporting_org_name=config["LMS_IATI_REPORTING_ORG_NAME"],
            reporting_org_type=config["LMS_IATI_REPORTING_ORG_TYPE"],
            default_sector=config["LMS_IATI_DEFAULT_SECTOR"],
        )


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry (forbidden characters dropped)."""
    return _NOT_XML.sub("", str(value or ""))


def activity_identifier(settings: IatiSettings, project: Project) -> str:
    """The reporting organisation's reference, a hyphen, the project's code (any run of
    characters an identifier may not hold becomes one hyphen)."""
    code = _NOT_IDENTIFIER.sub("-", xml_text(project.code).strip()).strip("-")
    return f"{settings.reporting_org_ref}-{code}"


def iati_options() -> tuple[ORMOption, ...]:
    """What an activity reads beyond the portfolio's row, one statement per collection."""
    return (
        selectinload(Project.partners),
        selectinload(Project.budget_lines),
        selectinload(Project.logframe_elements),
        selectinload(Project.indicators).selectinload(Indicator.targets),
        selectinload(Project.indicators).selectinload(Indicator.actuals),
    )


def portfolio_xml(
    session: Session,
    user: User,
    settings: IatiSettings,
    *,
    today: date,
    filters: PortfolioFilters | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The projects ``user`` sees on the portfolio page (the same query and filters)."""
    stmt = portfolio_query(user, filters or PortfolioFilters()).options(*iati_options())
    projects = session.scalars(stmt).unique().all()
    return activities_xml(projects, settings, today=today, generated_at=generated_at)


def activities_xml(
    projects: Iterable[Project],
    settings: IatiSettings,
    *,
    today: date,
    generated_at: datetime | None = None,
) -> bytes:
    """``<iati-activities>`` with one activity per project, as UTF-8 bytes."""
    moment = generated_at or clock.now()
    root = etree.Element(
        "iati-activities",
        version=IATI_VERSION,
        **{"generated-datetime": _datetime(moment)},
    )
    for project in projects:
        root.append(activity_element(project, settings, today=today))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def activity_element(project: Project, settings: IatiSettings, *, today: date) -> etree._Element:
    """One ``<iati-activity>``, its children in the order the 2.03 schema requires."""
    activity = etree.Element(
        "iati-activity",
        {
            XML_LANG: "en",
            "default-currency": project.currency,
            "last-updated-datetime": _datetime(project.updated_at),
            "hierarchy": "1",
        },
    )
    _sub(activity, "iati-identifier", text=activity_identifier(settings, project))
    _narrated(
        activity,
        "reporting-org",
        settings.reporting_org_name,
        ref=settings.reporting_org_ref,
        type=settings.reporting_org_type,
    )
    _narrated(activity, "title", project.title)
    # The schema requires a description: the summary, or the title when there is none yet.
    _narrated(activity, "description", project.summary.strip() or project.title, type="1")
    goals = [e.statement for e in project.logframe_elements if e.level is LogframeLevel.GOAL]
    if goals:
        _narrated(activity, "description", "\n".join(goals), type="2")
    for role, ref, org_type, name in participating_orgs(project, settings):
        _narrated(activity, "participating-org", name, ref=ref, type=org_type, role=role)
    _sub(activity, "activity-status", code=STATUS_CODES[project.status])
    for date_type, day in activity_dates(project, today):
        _sub(activity, "activity-date", type=date_type, **{"iso-date": day.isoformat()})
    countries = recipient_countries(project)
    if countries:
        _sub(activity, "activity-scope", code="4" if len(countries) == 1 else "3")
    for code, share in countries:
        _sub(activity, "recipient-country", code=code, percentage=_decimal(share))
    _sub(
        activity,
        "sector",
        vocabulary=DAC_PURPOSE_VOCABULARY,
        code=project.dac_sector or settings.default_sector,
        percentage="100",
    )
    for start, end, amount in budget_periods(project):
        budget = _sub(activity, "budget", type="1", status="1")
        _sub(budget, "period-start", **{"iso-date": start.isoformat()})
        _sub(budget, "period-end", **{"iso-date": end.isoformat()})
        _sub(budget, "value", text=str(amount), **{"value-date": start.isoformat()})
    for result in results(project):
        activity.append(result)
    return activity


def participating_orgs(
    project: Project, settings: IatiSettings
) -> list[tuple[str, str | None, str | None, str]]:
    """(role, ref, type, name): the partners in their roles, funders first, then the reporting
    organisation, which extends the funds and, when no partner is named implementing,
    implements the project too."""
    orgs: list[tuple[str, str | None, str | None, str]] = [
        (ROLE_CODES[p.role], None, None, p.name)
        for p in partners_by_role(project)
        if p.role in ROLE_CODES
    ]
    own = (settings.reporting_org_ref, settings.reporting_org_type, settings.reporting_org_name)
    orgs.append((EXTENDING, *own))
    if not any(p.role is PartnerRole.IMPLEMENTING for p in project.partners):
        orgs.append((IMPLEMENTING, *own))
    return sorted(orgs, key=lambda org: org[0])


def activity_dates(project: Project, today: date) -> list[tuple[str, date]]:
    """Planned start and end always; the actual start once a started project's start date
    has come, the actual end once a completed project's end date has (an actual date is
    never in the future)."""
    dates = [(PLANNED_START, project.start_date), (PLANNED_END, project.end_date)]
    if project.status in STARTED and project.start_date <= today:
        dates.append((ACTUAL_START, project.start_date))
    if project.status is ProjectStatus.COMPLETED and project.end_date <= today:
        dates.append((ACTUAL_END, project.end_date))
    return sorted(dates)


def recipient_countries(project: Project) -> list[tuple[str, Decimal]]:
    """The beneficiaries' ISO 3166 countries, sharing 100 % evenly to the cent (the last one
    takes the rounding), so the percentages sum to exactly 100."""
    codes = sorted({m.country_code for m in project.beneficiaries})
    if not codes:
        return []
    share = (Decimal(100) / len(codes)).quantize(Decimal("0.01"), ROUND_DOWN)
    last = Decimal(100) - share * (len(codes) - 1)
    return [(code, share) for code in codes[:-1]] + [(codes[-1], last)]


def budget_periods(project: Project) -> list[tuple[date, date, Decimal]]:
    """One budget per planned year, cut to the project's dates (so never over 12 months)."""
    periods = []
    for row in budget_summary(project).rows:
        if row.planned > 0:
            start = max(date(row.year, 1, 1), project.start_date)
            end = min(date(row.year, 12, 31), project.end_date)
            periods.append((start, end, row.planned.quantize(Decimal("0.01"))))
    return periods


def results(project: Project) -> list[etree._Element]:
    """A result per logframe element that has indicators: goal, outcomes, then outputs."""
    by_element = indicators_by_element(project)
    elements = sorted(
        (e for e in project.logframe_elements if by_element.get(e.id)),
        key=lambda e: (_LEVEL_ORDER[e.level], e.code),
    )
    found = []
    for element in elements:
        result = etree.Element("result", type=RESULT_TYPES[element.level])
        result.set("aggregation-status", "0")
        _narrated(result, "title", f"{element.code} {element.statement}")
        for indicator in by_element[element.id]:
            result.append(indicator_element(indicator))
        found.append(result)
    return found


def indicator_element(indicator: Indicator) -> etree._Element:
    """The indicator with its baseline and a period per target or current actual."""
    targets = sorted(indicator.targets, key=lambda t: t.period_end)
    baseline = Decimal(indicator.baseline_value)
    ascending = not targets or Decimal(targets[-1].value) >= baseline
    element = etree.Element("indicator", measure="2" if is_percentage(indicator.unit) else "1")
    element.set("ascending", "1" if ascending else "0")
    _narrated(element, "title", indicator.name)
    about = f"Unit: {indicator.unit}."
    if indicator.means_of_verification.strip():
        about += f" Means of verification: {indicator.means_of_verification.strip()}"
    _narrated(element, "description", about)
    _sub(
        element,
        "baseline",
        year=str(indicator.baseline_date.year),
        value=_decimal(baseline),
        **{"iso-date": indicator.baseline_date.isoformat()},
    )
    for _period, end, target, actual in indicator_periods(indicator):
        node = _sub(element, "period")
        _sub(node, "period-start", **{"iso-date": period_start(indicator.period_kind, end)})
        _sub(node, "period-end", **{"iso-date": end.isoformat()})
        if target is not None:
            _sub(node, "target", value=_decimal(target))
        if actual is not None:
            actual_node = _sub(node, "actual", value=_decimal(actual[0]))
            if actual[1].strip():
                _narrated(_sub(actual_node, "comment"), None, actual[1])
    return element


def indicator_periods(
    indicator: Indicator,
) -> list[tuple[str, date, Decimal | None, tuple[Decimal, str] | None]]:
    """(period, end, target, (current actual, comment)) for every period with a target or a
    current actual, in date order; corrected or withdrawn figures never count."""
    targets = {t.period: t for t in indicator.targets}
    actuals = current_actuals(indicator)
    ends = {t.period: t.period_end for t in indicator.targets}
    ends.update({period: a.period_end for period, a in actuals.items()})
    rows = []
    for period, end in sorted(ends.items(), key=lambda item: (item[1], item[0])):
        target = targets.get(period)
        actual = actuals.get(period)
        rows.append(
            (
                period,
                end,
                Decimal(target.value) if target else None,
                (Decimal(actual.value), actual.comment or "") if actual else None,
            )
        )
    return rows


def iati_filename(today: date, project: Project | None = None) -> str:
    if project is not None:
        return f"iati-{_NOT_IDENTIFIER.sub('-', project.code)}.xml"
    return f"iati-activities-{today.isoformat()}.xml"


# XML helpers --------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, *, text: str | None = None, **attributes: Any):
    node = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _narrated(parent: etree._Element, tag: str | None, text: str, **attributes: Any):
    """``<tag>`` holding ``<narrative>text</narrative>`` (``tag`` ``None``: in ``parent``)."""
    holder = parent if tag is None else _sub(parent, tag, **_present(attributes))
    _sub(holder, "narrative", text=text)
    return holder


def _present(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}


def _decimal(value: Decimal) -> str:
    """``12.50`` → ``12.5``, ``40.00`` → ``40``: the figure as entered, without padding."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _datetime(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat()


__all__: Sequence[str] = (
    "IatiSettings",
    "activities_xml",
    "activity_element",
    "activity_identifier",
    "iati_filename",
    "portfolio_xml",
    "xml_text",
)
