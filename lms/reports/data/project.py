"""An assistance project's progress report: partners, budget and spend, milestones, logframe,
indicators, risks and the training delivered, with the RAG rating and the budget figures
exactly as the project pages compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import Session

from lms.projects import services as projects
from lms.projects.charts import IndicatorSeries, TimelineData, indicator_series, timeline_data
from lms.projects.models import MilestoneStatus, Project
from lms.projects.training import training_delivered
from lms.reports.data.shared import TableData, _d


@dataclass
class IndicatorBlock:
    element: str
    name: str
    unit: str
    baseline: str
    rows: list[list[Any]]  # period, target, actual
    series: IndicatorSeries


@dataclass
class ProjectReportData:
    project_id: int
    code: str
    title: str
    summary: str
    status: str
    start_date: date
    end_date: date
    beneficiaries: list[str]
    managers: list[str]
    today: date
    rating: str
    computed_rating: str
    override: str
    reasons: list[str]
    elapsed_pct: int
    done_pct: int | None
    currency: str = "EUR"
    partners: list[list[Any]] = field(default_factory=list)  # organisation, role
    funders: list[str] = field(default_factory=list)
    budget: list[list[Any]] = field(default_factory=list)  # year, planned, spent, share spent
    budget_total: list[Any] = field(default_factory=list)  # the same columns, for all years
    milestones: list[list[Any]] = field(default_factory=list)
    late_rows: list[int] = field(default_factory=list)
    logframe: list[list[Any]] = field(default_factory=list)
    indicators: list[IndicatorBlock] = field(default_factory=list)
    timeline: TimelineData | None = None
    risks: list[list[Any]] = field(default_factory=list)
    trainings: list[list[Any]] = field(default_factory=list)
    training_totals: dict[str, int] = field(default_factory=dict)
    latest_update: dict[str, str] | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.milestones or self.indicators or self.latest_update or self.trainings)

    def tables(self) -> list[TableData]:
        indicator_rows = [
            [block.element, block.name, block.unit, block.baseline, *row]
            for block in self.indicators
            for row in block.rows
        ]
        budget_rows = self.budget + ([self.budget_total] if self.budget else [])
        return [
            TableData(
                "partners",
                _("Funders and partners"),
                [_("Organisation"), _("Role")],
                self.partners,
            ),
            TableData(
                "budget",
                _("Budget and spend (%(currency)s)", currency=self.currency),
                [_("Year"), _("Planned"), _("Reported spend"), _("Share spent")],
                budget_rows,
            ),
            TableData(
                "milestones",
                _("Milestones"),
                [
                    _("Milestone"),
                    _("Phase"),
                    _("Baseline"),
                    _("Due"),
                    pgettext("date", "Completed"),
                    _("Status"),
                    _("Slippage (days)"),
                ],
                self.milestones,
            ),
            TableData(
                "logframe",
                _("Logical framework"),
                [_("Level"), _("Code"), _("Statement")],
                self.logframe,
            ),
            TableData(
                "indicators",
                _("Indicators: targets and actuals"),
                [
                    _("Element"),
                    _("Indicator"),
                    _("Unit"),
                    _("Baseline"),
                    _("Period"),
                    _("Target"),
                    _("Actual"),
                ],
                indicator_rows,
            ),
            TableData(
                "risks",
                _("Risks"),
                [_("Risk"), _("Likelihood"), _("Impact"), _("Status"), _("Owner"), _("Mitigation")],
                self.risks,
            ),
            TableData(
                "trainings",
                _("Training delivered"),
                [
                    _("Activity"),
                    _("Course"),
                    _("Start"),
                    _("End"),
                    pgettext("count", "Enrolled"),
                    _("Trained"),
                    _("Passed"),
                ],
                self.trainings,
            ),
        ]


def _number(value) -> str:
    return projects._number(value)


def _share(value: int | None) -> str:
    return "—" if value is None else f"{value} %"


def _budget_and_partners(data: ProjectReportData, project: Project) -> None:
    """The same read model as the project page: ``budget_summary`` and ``partners_by_role``."""
    budget = projects.budget_summary(project)
    data.currency = budget.currency
    data.budget = [
        [str(row.year), _number(row.planned), _number(row.spent), _share(row.share_spent)]
        for row in budget.rows
    ]
    data.budget_total = [
        _("Total"),
        _number(budget.planned),
        _number(budget.spent),
        _share(budget.share_spent),
    ]
    data.partners = [[p.name, p.role.label] for p in projects.partners_by_role(project)]
    data.funders = [p.name for p in projects.funders(project)]


def project_report_data(session: Session, project: Project, today: date) -> ProjectReportData:
    project = projects.load_project(session, project.id) or project
    assessment = projects.compute_rag(project, today)
    done = projects.milestones_done_share(project)
    override = assessment.override
    data = ProjectReportData(
        project_id=project.id,
        code=project.code,
        title=project.title,
        summary=project.summary,
        status=project.status.label,
        start_date=project.start_date,
        end_date=project.end_date,
        beneficiaries=[m.name for m in project.beneficiaries],
        managers=[u.full_name for u in project.managers],
        today=today,
        rating=assessment.rating.label if assessment.rating else _("Not rated"),
        computed_rating=assessment.computed.label if assessment.computed else _("Not rated"),
        override=override.justification if override else "",
        reasons=[
            (f"{r.rating.label}: " if r.rating else "") + r.message for r in assessment.reasons
        ],
        elapsed_pct=round(projects.time_elapsed(project, today) * 100),
        done_pct=None if done is None else round(done * 100),
    )
    _budget_and_partners(data, project)
    for index, m in enumerate(sorted(project.milestones, key=lambda m: (m.due_date, m.id))):
        status = m.status_on(today)
        if status is MilestoneStatus.LATE:
            data.late_rows.append(index)
        data.milestones.append(
            [
                m.title,
                m.phase.name if m.phase else "",
                _d(m.baseline_date),
                _d(m.due_date),
                _d(m.completed_on),
                status.label,
                m.slippage_on(today),
            ]
        )
    depth = {"goal": 0, "outcome": 1, "output": 2}
    elements = sorted(
        project.logframe_elements, key=lambda e: (depth.get(e.level.value, 3), e.code, e.id)
    )
    for element in elements:
        data.logframe.append([element.level.label, element.code, element.statement])
    for indicator in project.indicators:
        series = indicator_series(indicator)
        rows = [
            [period, "" if t is None else _number(t), "" if a is None else _number(a)]
            for period, t, a in zip(series.periods, series.targets, series.actuals, strict=True)
        ]
        data.indicators.append(
            IndicatorBlock(
                indicator.element.code,
                indicator.name,
                indicator.unit,
                f"{_number(indicator.baseline_value)} ({_d(indicator.baseline_date)})",
                rows,
                series,
            )
        )
    data.timeline = timeline_data(project, today)
    for risk in project.risks:
        data.risks.append(
            [
                risk.description,
                risk.likelihood.label,
                risk.impact.label,
                risk.status.label,
                risk.owner,
                risk.mitigation,
            ]
        )
    summary = training_delivered(session, project)
    for delivery in summary.sessions:
        cs = delivery.link.course_session
        data.trainings.append(
            [
                delivery.link.activity.title,
                f"{cs.course.code} {cs.course.title}",
                _d(cs.starts_on),
                _d(cs.ends_on),
                delivery.enrolled,
                delivery.trained,
                delivery.passed,
            ]
        )
    data.training_totals = {
        "trained": summary.trained,
        "completed": summary.completed,
        "certified": summary.certified,
    }
    if project.progress_updates:
        update = max(project.progress_updates, key=lambda u: (u.created_at, u.id))
        data.latest_update = {
            "period": update.period,
            "achievements": update.achievements,
            "issues": update.issues,
            "next_steps": update.next_steps,
            "author": update.author.full_name if update.author else "",
            "date": _d(update.created_at),
        }
    return data
