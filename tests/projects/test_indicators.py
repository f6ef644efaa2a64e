"""Indicators: periods, the planned trajectory, and actuals that are appended, never
overwritten, whatever is edited around them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.projects import services
from lms.projects.models import Indicator, IndicatorActual, LogframeLevel, PeriodKind


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("year", "2026", ("2026", date(2026, 12, 31))),
        ("quarter", "2026-q3", ("2026-Q3", date(2026, 9, 30))),
        ("quarter", "2025Q1", ("2025-Q1", date(2025, 3, 31))),
    ],
)
def test_periods_are_normalised_and_dated_by_their_last_day(kind, text, expected):
    assert services.parse_period(kind, text) == expected


@pytest.mark.parametrize(("kind", "text"), [("year", "2026-Q1"), ("quarter", "2026"), ("year", "")])
def test_a_period_of_the_wrong_kind_is_refused(kind, text):
    with pytest.raises(ValidationError):
        services.parse_period(kind, text)


def test_the_planned_trajectory_runs_straight_from_the_baseline_through_the_targets(
    make_project, make_indicator
):
    indicator = make_indicator(
        make_project(), baseline=10, baseline_date=date(2024, 12, 31), targets={"2025": 30}
    )
    assert services.planned_value(indicator, date(2024, 6, 1)) == Decimal("10")
    assert services.planned_value(indicator, date(2025, 7, 2)) == pytest.approx(
        Decimal("20"), abs=Decimal("0.1")
    )
    assert services.planned_value(indicator, date(2030, 1, 1)) == Decimal("30")


def test_actuals_are_appended_and_history_survives_edits(make_project, make_indicator):
    project = make_project()
    manager = project.managers[0]
    indicator = make_indicator(project, targets={"2024": 10, "2025": 20})
    services.report_actual(
        db.session,
        indicator,
        actor=manager,
        period="2024",
        value=8,
        comment="Provisional",
        evidence_url="https://example.org/report-2024.pdf",
    )
    db.session.commit()
    services.report_actual(
        db.session, indicator, actor=manager, period="2024", value="9.5", comment="Audited"
    )
    # Edits around the actuals: a revised target and a new one.
    services.set_target(db.session, indicator, actor=manager, period="2024", value=12)
    services.set_target(db.session, indicator, actor=manager, period="2026", value=30)
    db.session.commit()
    db.session.expire_all()

    indicator = db.session.get(Indicator, indicator.id)
    history = [(a.period, a.value, a.comment) for a in indicator.actuals]
    assert history == [
        ("2024", Decimal("8.00"), "Provisional"),
        ("2024", Decimal("9.50"), "Audited"),
    ]
    assert indicator.actuals[0].evidence_url == "https://example.org/report-2024.pdf"
    assert indicator.actuals[0].reported_by_id == manager.id
    assert services.current_actuals(indicator)["2024"].value == Decimal("9.50")
    assert {t.period: t.value for t in indicator.targets} == {
        "2024": Decimal("12.00"),
        "2025": Decimal("20.00"),
        "2026": Decimal("30.00"),
    }
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("indicator.actual_reported") == 2


def test_an_actual_cannot_be_overwritten_or_deleted(make_project, make_indicator):
    indicator = make_indicator(make_project(), targets={"2024": 10})
    actual = services.report_actual(db.session, indicator, actor=None, period="2024", value=5)
    db.session.commit()

    actual.value = Decimal("50")
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(IndicatorActual, actual.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(IndicatorActual.value)) == Decimal("5.00")


def test_an_actual_needs_a_number_and_a_web_link_as_evidence(make_project, make_indicator):
    indicator = make_indicator(make_project())
    with pytest.raises(ValidationError) as error:
        services.report_actual(db.session, indicator, actor=None, period="2024", value="many")
    assert error.value.field == "value"
    with pytest.raises(ValidationError) as error:
        services.report_actual(
            db.session, indicator, actor=None, period="2024", value=3, evidence_url="file:///x"
        )
    assert error.value.field == "evidence_url"


def test_quarterly_indicators_take_quarters(make_project):
    project = make_project()
    goal = services.add_logframe_element(
        db.session, project, actor=None, level="goal", statement="Better risk targeting"
    )
    indicator = services.add_indicator(
        db.session,
        goal,
        actor=None,
        name="Hit rate of risk profiles",
        unit="%",
        baseline_value=4,
        baseline_date=date(2024, 1, 1),
        period_kind=PeriodKind.QUARTER,
    )
    target = services.set_target(db.session, indicator, actor=None, period="2025-Q2", value=8)
    assert (target.period, target.period_end) == ("2025-Q2", date(2025, 6, 30))


def test_the_logframe_hangs_together(make_project):
    project = make_project()
    goal = services.add_logframe_element(
        db.session, project, actor=None, level="goal", statement="Data-driven customs"
    )
    outcome = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        level="outcome",
        statement="Analytics unit works",
        parent=goal,
    )
    output = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        level="output",
        statement="Analysts trained",
        parent=outcome,
    )
    assert (goal.code, outcome.code, output.code) == ("G", "1", "1.1")
    activity = services.add_activity(db.session, output, actor=None, title="Analytics course")
    assert activity.output is output
    with pytest.raises(ConflictError):
        services.add_logframe_element(
            db.session, project, actor=None, level=LogframeLevel.GOAL, statement="Second goal"
        )
    with pytest.raises(ValidationError):
        services.add_logframe_element(
            db.session, project, actor=None, level="output", statement="Under goal", parent=goal
        )
    with pytest.raises(ValidationError):
        services.add_activity(db.session, outcome, actor=None, title="Not under an output")


def test_editing_the_indicator_keeps_every_reported_actual(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project, targets={"2024": 10})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=6)
    services.report_actual(db.session, indicator, actor=None, period="2024", value=7)
    db.session.commit()

    services.update_indicator(
        db.session,
        indicator,
        actor=None,
        name="Officers certified (data specialists, level 2)",
        unit="certified officers",
        baseline_value=1,
        baseline_date=date(2024, 2, 1),
        period_kind="year",
        means_of_verification="Certification register",
    )
    db.session.commit()
    db.session.expire_all()

    indicator = db.session.get(Indicator, indicator.id)
    assert indicator.name == "Officers certified (data specialists, level 2)"
    assert [(a.period, a.value) for a in indicator.actuals] == [
        ("2024", Decimal("6.00")),
        ("2024", Decimal("7.00")),
    ]
    with pytest.raises(ConflictError) as error:
        services.update_indicator(
            db.session,
            indicator,
            actor=None,
            name=indicator.name,
            unit=indicator.unit,
            baseline_value=1,
            baseline_date=date(2024, 2, 1),
            period_kind="quarter",
        )
    assert error.value.field == "period_kind"
