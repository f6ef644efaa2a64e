"""Builders shared by the demo projects: a logframe from an outline, an indicator with a
trajectory, milestones from a plan, all through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration
from lms.projects import services
from lms.projects.models import LogframeLevel, Project


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
