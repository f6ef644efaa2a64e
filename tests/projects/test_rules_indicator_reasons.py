"""The indicator findings of the RAG rating, rule by rule: the reporting grace, which target
period is the last one due, the amber and red trajectory boundaries, a baseline above zero,
progress below the baseline, and every indicator of a project examined (not only the first)."""

from __future__ import annotations

from datetime import date

import pytest

from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import Rag

TODAY = date(2025, 6, 30)


def _named(indicator, name):
    indicator.name = name
    db.session.commit()
    return indicator


def _reasons(project, code, today=TODAY):
    return [r for r in services.compute_rag(project, today).reasons if r.code == code]


def test_an_actual_is_due_from_the_91st_day_after_its_period(make_project, make_indicator):
    project = make_project()
    make_indicator(project, targets={"2024": 10})
    # 2024 ends on 31 December; 31 March 2025 is its 90th day after, 1 April the 91st.
    assert (date(2025, 3, 31) - date(2024, 12, 31)).days == 90

    assert _reasons(project, "indicator_not_reported", date(2025, 3, 31)) == []
    [reason] = _reasons(project, "indicator_not_reported", date(2025, 4, 1))
    assert reason.rating is Rag.AMBER


def test_the_missing_actual_named_is_the_latest_period_due(make_project, make_indicator):
    project = make_project(start=date(2023, 1, 1))
    indicator = make_indicator(
        project, baseline_date=date(2023, 1, 1), targets={"2023": 5, "2024": 10}
    )
    # 2023 is reported on its trajectory; 2024 is due (ended more than 90 days ago) and is not.
    services.report_actual(db.session, indicator, actor=None, period="2023", value=5)
    db.session.commit()

    [reason] = _reasons(project, "indicator_not_reported")

    assert reason.message == (
        "No actual reported for “Officers certified as data specialists” for 2024."
    )


def test_an_actual_for_the_latest_period_due_clears_the_finding(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project, targets={"2024": 10})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=10)
    db.session.commit()

    assert _reasons(project, "indicator_not_reported") == []


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # Baseline 0 on 1 January 2024, target 10 at the end of 2024: the ratio is actual / 10.
        (8, None),  # 0.8 exactly: on the trajectory's amber line, not below it
        (7, Rag.AMBER),
        (5, Rag.AMBER),  # 0.5 exactly: amber, red only below half
        (4, Rag.RED),
    ],
)
def test_the_trajectory_boundaries(make_project, make_indicator, actual, expected):
    project = make_project()
    indicator = make_indicator(project, baseline=0, targets={"2024": 10})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=actual)
    db.session.commit()

    reasons = _reasons(project, "indicator_behind")

    if expected is None:
        assert reasons == []
    else:
        [reason] = reasons
        assert reason.rating is expected


def test_the_finding_in_full_with_a_baseline_above_zero(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project, baseline=10, targets={"2024": 20})
    _named(indicator, "Declarations risk-scored")
    indicator.unit = "thousand"
    db.session.commit()
    # (17 - 10) / (20 - 10) = 0.7: amber, 70 % of the planned progress.
    services.report_actual(db.session, indicator, actor=None, period="2024", value=17)
    db.session.commit()

    [reason] = _reasons(project, "indicator_behind")

    assert reason.rating is Rag.AMBER
    assert reason.message == (
        "“Declarations risk-scored” is at 70% of its planned progress for 2024 "
        "(17 against 20 thousand planned)."
    )


def test_progress_below_the_baseline_reads_as_zero_percent(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project, baseline=10, targets={"2024": 20})
    # (5 - 10) / (20 - 10) = -0.5: red, and the share is shown as 0 %, not as a negative one.
    services.report_actual(db.session, indicator, actor=None, period="2024", value=5)
    db.session.commit()

    [reason] = _reasons(project, "indicator_behind")

    assert reason.rating is Rag.RED
    assert " is at 0% of its planned progress" in reason.message


def test_a_target_equal_to_the_baseline_gives_no_trajectory_finding(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project, baseline=10, targets={"2024": 10})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=3)
    db.session.commit()

    assert _reasons(project, "indicator_behind") == []


def test_every_indicator_is_examined_after_one_without_targets_or_actuals(
    make_project, make_indicator
):
    project = make_project()
    _named(make_indicator(project), "Laboratories accredited")  # no targets at all
    _named(make_indicator(project, targets={"2026": 30}), "Ports connected")  # nothing due
    behind = _named(make_indicator(project, targets={"2024": 10}), "Officers trained")
    services.report_actual(db.session, behind, actor=None, period="2024", value=4)
    db.session.commit()

    [reason] = _reasons(project, "indicator_behind")

    assert reason.rating is Rag.RED
    assert reason.message.startswith("“Officers trained” is at 40%")
    assert services.compute_rag(project, TODAY).computed is Rag.RED
