"""Milestones: automatic late status on a given date, baseline kept through re-planning,
dependencies, and the rules on status."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import Milestone, MilestoneReplan, MilestoneStatus


def _add(project, title="Data governance policy adopted", due=date(2025, 6, 30)):
    return services.add_milestone(db.session, project, actor=None, title=title, due_date=due)


def test_a_milestone_past_due_and_not_done_is_late_on_the_given_date(make_project):
    project = make_project()
    planned = _add(project, "Planned", date(2025, 6, 30))
    started = _add(project, "Started", date(2025, 6, 29))
    services.update_milestone(db.session, started, actor=None, status="in_progress")
    done = _add(project, "Done", date(2025, 6, 1))
    services.update_milestone(
        db.session, done, actor=None, status="done", completed_on=date(2025, 6, 20)
    )
    cancelled = _add(project, "Cancelled", date(2025, 6, 1))
    services.update_milestone(db.session, cancelled, actor=None, status="cancelled")
    db.session.commit()

    on_due_date = date(2025, 6, 30)
    assert planned.status_on(on_due_date) is MilestoneStatus.PLANNED  # due today: not yet late
    assert started.status_on(on_due_date) is MilestoneStatus.LATE
    assert done.status_on(on_due_date) is MilestoneStatus.DONE
    assert cancelled.status_on(on_due_date) is MilestoneStatus.CANCELLED
    assert planned.status_on(date(2025, 7, 1)) is MilestoneStatus.LATE
    assert [m.title for m in services.late_milestones(project, date(2025, 7, 1))] == [
        "Started",
        "Planned",
    ]
    # Nothing was written: lateness is computed, so it is right on any date.
    assert planned.status is MilestoneStatus.PLANNED


def test_late_cannot_be_set_by_hand_nor_stored(make_project):
    project = make_project()
    milestone = _add(project)
    db.session.commit()
    with pytest.raises(ValidationError) as error:
        services.update_milestone(db.session, milestone, actor=None, status="late")
    assert error.value.field == "status"
    db.session.rollback()

    milestone = db.session.scalar(sa.select(Milestone))
    milestone.status = MilestoneStatus.LATE
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_replanning_keeps_the_baseline_and_records_each_move_with_its_reason(make_project):
    project = make_project()
    manager = project.managers[0]
    milestone = _add(project, due=date(2025, 3, 31))
    services.replan_milestone(
        db.session,
        milestone,
        actor=manager,
        new_date=date(2025, 6, 30),
        reason="Beneficiary asked to postpone after the elections.",
    )
    services.replan_milestone(
        db.session, milestone, actor=manager, new_date=date(2025, 9, 30), reason="Procurement."
    )
    db.session.commit()
    db.session.expire_all()

    milestone = db.session.get(Milestone, milestone.id)
    assert milestone.baseline_date == date(2025, 3, 31)
    assert milestone.due_date == date(2025, 9, 30)
    assert milestone.slippage_days == 183
    assert [(r.previous_date, r.new_date, r.reason) for r in milestone.replans] == [
        (
            date(2025, 3, 31),
            date(2025, 6, 30),
            "Beneficiary asked to postpone after the elections.",
        ),
        (date(2025, 6, 30), date(2025, 9, 30), "Procurement."),
    ]
    assert milestone.replans[0].changed_by_id == manager.id
    # Moved out of the past, it is no longer late on 1 July 2025.
    assert milestone.status_on(date(2025, 7, 1)) is MilestoneStatus.PLANNED

    services.update_milestone(
        db.session, milestone, actor=None, status="done", completed_on=date(2025, 10, 10)
    )
    assert milestone.slippage_days == 193  # baseline → actual completion


def test_replanning_needs_a_reason_and_a_new_date(make_project):
    milestone = _add(make_project())
    with pytest.raises(ValidationError) as error:
        services.replan_milestone(
            db.session, milestone, actor=None, new_date=date(2025, 8, 1), reason="  "
        )
    assert error.value.field == "reason"
    with pytest.raises(ValidationError):
        services.replan_milestone(
            db.session, milestone, actor=None, new_date=milestone.due_date, reason="No move"
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MilestoneReplan)) == 0


def test_the_replan_history_cannot_be_rewritten(make_project):
    milestone = _add(make_project())
    replan = services.replan_milestone(
        db.session, milestone, actor=None, new_date=date(2025, 8, 1), reason="Floods"
    )
    db.session.commit()
    replan.reason = "Something nicer"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_done_needs_a_completion_date_and_finished_dependencies(make_project):
    project = make_project()
    first = _add(project, "Diagnostic", date(2025, 3, 31))
    second = _add(project, "Roadmap", date(2025, 6, 30))
    services.update_milestone(db.session, second, actor=None, status="planned", depends_on=first)

    with pytest.raises(ValidationError) as error:
        services.update_milestone(db.session, second, actor=None, status="done", depends_on=first)
    assert error.value.field == "completed_on"
    with pytest.raises(ConflictError):
        services.update_milestone(
            db.session,
            second,
            actor=None,
            status="done",
            completed_on=date(2025, 6, 1),
            depends_on=first,
        )
    with pytest.raises(ValidationError, match="loop"):
        services.update_milestone(
            db.session, first, actor=None, status="planned", depends_on=second
        )


def test_a_milestone_cannot_depend_on_another_projects_milestone(make_project):
    mine, other = make_project(), make_project()
    foreign = _add(other)
    with pytest.raises(ValidationError) as error:
        services.add_milestone(
            db.session,
            mine,
            actor=None,
            title="Depends abroad",
            due_date=date(2025, 1, 1),
            depends_on=foreign,
        )
    assert error.value.field == "depends_on_id"


def test_a_due_date_outside_the_project_is_refused(make_project):
    project = make_project(start=date(2024, 1, 1), end=date(2026, 12, 31))
    with pytest.raises(ValidationError) as error:
        _add(project, due=date(2027, 3, 1))
    assert error.value.field == "due_date"
