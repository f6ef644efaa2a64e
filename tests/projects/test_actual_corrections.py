"""A reported indicator actual corrected or withdrawn: the original stays in the history, the
indicator's figures (current actuals, chart, RAG) follow, only the reporter or an admin may."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import PermissionDenied, ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.projects import services
from lms.projects.charts import indicator_series
from lms.projects.models import ActualCorrection, IndicatorActual, Rag
from lms.projects.services import corrections


def _reported(make_project, make_indicator, make_user):
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    indicator = make_indicator(project, targets={"2024": 10, "2025": 20})
    first = services.report_actual(
        db.session, indicator, actor=manager, period="2024", value=9, comment="count"
    )
    db.session.commit()
    return manager, project, indicator, first


def test_a_corrected_actual_changes_the_indicator_figures(make_project, make_indicator, make_user):
    manager, project, indicator, first = _reported(make_project, make_indicator, make_user)
    assert services.current_actuals(indicator)["2024"].value == 9
    # 9 of a planned 10 by the end of 2024: 90 %, no finding on the trajectory.
    assert _indicator_findings(project) == []

    correction = corrections.correct_actual(
        db.session, first, value=4, reason="Counted enrolled, not certified", actor=manager
    )
    db.session.commit()
    current = services.current_actuals(indicator)["2024"]
    assert current.id == correction.replacement_id and current.value == Decimal("4")
    assert indicator_series(indicator).actuals == [4.0, None]
    assert services.latest_actual(indicator).value == 4
    # The original stays, unchanged, in the history.
    assert db.session.get(IndicatorActual, first.id).value == 9
    assert db.session.scalar(sa.select(sa.func.count(IndicatorActual.id))) == 2
    assert (correction.before["value"], correction.after["value"]) == ("9.00", "4.00")
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "indicator.actual_corrected")
    )
    assert entry.before["value"] == "9.00" and entry.after["value"] == "4.00"
    # 4 of 10 is under half of the plan: the RAG rating follows the corrected figure.
    assert _indicator_findings(project) == [Rag.RED]


def test_a_withdrawn_actual_brings_back_the_figure_before_it(
    make_project, make_indicator, make_user
):
    manager, _project, indicator, first = _reported(make_project, make_indicator, make_user)
    second = services.report_actual(db.session, indicator, actor=manager, period="2024", value=12)
    corrections.withdraw_actual(db.session, second, reason="Duplicate upload", actor=manager)
    db.session.commit()
    assert services.current_actuals(indicator)["2024"].id == first.id
    corrections.withdraw_actual(db.session, first, reason="Not verified", actor=manager)
    db.session.commit()
    assert services.current_actuals(indicator) == {}
    assert indicator_series(indicator).actuals == [None, None]
    with pytest.raises(ValidationError, match="already"):
        corrections.withdraw_actual(db.session, first, reason="again", actor=manager)
    assert db.session.scalar(sa.select(sa.func.count(ActualCorrection.id))) == 2


def test_an_actual_is_corrected_only_by_its_reporter_or_an_admin(
    make_project, make_indicator, make_user
):
    manager, project, indicator, first = _reported(make_project, make_indicator, make_user)
    colleague = make_user(Role.PROJECT_MANAGER)
    project.managers.append(colleague)  # even a manager of the same project
    with pytest.raises(PermissionDenied):
        corrections.correct_actual(db.session, first, value=1, reason="x", actor=colleague)
    with pytest.raises(ValidationError, match="reason"):
        corrections.correct_actual(db.session, first, value=1, reason=" ", actor=manager)
    assert services.current_actuals(indicator)["2024"].id == first.id
    corrections.correct_actual(
        db.session, first, value=1, reason="admin", actor=make_user(Role.ADMIN)
    )
    assert services.current_actuals(indicator)["2024"].value == 1


def _indicator_findings(project):
    """The ratings of the RAG findings on indicators, early in 2025 (2024's figure is the
    latest reported)."""
    reasons = services.compute_rag(project, date(2025, 1, 15)).reasons
    return [r.rating for r in reasons if r.code.startswith("indicator")]
