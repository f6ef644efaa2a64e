"""One read model for a project to be rated, and the small services behind the project page
and its forms."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.projects import services
from lms.projects.models import LogframeLevel, Project
from tests.conftest import count_statements


def test_a_rag_ready_project_is_rated_without_another_statement(make_project, make_indicator):
    project = make_project()
    make_indicator(project, targets={"2025": 10})
    services.add_milestone(
        db.session, project, actor=None, title="Diagnostic", due_date=date(2025, 6, 30)
    )
    db.session.commit()
    project_id = project.id
    db.session.expunge_all()

    loaded = services.rag_ready_project(db.session, project_id)
    assert loaded is not None and loaded.id == project_id
    assert count_statements(lambda: services.portfolio_row(loaded, date(2026, 3, 2))) == 0
    assert services.rag_ready_project(db.session, project_id + 1000) is None


def test_the_rag_ready_query_takes_filters_and_keeps_its_loading(make_project):
    _first, second = make_project(), make_project()
    second_id = second.id
    db.session.expunge_all()
    projects = db.session.scalars(
        services.rag_ready_projects_query().where(Project.id == second_id)
    ).all()
    assert [p.id for p in projects] == [second_id]
    assert count_statements(lambda: services.compute_rag(projects[0], date(2026, 3, 2))) == 0


def test_a_project_opens_with_its_goal_in_one_step(make_user, make_member):
    manager = make_user(Role.PROJECT_MANAGER)
    project = services.create_project(
        db.session,
        actor=manager,
        code="ds-1",
        title="Data strategy",
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
        manager_ids=[manager.id],
        goal="Customs decisions are driven by data",
    )
    db.session.commit()
    assert [(e.level, e.code) for e in project.logframe_elements] == [(LogframeLevel.GOAL, "G")]
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["project.created", "logframe.added"]


def test_the_logframe_tree_and_indicators_are_grouped_for_the_page(make_project, make_indicator):
    project = make_project()
    indicator = make_indicator(project)
    goal = indicator.element
    outcome = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.OUTCOME, statement="Ok", parent=goal
    )
    db.session.commit()
    tree = services.logframe_tree(project)
    assert tree[None] == [goal] and tree[goal.id] == [outcome]
    assert services.indicators_by_element(project) == {goal.id: [indicator]}


def test_who_opens_projects_and_who_reads_the_whole_portfolio(make_user):
    manager, admin = make_user(Role.PROJECT_MANAGER), make_user(Role.ADMIN)
    director, trainee = make_user(Role.DIRECTORATE), make_user(Role.TRAINEE)
    assert [services.can_create_project(u) for u in (manager, admin, director, trainee)] == [
        True,
        True,
        False,
        False,
    ]
    assert [services.sees_whole_portfolio(u) for u in (manager, admin, director, trainee)] == [
        True,
        True,
        True,
        False,
    ]


def test_the_choice_lists_offer_active_people_and_administrations(make_user, make_member):
    manager = make_user(Role.PROJECT_MANAGER)
    retired = make_user(Role.PROJECT_MANAGER, is_active=False)
    trainee = make_user(Role.TRAINEE)
    member = make_member()
    closed = make_member(is_active=False)
    db.session.commit()
    managers = services.active_project_managers(db.session)
    assert manager in managers and retired not in managers and trainee not in managers
    assert trainee in services.active_users(db.session)
    members = services.active_members(db.session)
    assert member in members and closed not in members
