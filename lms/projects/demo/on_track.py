"""The on-track demo project (Kenya and Uganda), with a focal point who reads it."""

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


def on_track_project(session, today, manager, focal):
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
        manager_ids=[manager.id],
        focal_point_ids=[focal.id],
        dac_sector="33120",  # trade facilitation (the others take the configured default)
    )
    # The directorate names the beneficiaries (a manager may not: they widen her remit).
    services.set_beneficiaries(
        session, project, actor=None, beneficiary_ids=member_ids(session, "KE", "UG")
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
    elements = build_logframe(
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
    build_indicator(
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
    build_indicator(
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
    build_indicator(
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
    build_quarterly_indicator(
        session,
        elements["1.2"],
        manager,
        "Declarations screened by the analytics unit's risk models",
        "%",
        5,
        70,
        today=today,
        pace=1.02,
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
    milestones = build_milestones(session, project, manager, plan, today=today)
    services.replan_milestone(
        session,
        milestones[5],
        actor=manager,
        new_date=clamp(today + timedelta(days=230), project),
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
