"""The pipeline and the completed demo projects."""

from __future__ import annotations

from datetime import date

from lms.projects import services
from lms.projects.demo.helpers import build_indicator, build_logframe, build_milestones, member_ids
from lms.projects.models import ProjectStatus


def pipeline_project(session, today, manager):
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
        manager_ids=[manager.id],
    )
    # The directorate names the beneficiaries (a manager may not: they widen her remit).
    services.set_beneficiaries(
        session, project, actor=None, beneficiary_ids=member_ids(session, "FJ", "VN")
    )
    services.add_partner(
        session, project, actor=manager, name="Asian Development Bank", role="funding"
    )
    for year, planned in ((2027, 250000), (2028, 200000)):
        services.set_budget_line(
            session, project, actor=manager, year=year, planned=planned, spent=0
        )
    elements = build_logframe(
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
    build_indicator(
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


def completed_project(session, today, manager):
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
        manager_ids=[manager.id],
    )
    # The directorate names the beneficiaries (a manager may not: they widen her remit).
    services.set_beneficiaries(
        session, project, actor=None, beneficiary_ids=member_ids(session, "MA", "JO")
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
    elements = build_logframe(
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
    build_indicator(
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
    build_indicator(
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
    build_milestones(session, project, manager, plan, today=date(2026, 1, 1))
    services.add_progress_update(
        session,
        project,
        actor=manager,
        period="Final report 2025",
        achievements="Both warehouses live; 165 daily users; 24 data stewards trained.",
        next_steps="Follow-up on data quality dashboards proposed (DX-AP-2027 model).",
    )
    return project
