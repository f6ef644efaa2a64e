"""Who may see and change which project: managers edit their own; directorate and admins read
all; beneficiary focal points read only their project; trainees see nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import Milestone, Project
from tests.conftest import login, post_form


@pytest.fixture
def two_projects(make_project, make_user, make_member):
    kenya = make_member(
        name="Kenya Revenue Authority", country_code="KE", focal_point_email="focal.ke@example.org"
    )
    chile = make_member(name="Aduanas de Chile", country_code="CL")
    grace = make_user(Role.PROJECT_MANAGER, email="grace@example.org")
    tomas = make_user(Role.PROJECT_MANAGER, email="tomas@example.org")
    mine = make_project(manager=grace, beneficiaries=[kenya], code="KE-1")
    theirs = make_project(manager=tomas, beneficiaries=[chile], code="CL-1")
    services.add_milestone(
        db.session, theirs, actor=None, title="Their milestone", due_date=date(2025, 1, 31)
    )
    db.session.commit()
    return {"grace": grace, "tomas": tomas, "mine": mine, "theirs": theirs, "kenya": kenya}


def _codes(client) -> list[str]:
    html = client.get("/projects/").get_data(as_text=True)
    return [code for code in ("KE-1", "CL-1") if f'data-project="{code}"' in html]


def test_a_manager_cannot_edit_another_managers_project(client, two_projects):
    login(client, two_projects["grace"])
    theirs = two_projects["theirs"]
    base = f"/projects/{theirs.id}"
    milestone = db.session.scalar(sa.select(Milestone))

    assert client.get(f"{base}/edit").status_code == 403
    attempts = [
        (f"{base}/edit", {"code": "HACKED", "title": "Hacked"}),
        (f"{base}/milestones/new", {"title": "Sneaky", "due_date": "2025-05-01"}),
        (
            f"{base}/milestones/{milestone.id}/replan",
            {"new_date": "2026-01-01", "reason": "Because"},
        ),
        (f"{base}/rating", {"rating": "green", "justification": "Looks fine to me, honestly."}),
        (f"{base}/risks/new", {"description": "x", "likelihood": "low", "impact": "low"}),
        (f"{base}/updates/new", {"period": "2025", "achievements": "None"}),
        (f"{base}/phases/new", {"name": "P", "start_date": "2024-01-01", "end_date": "2024-02-01"}),
        (f"{base}/budget", {"year": "2025", "planned": "1"}),
        (f"{base}/partners/new", {"name": "Someone", "role": "funding"}),
        (f"{base}/logframe/new", {"level": "goal", "statement": "Taken over"}),
    ]
    for path, data in attempts:
        assert post_form(client, path, data).status_code == 403, path

    db.session.expire_all()
    project = db.session.get(Project, theirs.id)
    assert project.code == "CL-1"
    assert [m.title for m in project.milestones] == ["Their milestone"]
    assert project.milestones[0].due_date == date(2025, 1, 31)
    assert not project.rag_overrides and not project.risks and not project.progress_updates
    assert not project.phases and not project.budget_lines and not project.partners
    assert not project.logframe_elements
    # Reading is allowed (a colleague's project), without the editing buttons.
    html = client.get(base).get_data(as_text=True)
    assert "Their milestone" in html and "Edit project" not in html
    # Their own project is editable.
    assert client.get(f"/projects/{two_projects['mine'].id}/edit").status_code == 200


def test_ids_of_another_project_cannot_be_used_through_my_project(client, two_projects):
    login(client, two_projects["grace"])
    milestone = db.session.scalar(sa.select(Milestone))  # belongs to the other project
    path = f"/projects/{two_projects['mine'].id}/milestones/{milestone.id}/edit"
    assert client.get(path).status_code == 404


def test_the_beneficiary_focal_point_on_file_sees_only_that_project(
    client, two_projects, make_user
):
    focal = make_user(Role.TRAINEE, email="Focal.KE@example.org")
    login(client, focal)

    assert client.get(f"/projects/{two_projects['mine'].id}").status_code == 200
    assert client.get(f"/projects/{two_projects['theirs'].id}").status_code == 403
    assert _codes(client) == ["KE-1"]
    assert client.get(f"/projects/{two_projects['mine'].id}/edit").status_code == 403


def test_a_named_focal_point_sees_only_that_project(client, two_projects, make_user):
    person = make_user(Role.TRAINER, email="analyst@customs.cl")
    theirs = two_projects["theirs"]
    theirs.focal_points.append(person)
    db.session.commit()
    login(client, person)

    assert client.get(f"/projects/{theirs.id}").status_code == 200
    assert client.get(f"/projects/{two_projects['mine'].id}").status_code == 403
    assert _codes(client) == ["CL-1"]


def test_trainees_see_nothing_of_projects(client, two_projects, make_user):
    login(client, make_user(Role.TRAINEE))

    assert client.get("/projects/").status_code == 403
    assert client.get(f"/projects/{two_projects['mine'].id}").status_code == 403
    assert client.get(f"/projects/{two_projects['mine'].id}/indicators/1").status_code == 403
    assert 'href="/projects/"' not in client.get("/").get_data(as_text=True)


def test_directorate_reads_everything_and_edits_nothing(client, two_projects, make_user):
    login(client, make_user(Role.DIRECTORATE))

    assert _codes(client) == ["KE-1", "CL-1"]
    assert client.get(f"/projects/{two_projects['theirs'].id}").status_code == 200
    assert client.get(f"/projects/{two_projects['theirs'].id}/edit").status_code == 403
    assert client.get("/projects/new").status_code == 403
    assert 'href="/projects/"' in client.get("/").get_data(as_text=True)


def test_admins_may_edit_any_project(client, two_projects, make_user):
    login(client, make_user(Role.ADMIN))
    assert client.get(f"/projects/{two_projects['theirs'].id}/edit").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, two_projects):
    response = client.get(f"/projects/{two_projects['mine'].id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_record_rules_match_the_list_query(two_projects, make_user):
    """``can_view`` (pages) and the portfolio's SQL filter give the same answer."""
    from lms.core.permissions import can_view

    users = [
        two_projects["grace"],
        make_user(Role.TRAINEE, email="focal.ke@example.org"),
        make_user(Role.TRAINEE),
        make_user(Role.DIRECTORATE),
    ]
    projects = db.session.scalars(sa.select(Project)).all()
    for user in users:
        listed = set(
            db.session.scalars(
                sa.select(Project.id).where(services.visible_projects_clause(user))
            ).all()
        )
        assert listed == {p.id for p in projects if can_view(user, p)}, user.email
