"""The RAG rating on crafted projects, on a fixed date: each reason, and the manager override."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import MilestoneStatus, ProjectStatus, Rag, RagOverride

TODAY = date(2025, 6, 30)


def _milestone(project, title, due, *, done_on=None, status=None):
    milestone = services.add_milestone(db.session, project, actor=None, title=title, due_date=due)
    if done_on:
        services.update_milestone(
            db.session, milestone, actor=None, status=MilestoneStatus.DONE, completed_on=done_on
        )
    elif status:
        services.update_milestone(db.session, milestone, actor=None, status=status)
    return milestone


def _reason(assessment, code):
    matches = [r for r in assessment.reasons if r.code == code]
    assert matches, f"no reason {code} in {assessment.reasons}"
    return matches[0]


def test_a_project_on_track_is_green_with_the_reason(make_project, make_indicator):
    project = make_project()
    _milestone(project, "Inception report", date(2024, 6, 30), done_on=date(2024, 6, 20))
    _milestone(project, "Data lake live", date(2026, 6, 30))
    indicator = make_indicator(project, targets={"2024": 10, "2025": 20})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=10)

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.GREEN
    assert assessment.rating is Rag.GREEN
    assert assessment.codes == {"on_track"}


def test_one_milestone_a_month_late_makes_it_amber(make_project):
    project = make_project()
    _milestone(project, "Diagnostic mission", date(2025, 5, 31))

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.AMBER
    reason = _reason(assessment, "milestones_late")
    assert reason.rating is Rag.AMBER
    assert "Diagnostic mission" in reason.message and "30 days" in reason.message


def test_two_late_milestones_make_it_red(make_project):
    project = make_project()
    _milestone(project, "Diagnostic mission", date(2025, 5, 31))
    _milestone(project, "Data governance policy", date(2025, 6, 15), status="in_progress")

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.RED
    assert _reason(assessment, "milestones_late").message.startswith("2 milestone(s) late")


def test_one_milestone_more_than_ninety_days_late_makes_it_red(make_project):
    project = make_project()
    _milestone(project, "Risk engine procured", date(2025, 2, 28))  # 122 days

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.RED
    assert "122 days" in _reason(assessment, "milestones_late").message


@pytest.mark.parametrize(("actual", "expected"), [(7, Rag.AMBER), (4, Rag.RED), (8, Rag.GREEN)])
def test_indicator_progress_against_the_planned_trajectory(
    make_project, make_indicator, actual, expected
):
    project = make_project()
    indicator = make_indicator(project, baseline=0, targets={"2024": 10, "2026": 30})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=actual)

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is expected
    if expected is Rag.GREEN:
        assert "indicator_behind" not in assessment.codes
    else:
        reason = _reason(assessment, "indicator_behind")
        assert reason.rating is expected
        assert f"{actual * 10}%" in reason.message


def test_a_target_period_without_any_actual_makes_it_amber(make_project, make_indicator):
    project = make_project()
    make_indicator(project, targets={"2024": 10})

    # 31 March 2025: still within the 90-day reporting grace after the end of 2024.
    assert "indicator_not_reported" not in services.compute_rag(project, date(2025, 3, 31)).codes
    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.AMBER
    assert "2024" in _reason(assessment, "indicator_not_reported").message


@pytest.mark.parametrize(("done", "expected"), [(0, Rag.RED), (1, Rag.AMBER), (2, Rag.GREEN)])
def test_time_elapsed_against_milestones_done(make_project, done, expected):
    project = make_project()  # 2024-01-01 to 2027-12-31: 62 % elapsed on 2026-06-30
    for n in range(4):
        due = date(2026, 3, 31) if n < done else date(2027, 9, 30)
        _milestone(project, f"Milestone {n}", due, done_on=due if n < done else None)

    assessment = services.compute_rag(project, date(2026, 6, 30))

    assert assessment.computed is expected
    if expected is not Rag.GREEN:
        reason = _reason(assessment, "delivery_behind_time")
        assert "62%" in reason.message and f"{done * 25}%" in reason.message


def test_an_active_project_past_its_end_date_is_red(make_project):
    project = make_project(end=date(2025, 3, 31))

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.RED
    assert assessment.codes == {"past_end_date"}


def test_a_suspended_project_is_at_least_amber(make_project):
    project = make_project(status=ProjectStatus.SUSPENDED)

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is Rag.AMBER
    assert assessment.codes == {"suspended"}


@pytest.mark.parametrize(
    "status", [ProjectStatus.PIPELINE, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED]
)
def test_projects_not_under_way_are_not_rated(make_project, status):
    project = make_project(status=status)
    _milestone(project, "Late but irrelevant", date(2025, 1, 31))

    assessment = services.compute_rag(project, TODAY)

    assert assessment.computed is None
    assert assessment.codes == {"not_rated"}


def test_the_manager_override_replaces_the_rating_and_every_justification_is_kept(make_project):
    project = make_project()
    manager = project.managers[0]
    _milestone(project, "Diagnostic mission", date(2025, 5, 31))
    assert services.compute_rag(project, TODAY).computed is Rag.AMBER

    services.override_rag(
        db.session,
        project,
        actor=manager,
        rating=Rag.GREEN,
        justification="Mission rescheduled by the beneficiary; no impact on outcomes.",
        today=TODAY,
    )
    db.session.commit()
    assessment = services.compute_rag(project, TODAY)
    assert assessment.rating is Rag.GREEN
    assert assessment.computed is Rag.AMBER  # still computed and shown beside it
    assert assessment.override.justification.startswith("Mission rescheduled")
    assert assessment.override.computed_rating is Rag.AMBER

    services.override_rag(
        db.session,
        project,
        actor=manager,
        rating=Rag.RED,
        justification="Funding partner has frozen disbursements.",
        today=TODAY,
    )
    services.withdraw_override(db.session, project, actor=manager)
    db.session.commit()

    assert services.compute_rag(project, TODAY).rating is Rag.AMBER
    kept = db.session.scalars(sa.select(RagOverride).order_by(RagOverride.id)).all()
    assert [(o.rating, o.withdrawn_at is not None) for o in kept] == [
        (Rag.GREEN, True),
        (Rag.RED, True),
    ]
    assert kept[0].set_by_id == manager.id


def test_an_override_needs_a_written_justification(make_project):
    project = make_project()
    with pytest.raises(ValidationError) as error:
        services.override_rag(
            db.session, project, actor=None, rating="red", justification="  bad ", today=TODAY
        )
    assert error.value.field == "justification"
