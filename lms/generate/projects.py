"""Assistance projects over the same years: statuses consistent with their dates, managers
(the demo manager with ``size.manager_projects`` of them), beneficiaries, partners, yearly
budget, a logframe (goal, outcomes, outputs, activities), quarterly indicators with targets
over the whole project and actuals for every quarter already over, phases, milestones within
the project's dates (some re-planned, some late), risks, progress updates and a few RAG
overrides."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from lms.generate.bulk import Loader, audit_row
from lms.generate.people import People, at
from lms.generate.sizes import Size
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
    project_beneficiaries,
    project_focal_points,
    project_managers,
)

THEMES = (
    "Risk management modernisation",
    "Data analytics capacity",
    "Post-clearance audit",
    "Coordinated border management",
    "Customs valuation reform",
    "Authorised economic operator programme",
    "Single window implementation",
    "Integrity and anti-corruption",
)
FUNDERS = ("European Union", "World Bank", "Government of Japan", "FCDO", "Sida", "GIZ")
STATUSES = [
    (ProjectStatus.ACTIVE, 60),
    (ProjectStatus.COMPLETED, 15),
    (ProjectStatus.PIPELINE, 15),
    (ProjectStatus.SUSPENDED, 6),
    (ProjectStatus.CANCELLED, 4),
]
LEVELS = list(RiskLevel)
DELIVERABLES = (
    "Diagnostic report accepted",
    "Training plan agreed",
    "Workshop delivered",
    "Pilot completed",
    "Procedures manual adopted",
    "Trainers accredited",
    "Data set documented",
    "Evaluation report accepted",
)


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _quarter_end(day: date) -> date:
    month = (day.month - 1) // 3 * 3 + 3
    first_next = date(day.year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _dates(rng: random.Random, status: ProjectStatus, today: date) -> tuple[date, date]:
    if status == ProjectStatus.PIPELINE:
        start = today + timedelta(days=rng.randint(30, 300))
        return start, start + timedelta(days=rng.randint(3, 5) * 365)
    if status == ProjectStatus.COMPLETED:
        end = today - timedelta(days=rng.randint(30, 700))
        return end - timedelta(days=rng.randint(2, 4) * 365), end
    start = today - timedelta(days=rng.randint(60, 1300))
    end = max(start + timedelta(days=rng.randint(3, 5) * 365), today + timedelta(days=60))
    return start, end


def build_projects(loader: Loader, rng: random.Random, size: Size, people: People, today: date):
    now = at(today, 12)
    projects = Project.__table__
    milestones = _spread(size.milestones, size.projects)
    indicators = _spread(size.indicators, size.projects)
    others = [m for m in people.managers if m not in (people.manager, people.manager2)]
    kenya = next(iter(people.focal_points), None)
    with loader.progress("Projects", size.projects) as advance:
        for n in range(size.projects):
            status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
            if n == 0:
                status = ProjectStatus.ACTIVE
            start, end = _dates(rng, status, today)
            project_id = loader.next_id(projects)
            theme = THEMES[n % len(THEMES)]
            beneficiaries = rng.sample(
                people.members, min(len(people.members), rng.choice((1, 1, 2, 3)))
            )
            if n == 0 and kenya and kenya not in beneficiaries:
                beneficiaries[0] = kenya
            loader.add(
                projects,
                {
                    "id": project_id,
                    "code": f"PRJ-{start.year}-{n + 1:03d}",
                    "title": f"{theme} ({len(beneficiaries)} administration"
                    f"{'s' if len(beneficiaries) > 1 else ''}, {start.year}–{end.year})",
                    "summary": f"{theme}: support to the beneficiary administrations.",
                    "status": status,
                    "start_date": start,
                    "end_date": end,
                    "currency": "EUR",
                    "created_at": at(min(start, today) - timedelta(days=30), 9),
                    "updated_at": now,
                },
            )
            if n < size.manager_projects:
                manager = people.manager
            elif n < size.manager_projects * 2 or not others:
                manager = people.manager2
            else:
                manager = rng.choice(others)
            loader.add(project_managers, {"project_id": project_id, "user_id": manager})
            for member_id in beneficiaries:
                loader.add(
                    project_beneficiaries,
                    {"project_id": project_id, "member_administration_id": member_id},
                )
            if n == 0 and kenya:
                loader.add(
                    project_focal_points,
                    {"project_id": project_id, "user_id": people.focal_points[kenya]},
                )
            _partners_and_budget(loader, rng, project_id, start, end, today)
            _body(
                loader,
                rng,
                project_id,
                status,
                start,
                end,
                today,
                manager,
                milestones[n],
                indicators[n],
            )
            advance(1)
    loader.flush()


def _partners_and_budget(loader, rng, project_id, start, end, today):
    partners, budget = ProjectPartner.__table__, BudgetLine.__table__
    for name, role in (
        (rng.choice(FUNDERS), PartnerRole.FUNDING),
        ("Customs organisation secretariat", PartnerRole.IMPLEMENTING),
    ):
        loader.add(
            partners,
            {"id": loader.next_id(partners), "project_id": project_id, "name": name, "role": role},
        )
    for year in range(start.year, end.year + 1):
        planned = Decimal(rng.randint(50, 600) * 1000)
        spent = Decimal(0)
        if year < today.year:
            spent = (planned * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("1"))
        elif year == today.year:
            spent = (planned * Decimal(rng.randint(20, 70)) / 100).quantize(Decimal("1"))
        loader.add(
            budget,
            {
                "id": loader.next_id(budget),
                "project_id": project_id,
                "year": year,
                "planned": planned,
                "spent": spent if start <= today else Decimal(0),
            },
        )


def _body(loader, rng, project_id, status, start, end, today, manager, n_milestones, n_indicators):
    elements, activities = LogframeElement.__table__, Activity.__table__

    def element(parent, level, code, statement):
        element_id = loader.next_id(elements)
        loader.add(
            elements,
            {
                "id": element_id,
                "project_id": project_id,
                "parent_id": parent,
                "level": level,
                "code": code,
                "statement": statement,
            },
        )
        return element_id

    goal = element(None, LogframeLevel.GOAL, "G", "Trade is facilitated and revenue secured.")
    boxes = []
    for o in range(1, 4):
        outcome = element(goal, LogframeLevel.OUTCOME, f"{o}", f"Outcome {o} achieved.")
        boxes.append(outcome)
        for p in range(1, 3):
            output = element(
                outcome, LogframeLevel.OUTPUT, f"{o}.{p}", f"Output {o}.{p} delivered."
            )
            boxes.append(output)
            a_start = start + timedelta(days=rng.randint(0, max(1, (end - start).days // 2)))
            loader.add(
                activities,
                {
                    "id": loader.next_id(activities),
                    "output_id": output,
                    "title": f"Workshops for output {o}.{p}",
                    "description": "",
                    "start_date": a_start,
                    "end_date": min(end, a_start + timedelta(days=rng.randint(30, 365))),
                },
            )
    # Most projects keep to their plan; one in four slips, a few badly.
    health = rng.random()
    _indicators(loader, rng, project_id, boxes, start, end, today, manager, n_indicators, health)
    _milestones(loader, rng, project_id, status, start, end, today, manager, n_milestones, health)
    _reporting(loader, rng, project_id, status, start, end, today, manager)


def _indicators(loader, rng, project_id, boxes, start, end, today, manager, count, health):
    indicators, targets, actuals = (
        Indicator.__table__,
        IndicatorTarget.__table__,
        IndicatorActual.__table__,
    )
    quarters = []
    day = _quarter_end(start)
    while day <= _quarter_end(end):
        quarters.append(day)
        day = _quarter_end(day + timedelta(days=1))
    for i in range(count):
        indicator_id = loader.next_id(indicators)
        baseline = Decimal(rng.randint(0, 40))
        goal = baseline + Decimal(rng.randint(20, 200))
        loader.add(
            indicators,
            {
                "id": indicator_id,
                "project_id": project_id,
                "element_id": boxes[i % len(boxes)],
                "name": f"Indicator {i + 1}: officers applying the methods",
                "unit": rng.choice(("officers", "%", "procedures", "days")),
                "period_kind": PeriodKind.QUARTER,
                "baseline_value": baseline,
                "baseline_date": start,
                "means_of_verification": "Training records and administration reports.",
                "training_measure": None,
            },
        )
        # Progress against the planned trajectory: on plan in healthy projects.
        pace = rng.uniform(0.9, 1.15) if health < 0.75 else rng.uniform(0.45, 1.0)
        for q, quarter_end in enumerate(quarters, start=1):
            period = f"{quarter_end.year}-Q{(quarter_end.month - 1) // 3 + 1}"
            value = (baseline + (goal - baseline) * Decimal(q) / len(quarters)).quantize(
                Decimal("0.01")
            )
            loader.add(
                targets,
                {
                    "id": loader.next_id(targets),
                    "indicator_id": indicator_id,
                    "period": period,
                    "period_end": quarter_end,
                    "value": value,
                },
            )
            reported = quarter_end + timedelta(days=rng.randint(5, 25))
            if reported < today:
                factor = Decimal(str(round(pace * rng.uniform(0.95, 1.05), 3)))
                actual = (baseline + (value - baseline) * factor).quantize(Decimal("0.01"))
                loader.add(
                    actuals,
                    {
                        "id": loader.next_id(actuals),
                        "indicator_id": indicator_id,
                        "period": period,
                        "period_end": quarter_end,
                        "value": actual,
                        "comment": "",
                        "evidence_url": "",
                        "reported_by_id": manager,
                        "reported_at": at(reported, 11),
                    },
                )


def _milestones(loader, rng, project_id, status, start, end, today, manager, count, health):
    phases, milestones, replans = Phase.__table__, Milestone.__table__, MilestoneReplan.__table__
    span = max(1, (end - start).days)
    cuts = [start, start + timedelta(days=span // 6), start + timedelta(days=span * 5 // 6), end]
    phase_ids = []
    for name, a, b in zip(
        ("Inception", "Implementation", "Consolidation"), cuts, cuts[1:], strict=False
    ):
        phase_id = loader.next_id(phases)
        phase_ids.append((phase_id, a, b))
        loader.add(
            phases,
            {
                "id": phase_id,
                "project_id": project_id,
                "name": name,
                "start_date": a,
                "end_date": b,
            },
        )
    previous = None
    late_share = 0.01 if health < 0.75 else (0.06 if health < 0.92 else 0.2)
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))
    for n, baseline in enumerate(days, start=1):
        milestone_id = loader.next_id(milestones)
        due = baseline
        moved = rng.random() < 0.15
        if moved:
            due = min(end, baseline + timedelta(days=rng.randint(20, 120)))
            moved = due != baseline
        state, completed = MilestoneStatus.PLANNED, None
        if status == ProjectStatus.COMPLETED or (status != ProjectStatus.PIPELINE and due < today):
            roll = rng.random()
            if status == ProjectStatus.COMPLETED or roll < 0.97 - late_share:
                state = MilestoneStatus.DONE
                completed = min(today, max(start, due + timedelta(days=rng.randint(-10, 10))))
            elif roll < 1 - late_share:
                state = MilestoneStatus.CANCELLED
            else:
                state = MilestoneStatus.IN_PROGRESS  # past due: shown as late
        elif status != ProjectStatus.PIPELINE and due - today < timedelta(days=60):
            state = rng.choice((MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS))
        phase = next((p for p, a, b in phase_ids if a <= due <= b), None)
        loader.add(
            milestones,
            {
                "id": milestone_id,
                "project_id": project_id,
                "phase_id": phase,
                "depends_on_id": previous if previous and rng.random() < 0.3 else None,
                "title": f"{DELIVERABLES[n % len(DELIVERABLES)]} ({n})",
                "owner": "Project team",
                "baseline_date": baseline,
                "due_date": due,
                "status": state,
                "completed_on": completed,
                "evidence": "Report filed." if completed else "",
            },
        )
        if moved:
            loader.add(
                replans,
                {
                    "id": loader.next_id(replans),
                    "milestone_id": milestone_id,
                    "previous_date": baseline,
                    "new_date": due,
                    "reason": "The beneficiary asked for a later date.",
                    "changed_by_id": manager,
                    "changed_at": at(min(today, max(start, baseline - timedelta(days=30))), 10),
                },
            )
        previous = milestone_id


def _reporting(loader, rng, project_id, status, start, end, today, manager):
    risks, updates, overrides = Risk.__table__, ProgressUpdate.__table__, RagOverride.__table__
    for n in range(rng.randint(4, 8)):
        loader.add(
            risks,
            {
                "id": loader.next_id(risks),
                "project_id": project_id,
                "description": f"Risk {n + 1}: staff turnover in the beneficiary administration.",
                "likelihood": rng.choice(LEVELS),
                "impact": rng.choice(LEVELS),
                "mitigation": "Train a second cohort of trainers.",
                "owner": "Project manager",
                "status": rng.choice(list(RiskStatus)) if start < today else RiskStatus.OPEN,
                "updated_at": at(min(today, start + timedelta(days=90)), 10),
            },
        )
    day = _quarter_end(start)
    while day < min(today, end) - timedelta(days=10) and status != ProjectStatus.PIPELINE:
        if today - day < timedelta(days=6 * 91):
            loader.add(
                updates,
                {
                    "id": loader.next_id(updates),
                    "project_id": project_id,
                    "period": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                    "achievements": "Workshops delivered as planned; indicators reported.",
                    "issues": "" if rng.random() < 0.6 else "Delays in nominating trainees.",
                    "next_steps": "Prepare the next quarter's sessions.",
                    "author_id": manager,
                    "created_at": at(day + timedelta(days=10), 15),
                },
            )
        day = _quarter_end(day + timedelta(days=1))
    if status == ProjectStatus.ACTIVE and rng.random() < 0.05:
        override_id = loader.next_id(overrides)
        when = at(today - timedelta(days=rng.randint(5, 60)), 10)
        loader.add(
            overrides,
            {
                "id": override_id,
                "project_id": project_id,
                "rating": Rag.AMBER,
                "computed_rating": Rag.GREEN,
                "justification": "Procurement delays not yet visible in the milestones.",
                "set_by_id": manager,
                "set_at": when,
                "withdrawn_at": None,
                "withdrawn_by_id": None,
            },
        )
        audit_row(
            loader,
            "project.rag_override",
            "Project",
            project_id,
            manager,
            when,
            "RAG override: amber",
            {"rating": "amber"},
        )
