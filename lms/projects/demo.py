"""Demo assistance projects, 2023–2028: one on track, one with late milestones (and a manager
override), one in the pipeline and one completed, with logframes, indicators, targets and
actuals, phases, milestones, risks and progress updates.

Dates that decide the status are placed relative to the day the demo is loaded, so the
on-track project stays on track and the late one stays late whenever the demo is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import MemberAdministration, Role, User
from lms.accounts.services import create_user
from lms.projects import services
from lms.projects.models import LogframeLevel, Project, ProjectStatus


def _clamp(day: date, project: Project) -> date:
    return min(max(day, project.start_date), project.end_date)


def _member_ids(session: Session, *codes: str) -> list[int]:
    rows = session.execute(
        sa.select(MemberAdministration.country_code, MemberAdministration.id).where(
            MemberAdministration.country_code.in_(codes)
        )
    ).all()
    found = dict(rows)
    return [found[code] for code in codes]


def _logframe(session, project, actor, goal, outcomes):
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


def _indicator(session, element, actor, name, unit, baseline, targets, *, today, pace=1.0):
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


def _milestones(session, project, actor, plan, *, today, finish_past=True):
    """``plan``: [(title, due date, owner, phase)]. Those due before today are done (a few
    days early) when ``finish_past``."""
    made = []
    for title, due, owner, phase in plan:
        due = _clamp(due, project)
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


def _on_track(session, today, manager, focal):
    project = services.create_project(
        session,
        actor=manager,
        code="DS-ESA-2024",
        title="Data strategy and analytics unit for Kenya and Uganda",
        summary="Set up a customs analytics unit, a data governance policy and a pool of "
        "certified data specialists in the two administrations.",
        status=ProjectStatus.ACTIVE,
        start_date=date(2024, 1, 1),
        end_date=date(2027, 12, 31),
        currency="EUR",
        beneficiary_ids=_member_ids(session, "KE", "UG"),
        manager_ids=[manager.id],
        focal_point_ids=[focal.id],
    )
    for name, role in (
        ("European Union", "funding"),
        ("Capacity Building Directorate", "implementing"),
        ("Kenya Revenue Authority", "beneficiary"),
        ("Uganda Revenue Authority", "beneficiary"),
        ("Regional Office for Capacity Building ESA", "accountable"),
    ):
        services.add_partner(session, project, actor=manager, name=name, role=role)
    for year, planned in ((2024, 320000), (2025, 450000), (2026, 410000), (2027, 220000)):
        spent = (
            planned * 0.96 if year < today.year else (planned * 0.55 if year == today.year else 0)
        )
        services.set_budget_line(
            session, project, actor=manager, year=year, planned=planned, spent=round(spent)
        )
    inception = services.add_phase(
        session,
        project,
        actor=manager,
        name="Inception",
        start_date=date(2024, 1, 1),
        end_date=date(2024, 6, 30),
    )
    build = services.add_phase(
        session,
        project,
        actor=manager,
        name="Implementation",
        start_date=date(2024, 7, 1),
        end_date=date(2026, 12, 31),
    )
    consolidate = services.add_phase(
        session,
        project,
        actor=manager,
        name="Consolidation",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    elements = _logframe(
        session,
        project,
        manager,
        "Customs decisions in Kenya and Uganda are driven by reliable data",
        [
            (
                "Both administrations run an analytics unit that feeds risk management",
                [
                    ("Analytics units staffed and equipped", ["Recruitment support mission"]),
                    (
                        "Officers certified as data specialists",
                        ["Data specialist course, Nairobi", "Data specialist course, Kampala"],
                    ),
                ],
            ),
            (
                "Data is governed by an adopted policy",
                [("Data governance policy drafted and adopted", ["Policy drafting workshop"])],
            ),
        ],
    )
    _indicator(
        session,
        elements["goal"],
        manager,
        "Share of inspections selected by data-driven risk profiles",
        "%",
        12,
        {2024: 18, 2025: 30, 2026: 42, 2027: 55},
        today=today,
        pace=0.97,
    )
    _indicator(
        session,
        elements["1.2"],
        manager,
        "Officers certified as data specialists",
        "officers",
        0,
        {2024: 10, 2025: 25, 2026: 40, 2027: 60},
        today=today,
        pace=1.04,
    )
    _indicator(
        session,
        elements["2"],
        manager,
        "Data governance policy adopted",
        "policies",
        0,
        {2025: 1, 2026: 2},
        today=today,
        pace=1.0,
    )
    plan = [
        ("Inception report approved", date(2024, 5, 31), "Project manager", inception),
        ("Diagnostic of data maturity", date(2024, 9, 30), "Directorate experts", build),
        ("Analytics units staffed", date(2025, 6, 30), "KRA / URA", build),
        ("Data governance policy adopted", today - timedelta(days=40), "KRA / URA", build),
        (
            "First risk profiles from the units",
            today + timedelta(days=75),
            "Analytics units",
            build,
        ),
        ("Second cohort certified", today + timedelta(days=200), "Directorate experts", build),
        ("Sustainability plan", date(2027, 10, 31), "Project manager", consolidate),
    ]
    milestones = _milestones(session, project, manager, plan, today=today)
    services.replan_milestone(
        session,
        milestones[5],
        actor=manager,
        new_date=_clamp(today + timedelta(days=230), project),
        reason="Course dates aligned with the Kampala training centre calendar.",
    )
    services.save_risk(
        session,
        project,
        None,
        actor=manager,
        description="Trained analysts leave for the private sector",
        likelihood="medium",
        impact="high",
        mitigation="Retention agreements; train a second cohort.",
        owner="KRA / URA HR",
    )
    services.save_risk(
        session,
        project,
        None,
        actor=manager,
        description="Delays in procuring analytics software",
        likelihood="low",
        impact="medium",
        mitigation="Open-source stack agreed as fall-back.",
        owner="Project manager",
        status="mitigated",
    )
    for period, achievements, issues, steps in (
        (
            "2025",
            "Analytics units staffed in both administrations; first cohort certified.",
            "Late availability of the Kampala training room.",
            "Adopt the data governance policy.",
        ),
        (
            f"{today.year}-H1",
            "Data governance policy adopted by both boards.",
            "",
            "Produce the first risk profiles from the units.",
        ),
    ):
        services.add_progress_update(
            session,
            project,
            actor=manager,
            period=period,
            achievements=achievements,
            issues=issues,
            next_steps=steps,
        )
    return project


def _late(session, today, manager):
    project = services.create_project(
        session,
        actor=manager,
        code="RM-WCA-2023",
        title="Risk management modernisation for Senegal, Cameroon and Nigeria",
        summary="Modernise selectivity with data-driven risk engines and train risk analysts.",
        status=ProjectStatus.ACTIVE,
        start_date=date(2023, 3, 1),
        end_date=date(2027, 6, 30),
        currency="USD",
        beneficiary_ids=_member_ids(session, "SN", "CM", "NG"),
        manager_ids=[manager.id],
    )
    services.add_partner(
        session, project, actor=manager, name="African Development Bank", role="funding"
    )
    services.add_partner(
        session, project, actor=manager, name="Capacity Building Directorate", role="implementing"
    )
    for year, planned, spent in (
        (2023, 150000, 140000),
        (2024, 380000, 250000),
        (2025, 420000, 260000),
        (2026, 300000, 90000),
        (2027, 120000, 0),
    ):
        services.set_budget_line(
            session,
            project,
            actor=manager,
            year=year,
            planned=planned,
            spent=spent if year <= today.year else 0,
        )
    phase = services.add_phase(
        session,
        project,
        actor=manager,
        name="Implementation",
        start_date=date(2023, 3, 1),
        end_date=date(2027, 6, 30),
    )
    elements = _logframe(
        session,
        project,
        manager,
        "Risk-based selectivity reduces clearance times without weakening control",
        [
            (
                "Risk engines select consignments in the three administrations",
                [
                    ("Risk analysts trained", ["Risk analysis course, Dakar"]),
                    ("Risk engine deployed", ["Engine configuration mission"]),
                ],
            )
        ],
    )
    _indicator(
        session,
        elements["goal"],
        manager,
        "Average clearance time",
        "hours",
        72,
        {2024: 60, 2025: 48, 2026: 36, 2027: 30},
        today=today,
        pace=0.6,
    )
    _indicator(
        session,
        elements["1.1"],
        manager,
        "Risk analysts trained",
        "officers",
        0,
        {2023: 10, 2024: 30, 2025: 50, 2026: 70},
        today=today,
        pace=0.75,
    )
    plan = [
        ("Inception report", date(2023, 6, 30), "Project manager", phase),
        ("Risk engine requirements signed off", date(2024, 3, 31), "DGD Senegal", phase),
    ]
    _milestones(session, project, manager, plan, today=today)
    engine = services.add_milestone(
        session,
        project,
        actor=manager,
        title="Risk engine live in Dakar",
        due_date=_clamp(today - timedelta(days=220), project),
        owner="DGD Senegal",
        phase=phase,
    )
    services.replan_milestone(
        session,
        engine,
        actor=manager,
        new_date=_clamp(today - timedelta(days=45), project),
        reason="Vendor contract signed six months late after a re-tender.",
    )
    services.update_milestone(session, engine, actor=manager, status="in_progress", phase=phase)
    services.add_milestone(
        session,
        project,
        actor=manager,
        title="Risk analysts certified (Cameroon)",
        due_date=_clamp(today - timedelta(days=20), project),
        owner="DGD Cameroun",
        phase=phase,
    )
    services.add_milestone(
        session,
        project,
        actor=manager,
        title="Roll-out to Lagos ports",
        due_date=_clamp(today + timedelta(days=150), project),
        owner="Nigeria Customs Service",
        phase=phase,
    )
    services.save_risk(
        session,
        project,
        None,
        actor=manager,
        description="Vendor fails to deliver the risk engine integration",
        likelihood="high",
        impact="high",
        mitigation="Escalation to the steering committee.",
        owner="Project manager",
        status="occurred",
    )
    services.add_progress_update(
        session,
        project,
        actor=manager,
        period=f"{today.year}-H1",
        achievements="Requirements signed off; first analysts trained in Dakar.",
        issues="The risk engine went live late in Dakar; Cameroon certification slipped.",
        next_steps="Steering committee to decide on a recovery plan.",
    )
    services.override_rag(
        session,
        project,
        actor=manager,
        rating="amber",
        justification="Recovery plan agreed with the three administrations on the last "
        "steering committee; the vendor is now delivering weekly.",
        today=today,
    )
    return project


def _pipeline(session, today, manager):
    project = services.create_project(
        session,
        actor=manager,
        code="DX-AP-2027",
        title="Data specialists for Fiji and Vietnam",
        summary="Proposed follow-up: certify data specialists and set up data quality dashboards.",
        status=ProjectStatus.PIPELINE,
        start_date=date(2027, 1, 1),
        end_date=date(2028, 12, 31),
        currency="USD",
        beneficiary_ids=_member_ids(session, "FJ", "VN"),
        manager_ids=[manager.id],
    )
    services.add_partner(
        session, project, actor=manager, name="Asian Development Bank", role="funding"
    )
    for year, planned in ((2027, 250000), (2028, 200000)):
        services.set_budget_line(
            session, project, actor=manager, year=year, planned=planned, spent=0
        )
    elements = _logframe(
        session,
        project,
        manager,
        "Data quality supports revenue and risk decisions",
        [
            (
                "Data specialists work in both administrations",
                [("Officers certified as data specialists", [])],
            )
        ],
    )
    _indicator(
        session,
        elements["1.1"],
        manager,
        "Officers certified as data specialists",
        "officers",
        0,
        {2027: 15, 2028: 35},
        today=today,
        pace=0,
    )
    for title, due in (
        ("Funding agreement signed", date(2027, 2, 28)),
        ("Inception mission", date(2027, 5, 31)),
        ("First cohort certified", date(2027, 12, 15)),
        ("Final evaluation", date(2028, 11, 30)),
    ):
        services.add_milestone(session, project, actor=manager, title=title, due_date=due)
    services.save_risk(
        session,
        project,
        None,
        actor=manager,
        description="Funding decision postponed",
        likelihood="medium",
        impact="high",
        owner="Directorate",
    )
    return project


def _completed(session, today, manager):
    project = services.create_project(
        session,
        actor=manager,
        code="DW-MENA-2023",
        title="Customs data warehouse for Morocco and Jordan",
        summary="Built a shared data warehouse and trained its data stewards.",
        status=ProjectStatus.COMPLETED,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
        currency="EUR",
        beneficiary_ids=_member_ids(session, "MA", "JO"),
        manager_ids=[manager.id],
    )
    services.add_partner(
        session, project, actor=manager, name="Government of Japan", role="funding"
    )
    for year, planned, spent in (
        (2023, 200000, 195000),
        (2024, 260000, 251000),
        (2025, 140000, 138500),
    ):
        services.set_budget_line(
            session, project, actor=manager, year=year, planned=planned, spent=spent
        )
    elements = _logframe(
        session,
        project,
        manager,
        "Customs decisions use one trusted data warehouse",
        [
            (
                "The warehouse is used daily",
                [("Data stewards trained", ["Data stewardship course, Rabat"])],
            )
        ],
    )
    _indicator(
        session,
        elements["1"],
        manager,
        "Daily active warehouse users",
        "users",
        0,
        {2023: 20, 2024: 80, 2025: 150},
        today=date(2026, 6, 30),
        pace=1.1,
    )
    _indicator(
        session,
        elements["1.1"],
        manager,
        "Data stewards trained",
        "officers",
        0,
        {2023: 8, 2024: 16, 2025: 24},
        today=date(2026, 6, 30),
        pace=1.0,
    )
    plan = [
        ("Warehouse design approved", date(2023, 4, 30), "ADII", None),
        ("Warehouse live in Rabat", date(2024, 3, 31), "ADII", None),
        ("Warehouse live in Amman", date(2024, 10, 31), "Jordan Customs", None),
        ("Final evaluation", date(2025, 11, 30), "Independent evaluator", None),
    ]
    _milestones(session, project, manager, plan, today=date(2026, 1, 1))
    services.add_progress_update(
        session,
        project,
        actor=manager,
        period="Final report 2025",
        achievements="Both warehouses live; 165 daily users; 24 data stewards trained.",
        next_steps="Follow-up on data quality dashboards proposed (DX-AP-2027 model).",
    )
    return project


def _training(session: Session, project: Project, manager: User, today: date) -> int:
    """Link the demo course sessions run for Kenya and Uganda to the project's training
    activities, and feed the certification indicator from the training records."""
    from lms.courses.models import Course, CourseSession
    from lms.projects import training
    from lms.projects.models import TrainingMeasure

    activities = {a.title: a for e in project.logframe_elements for a in e.activities}
    sessions = session.scalars(
        sa.select(CourseSession)
        .join(Course)
        .where(Course.code.in_(["DS-101", "DS-102", "DS-202", "DS-301"]))
        .order_by(CourseSession.starts_on)
    ).all()
    plan = []
    for course_session in sessions:
        if course_session.venue == "Kampala":
            plan.append(("Data specialist course, Kampala", course_session))
        elif course_session.venue == "Nairobi" or course_session.ends_on < today:
            plan.append(("Data specialist course, Nairobi", course_session))
    for title, course_session in plan:
        training.link_session(session, project, activities[title], course_session, actor=manager)
    output = next(
        e
        for e in project.logframe_elements
        if e.statement == "Officers certified as data specialists"
    )
    indicator = services.add_indicator(
        session,
        output,
        actor=manager,
        name="Officers certified as data specialists",
        unit="officers",
        baseline_value=0,
        baseline_date=project.start_date,
        means_of_verification="Certificates recorded in Capacity LMS",
        training_measure=TrainingMeasure.CERTIFIED,
    )
    # One officer (David, Kenya) is certified this year; the plan keeps the project on track.
    for year, target in ((today.year, 1), (today.year + 1, 2)):
        if year <= project.end_date.year:
            services.set_target(session, indicator, actor=manager, period=str(year), value=target)
    training.report_training_actual(session, indicator, period=str(today.year), actor=manager)
    return len(plan)


def load_projects(session: Session) -> str:
    today = date.today()
    users = {
        u.email: u
        for u in session.scalars(
            sa.select(User).where(User.email.in_(["manager@example.org", "manager2@example.org"]))
        )
    }
    manager, manager2 = users["manager@example.org"], users["manager2@example.org"]
    kenya = _member_ids(session, "KE")[0]
    focal = create_user(
        session,
        actor=None,
        email="focal.ke@example.org",
        full_name="Focal point KE",
        roles=[Role.TRAINEE],
        member_administration_id=kenya,
        password=DEMO_PASSWORD,
        check_policy=False,
    )
    focal.is_demo = True
    on_track = _on_track(session, today, manager, focal)
    projects = [
        on_track,
        _late(session, today, manager2),
        _pipeline(session, today, manager),
        _completed(session, today, manager2),
    ]
    session.flush()
    linked = _training(session, on_track, manager, today)
    return (
        f"Demo projects: {len(projects)} ({', '.join(p.code for p in projects)}), "
        f"{linked} course sessions linked as training delivered; "
        "focal.ke@example.org reads the Kenya project."
    )
