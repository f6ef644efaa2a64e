"""Builders shared by the demo projects: a logframe from an outline, an indicator with a
trajectory, milestones from a plan, all through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration
from lms.core import clock
from lms.projects import services
from lms.projects.models import LogframeLevel, PeriodKind, Project

REPORTED_AFTER_DAYS = 25  # a quarter's figure is reported this long after it ends


def clamp(day: date, project: Project) -> date:
    return min(max(day, project.start_date), project.end_date)


def member_ids(session: Session, *codes: str) -> list[int]:
    rows = session.execute(
        sa.select(MemberAdministration.country_code, MemberAdministration.id).where(
            MemberAdministration.country_code.in_(codes)
        )
    ).all()
    found = dict(rows)
    return [found[code] for code in codes]


def build_logframe(session, project, actor, goal, outcomes):
    """``outcomes``: [(statement, [(output statement, [activity titles])])]."""
    top = services.add_logframe_element(
        session, project, actor=actor, level=LogframeLevel.GOAL, statement=goal
    )
    elements = {"goal": top}
    for o_index, (statement, outputs) in enumerate(outcomes, start=1):
        outcome = services.add_logframe_element(
            session, project, actor=actor, level="outcome", statement=statement, parent=top
        )
        elements[f"{o_index}"] = outcome
        for p_index, (output_statement, activities) in enumerate(outputs, start=1):
            output = services.add_logframe_element(
                session,
                project,
                actor=actor,
                level="output",
                statement=output_statement,
                parent=outcome,
            )
            elements[f"{o_index}.{p_index}"] = output
            for title in activities:
                services.add_activity(session, output, actor=actor, title=title)
    return elements


def build_indicator(session, element, actor, name, unit, baseline, targets, *, today, pace=1.0):
    """Targets per year; actuals for every year ended long enough ago to be reported,
    at ``pace`` times the target's progress."""
    indicator = services.add_indicator(
        session,
        element,
        actor=actor,
        name=name,
        unit=unit,
        baseline_value=baseline,
        baseline_date=element.project.start_date,
        means_of_verification="Annual monitoring report of the beneficiary administration",
    )
    for year, value in targets.items():
        services.set_target(session, indicator, actor=actor, period=str(year), value=value)
        if pace and date(year, 12, 31) + timedelta(days=60) < today:
            actual = Decimal(baseline) + (Decimal(value) - Decimal(baseline)) * Decimal(str(pace))
            services.report_actual(
                session,
                indicator,
                actor=actor,
                period=str(year),
                value=actual.quantize(Decimal("1")),
                comment=f"Figure from the {year} annual report",
                evidence_url=f"https://example.org/reports/{element.project.code.lower()}-{year}",
            )
    return indicator


def _quarters(project: Project):
    """Every quarter of the project: (label, last day)."""
    for year in range(project.start_date.year, project.end_date.year + 1):
        for quarter, end in enumerate(((3, 31), (6, 30), (9, 30), (12, 31)), start=1):
            last = date(year, *end)
            if project.start_date <= last and last - timedelta(days=80) <= project.end_date:
                yield f"{year}-Q{quarter}", last


def build_quarterly_indicator(
    session, element, actor, name, unit, baseline, final, *, today, pace=1.0, stop_after=None
):
    """A quarterly indicator rising steadily from ``baseline`` to ``final``; each ended
    quarter's actual is reported ``REPORTED_AFTER_DAYS`` after it ends (dated that day), at
    ``pace`` times the planned progress with a little noise, until ``stop_after`` (a date:
    later quarters are left unreported). The quarter that ended last is reported only once
    its reporting day has come, so a recent one may still be due."""
    project = element.project
    indicator = services.add_indicator(
        session,
        element,
        actor=actor,
        name=name,
        unit=unit,
        baseline_value=baseline,
        baseline_date=project.start_date,
        period_kind=PeriodKind.QUARTER,
        means_of_verification="Quarterly monitoring dashboard of the beneficiary administration",
    )
    quarters = list(_quarters(project))
    for number, (label, last) in enumerate(quarters, start=1):
        planned = Decimal(baseline) + (Decimal(final) - Decimal(baseline)) * number / len(quarters)
        services.set_target(
            session, indicator, actor=actor, period=label, value=planned.quantize(Decimal("1"))
        )
        reported_on = last + timedelta(days=REPORTED_AFTER_DAYS)
        if reported_on > today or (stop_after and last > stop_after):
            continue
        wobble = Decimal((number * 7) % 5 - 2) / 100  # deterministic ±2 % noise
        progress = (planned - Decimal(baseline)) * (Decimal(str(pace)) + wobble)
        with clock.travel(reported_on):
            services.report_actual(
                session,
                indicator,
                actor=actor,
                period=label,
                value=(Decimal(baseline) + progress).quantize(Decimal("1")),
                comment=f"Figure for {label}",
                evidence_url=f"https://example.org/monitoring/{project.code.lower()}/{label}",
            )
    return indicator


def build_milestones(session, project, actor, plan, *, today, finish_past=True):
    """``plan``: [(title, due date, owner, phase)]. Those due before today are done (a few
    days early) when ``finish_past``."""
    made = []
    for title, due, owner, phase in plan:
        due = clamp(due, project)
        milestone = services.add_milestone(
            session, project, actor=actor, title=title, due_date=due, owner=owner, phase=phase
        )
        if finish_past and due < today:
            services.update_milestone(
                session,
                milestone,
                actor=actor,
                status="done",
                completed_on=due - timedelta(days=3),
                evidence="Signed minutes on file",
                phase=phase,
            )
        made.append(milestone)
    return made
