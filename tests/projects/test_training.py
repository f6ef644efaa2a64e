"""Training delivered: course sessions linked to a project's activities roll up the officers
of its beneficiaries trained, passed and certified, from real enrolments, and feed an
indicator's actuals."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services as progress
from lms.projects import services, training
from lms.projects.models import ActivitySession, IndicatorActual, LogframeLevel, TrainingMeasure
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY, after


@pytest.fixture
def delivery(world, make_project, make_member, make_user):
    """A project for Uganda whose activity runs both sessions of the world's track, reserved
    for Ugandan officers (only such sessions can be linked)."""
    uganda, chile = make_member(country_code="UG"), make_member(country_code="CL")
    manager = make_user(Role.PROJECT_MANAGER, email="pm@example.org")
    project = make_project(
        manager=manager, beneficiaries=[uganda], start=date(2025, 1, 1), end=date(2028, 12, 31)
    )
    goal = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.GOAL, statement="Data-driven"
    )
    outcome = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        parent=goal,
        level=LogframeLevel.OUTCOME,
        statement="Skills",
    )
    output = services.add_logframe_element(
        db.session,
        project,
        actor=None,
        parent=outcome,
        level=LogframeLevel.OUTPUT,
        statement="Trained",
    )
    activity = services.add_activity(db.session, output, actor=None, title="Training cycle")
    indicator = services.add_indicator(
        db.session,
        goal,
        actor=None,
        name="Officers certified",
        unit="officers",
        baseline_value=0,
        baseline_date=date(2025, 1, 1),
        training_measure=TrainingMeasure.CERTIFIED,
    )
    for course_session in (world.session_a, world.session_b):
        course_session.restricted_to = [uganda]
        training.link_session(db.session, project, activity, course_session, actor=manager)
    officers = [make_user(Role.TRAINEE, member=uganda) for _ in range(3)]
    outsider = make_user(Role.TRAINEE, member=chile)
    db.session.commit()
    return project, indicator, officers, outsider, manager


def _take(world, trainee, course_session, passed: bool | None):
    enrolment = courses.request_enrolment(
        db.session, course_session, trainee, actor=trainee, today=TODAY
    )
    if passed is not None:
        courses.record_result(
            db.session,
            enrolment,
            score=Decimal(70),
            passed=passed,
            actor=world.trainer,
            today=TODAY,
            now=after(enrolment.session),
        )
    return enrolment


def test_roll_up_counts_beneficiary_officers_from_real_enrolments(world, delivery):
    project, _indicator, (ana, ben, cleo), outsider, _manager = delivery
    for officer in (ana, ben):
        progress.enrol_in_track(db.session, officer, world.specialists, actor=officer)
    _take(world, ana, world.session_a, passed=True)
    _take(world, ana, world.session_b, passed=True)  # completes the track: certified
    _take(world, ben, world.session_a, passed=False)
    _take(world, cleo, world.session_b, passed=None)  # enrolled, not yet trained
    world.session_b.restricted_to.append(outsider.member_administration)  # opened to Chile
    _take(world, outsider, world.session_b, passed=True)  # not a beneficiary officer
    db.session.commit()

    summary = training.training_delivered(db.session, project)
    assert (summary.trained, summary.completed, summary.certified) == (2, 1, 1)
    rows = {d.link.course_session_id: (d.enrolled, d.trained, d.passed) for d in summary.sessions}
    assert rows == {world.session_a.id: (2, 2, 1), world.session_b.id: (2, 1, 1)}
    assert summary.levels["DM.1 Data quality"] == {"Practitioner": 1}


def test_an_indicator_is_fed_from_training_records_and_keeps_its_history(world, delivery):
    _project, indicator, (ana, *_rest), _outsider, manager = delivery
    first = training.report_training_actual(db.session, indicator, period="2026", actor=manager)
    progress.enrol_in_track(db.session, ana, world.specialists, actor=ana)
    _take(world, ana, world.session_a, passed=True)
    _take(world, ana, world.session_b, passed=True)
    second = training.report_training_actual(db.session, indicator, period="2026", actor=manager)
    db.session.commit()
    assert (first.value, second.value) == (0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorActual)) == 2
    assert services.current_actuals(indicator)["2026"].value == 1


def test_project_page_shows_training_and_the_manager_links_sessions(client, world, delivery):
    project, indicator, (ana, *_rest), _outsider, manager = delivery
    _take(world, ana, world.session_a, passed=True)
    db.session.commit()
    login(client, manager)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="trained">1<' in html and "DQ101" in html
    response = post_form(
        client,
        f"/projects/{project.id}/indicators/{indicator.id}/from-training",
        {"period": "2026"},
        follow_redirects=True,
    )
    assert "reported for 2026 from the training records" in response.get_data(as_text=True)


def test_project_manager_reads_profiles_of_their_beneficiary_officers_only(client, world, delivery):
    _project, _indicator, (ana, *_rest), outsider, manager = delivery
    login(client, manager)
    assert client.get(f"/trainees/{ana.id}").status_code == 200
    assert client.get(f"/trainees/{outsider.id}").status_code == 403


def test_another_manager_cannot_link_sessions(client, world, delivery, make_user):
    project, *_ = delivery
    other = make_user(Role.PROJECT_MANAGER)
    login(client, other)
    response = post_form(
        client,
        f"/projects/{project.id}/training/link",
        {"activity_id": "1", "course_session_id": str(world.session_a.id)},
    )
    assert response.status_code == 403


def test_linkable_sessions_are_those_held_during_the_project_searched_and_capped(
    world, delivery, make_project
):
    project, *_ = delivery
    found = services.linkable_sessions(db.session, project)
    assert [s.id for s in found.sessions] == [world.session_b.id, world.session_a.id]
    assert not found.truncated
    searched = services.linkable_sessions(db.session, project, query="st201")
    assert [s.id for s in searched.sessions] == [world.session_b.id] and not searched.truncated
    capped = services.linkable_sessions(db.session, project, limit=1)
    assert [s.id for s in capped.sessions] == [world.session_b.id] and capped.truncated

    earlier = make_project(start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert services.linkable_sessions(db.session, earlier).sessions == []
    assert services.linkable_session(db.session, earlier, world.session_a.id) is None
    assert services.linkable_session(db.session, project, world.session_a.id) is world.session_a
    assert [a.title for a in services.project_activities(db.session, project)] == ["Training cycle"]


def _session_options(html: str) -> list[str]:
    picker = re.search(r'<select[^>]*name="course_session_id".*?</select>', html, re.S)
    return re.findall(r'<option value="(\d+)"', picker.group(0)) if picker else []


def test_the_session_picker_says_when_it_lists_only_the_latest_and_searches(
    client, world, delivery, monkeypatch
):
    from lms.projects.services import choices

    project, _indicator, _officers, _outsider, manager = delivery
    output = next(e for e in project.logframe_elements if e.level is LogframeLevel.OUTPUT)
    second = services.add_activity(db.session, output, actor=None, title="Second cycle")
    db.session.commit()
    monkeypatch.setattr(choices, "SESSION_CHOICES_LIMIT", 1)
    login(client, manager)

    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="sessions-truncated"' in html
    assert _session_options(html) == [str(world.session_b.id)]

    html = client.get(f"/projects/{project.id}?session_q=DQ101").get_data(as_text=True)
    assert 'data-testid="sessions-truncated"' not in html
    assert _session_options(html) == [str(world.session_a.id)]

    html = client.get(f"/projects/{project.id}?session_q=nothing-like-it").get_data(as_text=True)
    assert 'data-testid="no-linkable-sessions"' in html

    # A session found by searching links, although the first page did not list it.
    response = post_form(
        client,
        f"/projects/{project.id}/training/link",
        {"activity_id": str(second.id), "course_session_id": str(world.session_a.id)},
        follow_redirects=True,
    )
    assert "Session linked" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ActivitySession)
            .where(ActivitySession.activity_id == second.id)
        )
        == 1
    )


def test_a_session_outside_the_project_dates_is_not_linked(client, world, delivery, make_project):
    _project, _indicator, _officers, _outsider, manager = delivery
    earlier = make_project(manager=manager, start=date(2024, 1, 1), end=date(2024, 12, 31))
    goal = services.add_logframe_element(
        db.session, earlier, actor=None, level=LogframeLevel.GOAL, statement="Data-driven"
    )
    outcome = services.add_logframe_element(
        db.session, earlier, actor=None, level=LogframeLevel.OUTCOME, statement="Ok", parent=goal
    )
    output = services.add_logframe_element(
        db.session, earlier, actor=None, level=LogframeLevel.OUTPUT, statement="Ok", parent=outcome
    )
    activity = services.add_activity(db.session, output, actor=None, title="Old cycle")
    db.session.commit()
    login(client, manager)
    response = post_form(
        client,
        f"/projects/{earlier.id}/training/link",
        {"activity_id": str(activity.id), "course_session_id": str(world.session_a.id)},
        follow_redirects=True,
    )
    assert "Choose an activity and a session." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActivitySession)) == 2
