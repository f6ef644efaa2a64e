"""A user who holds project history (manages a project, reported a figure, moved a date...)
cannot be deleted: the projects feature answers ``user_history_probe`` with the reason, so the
refusal is a clear message instead of a database error."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import (
    ActivitySession,
    IndicatorActual,
    LogframeLevel,
    MilestoneReplan,
    ProgressUpdate,
    Rag,
    RagOverride,
)
from tests.conftest import post_form

# The rows are written directly (not through the services with the user as actor), so the
# audit log does not hold the user and the projects answer is the one that refuses.


def _manager(user, make_project, **_):
    make_project(manager=user)


def _focal_point(user, make_project, **_):
    make_project(focal_points=[user])


def _actual(user, make_project, make_indicator, **_):
    indicator = make_indicator(make_project(), targets={"2025": 10})
    indicator.actuals.append(
        IndicatorActual(
            period="2025", period_end=date(2025, 12, 31), value=4, reported_by_id=user.id
        )
    )


def _replan(user, make_project, **_):
    project = make_project()
    milestone = services.add_milestone(
        db.session, project, actor=None, title="Diagnostic", due_date=date(2025, 6, 30)
    )
    milestone.replans.append(
        MilestoneReplan(
            previous_date=date(2025, 6, 30),
            new_date=date(2025, 9, 30),
            reason="Mission postponed",
            changed_by_id=user.id,
        )
    )


def _update(user, make_project, **_):
    db.session.add(
        ProgressUpdate(
            project=make_project(), period="2025-Q1", achievements="Kick-off", author_id=user.id
        )
    )


def _override(user, make_project, **_):
    project = make_project()
    project.rag_overrides.append(
        RagOverride(rating=Rag.RED, justification="Funding frozen this year", set_by_id=user.id)
    )


def _withdrawn_override(user, make_project, **_):
    project = make_project()
    project.rag_overrides.append(
        RagOverride(
            rating=Rag.RED,
            justification="Funding frozen this year",
            withdrawn_by_id=user.id,
            withdrawn_at=datetime(2025, 3, 1, tzinfo=UTC),
        )
    )


def _session_link(user, make_project, world, **_):
    project = make_project(start=date(2025, 1, 1), end=date(2028, 12, 31))
    goal = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.GOAL, statement="Data-driven"
    )
    outcome = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        level=LogframeLevel.OUTCOME,
        statement="Skills",
        parent=goal,
    )
    output = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        level=LogframeLevel.OUTPUT,
        statement="Done",
        parent=outcome,
    )
    activity = services.add_activity(db.session, output, actor=None, title="Course run")
    db.session.add(
        ActivitySession(
            activity_id=activity.id, course_session_id=world.session_a.id, linked_by_id=user.id
        )
    )


HISTORY = [
    (_manager, "manages a project"),
    (_focal_point, "is named focal point of a project"),
    (_actual, "reported indicator actuals"),
    (_replan, "re-planned project milestones"),
    (_update, "wrote project progress updates"),
    (_override, "overrode a project rating"),
    (_withdrawn_override, "overrode a project rating"),
    (_session_link, "linked course sessions to a project"),
]


@pytest.mark.parametrize(("build", "reason"), HISTORY, ids=[b.__name__[1:] for b, _ in HISTORY])
def test_a_user_with_project_history_is_not_deleted(
    request, make_user, make_project, make_indicator, build, reason
):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.PROJECT_MANAGER)
    world = request.getfixturevalue("world") if build is _session_link else None
    build(user, make_project=make_project, make_indicator=make_indicator, world=world)
    db.session.commit()

    assert accounts.history_reason(db.session, user) == reason
    with pytest.raises(ConflictError) as refused:
        accounts.delete_user(db.session, user, actor=admin)
    assert reason in refused.value.message and "deactivate it instead" in refused.value.message
    db.session.rollback()
    assert db.session.get(User, user.id) is not None


def test_a_project_manager_without_history_can_still_be_deleted(make_user):
    admin, user = make_user(Role.ADMIN), make_user(Role.PROJECT_MANAGER)
    assert services.project_history_reason(db.session, user=user) is None
    accounts.delete_user(db.session, user, actor=admin)
    db.session.commit()
    assert db.session.get(User, user.id) is None


def test_the_admin_delete_page_explains_the_refusal(client, logged_in, make_user, make_project):
    logged_in(Role.ADMIN)
    manager = make_user(Role.PROJECT_MANAGER)
    make_project(manager=manager)

    page = client.get(f"/admin/users/{manager.id}/delete").get_data(as_text=True)
    assert "manages a project" in page
    response = post_form(client, f"/admin/users/{manager.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "manages a project" in html and "deactivate it instead" in html
    db.session.expire_all()
    assert db.session.get(User, manager.id) is not None
