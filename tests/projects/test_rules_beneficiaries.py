"""Issue 11, defect 2: a project manager cannot widen her own remit. Beneficiaries are named
by administrators and the directorate only, and a course session is linked only when it is
reserved for the project's beneficiaries; the approval rule trusts neither a link nor an
overlap. Refusals are shown through the pages, with nothing changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import PermissionDenied
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.models import EnrolmentStatus, SessionEnrolment
from lms.projects import services, training
from lms.projects.models import ActivitySession, LogframeLevel, Project
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY

REFUSED = "Only an administrator or the directorate may set a project&#39;s beneficiaries"
NOT_RESERVED = "Only a session reserved for the project&#39;s beneficiary administrations"


@pytest.fixture
def setting(make_project, make_member, make_user):
    """Uganda's project, its manager, and Chile, an administration it does not serve."""
    uganda, chile = make_member(country_code="UG"), make_member(country_code="CL")
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(
        manager=manager, beneficiaries=[uganda], start=date(2025, 1, 1), end=date(2028, 12, 31)
    )
    return project, manager, uganda, chile


def _beneficiaries(project_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(m.country_code for m in db.session.get(Project, project_id).beneficiaries)


def _project_data(project: Project, **extra) -> dict:
    data = {
        "code": project.code,
        "title": "Renamed",
        "status": "active",
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "currency": "EUR",
        "manager_ids": [str(m.id) for m in project.managers],
    }
    return data | extra


# Beneficiaries ------------------------------------------------------------------------------


def test_a_managers_forms_do_not_offer_beneficiaries(client, setting):
    project, manager, _uganda, _chile = setting
    login(client, manager)
    for path in ("/projects/new", f"/projects/{project.id}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert 'name="beneficiary_ids"' not in html
        assert "named by an administrator or the directorate" in html
    assert "Set the beneficiaries" not in client.get(f"/projects/{project.id}").get_data(
        as_text=True
    )


def test_a_manager_posting_beneficiaries_on_create_is_refused_and_nothing_is_created(
    client, setting
):
    _project, manager, _uganda, chile = setting
    login(client, manager)
    data = {
        "code": "NEW-1",
        "title": "Widened remit",
        "status": "active",
        "start_date": "2025-01-01",
        "end_date": "2026-12-31",
        "currency": "EUR",
        "manager_ids": [str(manager.id)],
        "beneficiary_ids": [str(chile.id)],
    }
    response = post_form(client, "/projects/new", data)
    assert response.status_code == 200
    assert REFUSED in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Project).where(Project.code == "NEW-1")) is None

    # Without the field the manager opens the project; the directorate names its beneficiaries.
    del data["beneficiary_ids"]
    assert post_form(client, "/projects/new", data).status_code == 302
    created = db.session.scalar(sa.select(Project).where(Project.code == "NEW-1"))
    assert created.beneficiaries == [] and created.managers == [manager]
    html = client.get(f"/projects/{created.id}").get_data(as_text=True)
    assert 'data-testid="no-beneficiaries"' in html


def test_a_manager_posting_beneficiaries_on_edit_is_refused_and_nothing_changes(client, setting):
    project, manager, _uganda, chile = setting
    login(client, manager)
    response = post_form(
        client, f"/projects/{project.id}/edit", _project_data(project, beneficiary_ids=[chile.id])
    )
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    assert _beneficiaries(project.id) == ["UG"]
    assert db.session.get(Project, project.id).title != "Renamed"

    # Her own fields she still edits; the beneficiaries stay as the directorate set them.
    assert post_form(
        client, f"/projects/{project.id}/edit", _project_data(project)
    ).status_code == (302)
    assert _beneficiaries(project.id) == ["UG"]
    assert db.session.get(Project, project.id).title == "Renamed"


def test_a_manager_may_not_use_the_beneficiaries_page(client, setting):
    project, manager, _uganda, chile = setting
    login(client, manager)
    assert client.get(f"/projects/{project.id}/beneficiaries").status_code == 403
    response = post_form(
        client, f"/projects/{project.id}/beneficiaries", {"beneficiary_ids": [str(chile.id)]}
    )
    assert response.status_code == 403
    assert _beneficiaries(project.id) == ["UG"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DIRECTORATE])
def test_admin_and_directorate_set_the_beneficiaries(client, setting, logged_in, role):
    project, _manager, uganda, chile = setting
    logged_in(role)
    assert "Set the beneficiaries" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'name="beneficiary_ids"' in client.get(f"/projects/{project.id}/beneficiaries").get_data(
        as_text=True
    )
    response = post_form(
        client,
        f"/projects/{project.id}/beneficiaries",
        {"beneficiary_ids": [str(uganda.id), str(chile.id)]},
        follow_redirects=True,
    )
    assert "Beneficiaries saved." in response.get_data(as_text=True)
    assert _beneficiaries(project.id) == ["CL", "UG"]


def test_an_admin_sets_beneficiaries_in_the_project_form(client, setting, logged_in):
    project, _manager, _uganda, chile = setting
    logged_in(Role.ADMIN)
    assert 'name="beneficiary_ids"' in client.get(f"/projects/{project.id}/edit").get_data(
        as_text=True
    )
    response = post_form(
        client, f"/projects/{project.id}/edit", _project_data(project, beneficiary_ids=[chile.id])
    )
    assert response.status_code == 302
    assert _beneficiaries(project.id) == ["CL"]


def test_the_services_refuse_a_manager_naming_beneficiaries(setting):
    project, manager, _uganda, chile = setting
    with pytest.raises(PermissionDenied, match="administrator or the directorate"):
        services.set_beneficiaries(db.session, project, actor=manager, beneficiary_ids=[chile.id])
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.create_project(
            db.session,
            actor=manager,
            code="X-1",
            title="Widened",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
            manager_ids=[manager.id],
            beneficiary_ids=[chile.id],
        )
    db.session.rollback()
    assert _beneficiaries(project.id) == ["UG"]


# Linking sessions ---------------------------------------------------------------------------


def _activity(project: Project):
    goal = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.GOAL, statement="Data-driven"
    )
    outcome = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.OUTCOME, statement="Ok", parent=goal
    )
    output = services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.OUTPUT, statement="Ok", parent=outcome
    )
    activity = services.add_activity(db.session, output, actor=None, title="Training cycle")
    db.session.commit()
    return activity


def _links() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ActivitySession))


def _link(client, project, activity, course_session):
    return post_form(
        client,
        f"/projects/{project.id}/training/link",
        {"activity_id": str(activity.id), "course_session_id": str(course_session.id)},
        follow_redirects=True,
    ).get_data(as_text=True)


def test_only_a_session_reserved_for_the_beneficiaries_is_linked(client, world, setting):
    project, manager, uganda, chile = setting
    activity = _activity(project)
    login(client, manager)

    # Open to every administration: refused, and not offered in the picker.
    assert world.session_a.restricted_to == []
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="no-linkable-sessions"' in html
    assert NOT_RESERVED in _link(client, project, activity, world.session_a)
    assert _links() == 0

    # Reserved for Uganda and Chile: Chile is not a beneficiary, refused too.
    world.session_a.restricted_to = [uganda, chile]
    db.session.commit()
    assert NOT_RESERVED in _link(client, project, activity, world.session_a)
    assert _links() == 0

    # Reserved for Uganda only: linked.
    world.session_a.restricted_to = [uganda]
    db.session.commit()
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'<option value="{world.session_a.id}">' in html
    assert "Session linked" in _link(client, project, activity, world.session_a)
    assert _links() == 1


def _request(world, course_session, trainee):
    course_session.requires_approval = True
    enrolment = courses.request_enrolment(
        db.session, course_session, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    return enrolment


def test_a_link_the_manager_made_grants_no_approval_of_outsiders(client, world, setting, make_user):
    """A link made before the rule (or any link) does not let the manager reject an
    outsider's request or read the outsider's record."""
    project, manager, _uganda, chile = setting
    activity = _activity(project)
    outsider = make_user(Role.TRAINEE, member=chile)
    enrolment = _request(world, world.session_a, outsider)
    db.session.add(
        ActivitySession(
            activity_id=activity.id,
            course_session_id=world.session_a.id,
            linked_by_id=manager.id,
        )
    )
    db.session.commit()
    login(client, manager)
    assert post_form(client, f"/enrolments/{enrolment.id}/reject").status_code == 403
    assert client.get(f"/trainees/{outsider.id}").status_code == 403
    assert client.get(f"/reports/trainees/{outsider.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, enrolment.id).status is EnrolmentStatus.REQUESTED


def test_the_manager_approves_only_sessions_reserved_wholly_for_her_beneficiaries(
    client, world, setting, make_user
):
    _project, manager, uganda, chile = setting
    officer = make_user(Role.TRAINEE, member=uganda)
    outsider = make_user(Role.TRAINEE, member=chile)
    world.session_b.restricted_to = [uganda, chile]
    db.session.commit()
    theirs = _request(world, world.session_b, outsider)
    ours = _request(world, world.session_b, officer)
    login(client, manager)
    # Reserved for Uganda and Chile: her project serves only Uganda.
    assert post_form(client, f"/enrolments/{theirs.id}/reject").status_code == 403
    assert post_form(client, f"/enrolments/{ours.id}/reject").status_code == 403

    world.session_b.restricted_to = [uganda]
    db.session.commit()
    assert post_form(client, f"/enrolments/{ours.id}/reject").status_code == 302
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, ours.id).status is EnrolmentStatus.REJECTED
    assert db.session.get(SessionEnrolment, theirs.id).status is EnrolmentStatus.REQUESTED


def test_serves_beneficiaries_is_the_rule_of_the_picker_and_the_link(world, setting):
    project, _manager, uganda, chile = setting
    cases = [([], False), ([uganda], True), ([chile], False), ([uganda, chile], False)]
    for reserved, expected in cases:
        world.session_b.restricted_to = reserved
        db.session.flush()
        listed = world.session_b in services.linkable_sessions(db.session, project).sessions
        assert (training.serves_beneficiaries(world.session_b, project), listed) == (
            expected,
            expected,
        ), reserved
    assert world.session_b.ends_on <= TODAY + timedelta(days=40)
