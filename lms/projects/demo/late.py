"""The demo project with late milestones and the manager's override of its rating."""

from __future__ import annotations

from datetime import date, timedelta

from lms.projects import services
from lms.projects.demo.helpers import (
    build_indicator,
    build_logframe,
    build_milestones,
    build_quarterly_indicator,
    clamp,
    member_ids,
)
from lms.projects.models import ProjectStatus


def late_project(session, today, manager):
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
        manager_ids=[manager.id],
        dac_sector="33120",  # trade facilitation (the others take the configured default)
    )
    # The directorate names the beneficiaries (a manager may not: they widen her remit).
    services.set_beneficiaries(
        session, project, actor=None, beneficiary_ids=member_ids(session, "SN", "CM", "NG")
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
    elements = build_logframe(
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
    build_indicator(
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
    build_indicator(
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
    # Monitoring stopped two quarters ago: the figures are overdue.
    build_quarterly_indicator(
        session,
        elements["1.1"],
        manager,
        "Risk engine alerts reviewed within 24 hours",
        "%",
        20,
        85,
        today=today,
        pace=0.7,
        stop_after=today - timedelta(days=200),
    )
    plan = [
        ("Inception report", date(2023, 6, 30), "Project manager", phase),
        ("Risk engine requirements signed off", date(2024, 3, 31), "DGD Senegal", phase),
    ]
    build_milestones(session, project, manager, plan, today=today)
    engine = services.add_milestone(
        session,
        project,
        actor=manager,
        title="Risk engine live in Dakar",
        due_date=clamp(today - timedelta(days=220), project),
        owner="DGD Senegal",
        phase=phase,
    )
    services.replan_milestone(
        session,
        engine,
        actor=manager,
        new_date=clamp(today - timedelta(days=45), project),
        reason="Vendor contract signed six months late after a re-tender.",
    )
    services.update_milestone(session, engine, actor=manager, status="in_progress", phase=phase)
    services.add_milestone(
        session,
        project,
        actor=manager,
        title="Risk analysts certified (Cameroon)",
        due_date=clamp(today - timedelta(days=20), project),
        owner="DGD Cameroun",
        phase=phase,
    )
    services.add_milestone(
        session,
        project,
        actor=manager,
        title="Roll-out to Lagos ports",
        due_date=clamp(today + timedelta(days=150), project),
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
