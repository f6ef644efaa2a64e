"""Every call obeys the pages' rules: roles, ownership and remit through lms.core.permissions
and the features' rules; input errors are 422 problems naming the fields; lists are paged;
reads carry ETags; list calls send a fixed number of statements whatever their length."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.models import Course, SessionEnrolment
from tests.api.conftest import assert_problem
from tests.conftest import count_statements


def _enrol(world, trainee):
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=world_today()
    )
    db.session.commit()
    return enrolment


def world_today():
    from tests.courses.fixtures import TODAY

    return TODAY


def test_a_trainee_reads_only_her_own_record(client, world, make_user, make_member, make_token):
    member = make_member()
    alice = make_user(Role.TRAINEE, member=member)
    bob = make_user(Role.TRAINEE, member=member)  # same administration: still not hers
    as_alice = make_token(alice)
    assert client.get(f"/api/v1/users/{alice.id}", headers=as_alice).status_code == 200
    for path in (
        f"/api/v1/users/{bob.id}",
        f"/api/v1/users/{bob.id}/competencies",
        f"/api/v1/users/{bob.id}/tracks/{world.specialists.id}/progress",
        f"/api/v1/certificates?user_id={bob.id}",
        f"/api/v1/badges?user_id={bob.id}",
    ):
        assert_problem(client.get(path, headers=as_alice), 403)
    assert_problem(client.get("/api/v1/users", headers=as_alice), 403)
    assert_problem(client.get("/api/v1/users/999999", headers=as_alice), 404)


def test_a_trainer_reads_the_trainees_of_her_sessions_only(client, world, make_user, make_token):
    mine, other = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    _enrol(world, mine)
    as_trainer = make_token(world.trainer)
    mine_levels = client.get(f"/api/v1/users/{mine.id}/competencies", headers=as_trainer)
    assert mine_levels.status_code == 200
    assert_problem(client.get(f"/api/v1/users/{other.id}/competencies", headers=as_trainer), 403)
    roster = client.get(f"/api/v1/sessions/{world.session_a.id}/enrolments", headers=as_trainer)
    assert [e["user_id"] for e in roster.get_json()["items"]] == [mine.id]
    another_trainer = make_user(Role.TRAINER)
    assert_problem(
        client.get(
            f"/api/v1/sessions/{world.session_a.id}/enrolments",
            headers=make_token(another_trainer),
        ),
        403,
    )


def test_only_editors_create_courses_and_sessions(client, world, make_user, make_token):
    course = {
        "code": "X-1",
        "title": "X",
        "delivery_mode": "workshop",
        "hours": 2,
        "languages": ["en"],
    }
    for role in (Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER):
        headers = make_token(make_user(role))
        assert_problem(client.post("/api/v1/courses", headers=headers, json=course), 403)
        session = {
            "course_id": world.course_a.id,
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "capacity": 3,
        }
        assert_problem(client.post("/api/v1/sessions", headers=headers, json=session), 403)
    assert db.session.scalar(sa.select(sa.func.count()).where(Course.code == "X-1")) == 0


def test_only_admin_and_directorate_read_write_tokens_post_xapi_statements(
    client, world, make_user, make_token
):
    """A trainee may not report her own completions; nothing is stored on a refusal."""
    from lms.xapi.models import ReceivedStatement

    statement = {
        "id": "3f0b2a4c-6d1e-4f7a-9b8c-1d2e3f4a5b6c",
        "actor": {"mbox": "mailto:someone@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://localhost/xapi/activities/course/DQ101"},
    }
    for role in (Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER):
        headers = make_token(make_user(role))
        assert_problem(client.post("/api/v1/xapi/statements", headers=headers, json=statement), 403)
    for role in (Role.ADMIN, Role.DIRECTORATE):
        read_only = make_token(make_user(role), scope="read")
        assert_problem(
            client.post("/api/v1/xapi/statements", headers=read_only, json=statement), 403
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedStatement)) == 0
    answer = client.post(
        "/api/v1/xapi/statements", headers=make_token(make_user(Role.DIRECTORATE)), json=statement
    )
    assert answer.status_code == 200 and answer.get_json() == [statement["id"]]


def test_a_trainee_enrols_herself_and_withdraws_only_her_own(client, world, make_user, make_token):
    alice, bob = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    as_alice, as_bob = make_token(alice), make_token(bob)
    made = client.post(
        f"/api/v1/sessions/{world.session_b.id}/enrolments", headers=as_alice, json={}
    )
    assert made.status_code == 201
    enrolment_id = made.get_json()["id"]
    # Bob may neither enrol Alice nor withdraw her, nor read her enrolment.
    assert_problem(
        client.post(
            f"/api/v1/sessions/{world.session_a.id}/enrolments",
            headers=as_bob,
            json={"user_id": alice.id},
        ),
        403,
    )
    assert_problem(
        client.patch(
            f"/api/v1/enrolments/{enrolment_id}", headers=as_bob, json={"status": "withdrawn"}
        ),
        403,
    )
    assert_problem(client.get(f"/api/v1/enrolments/{enrolment_id}", headers=as_bob), 403)
    # Nor may Alice record her own result.
    assert_problem(
        client.patch(
            f"/api/v1/enrolments/{enrolment_id}",
            headers=as_alice,
            json={"result": {"passed": True}},
        ),
        403,
    )
    withdrawn = client.patch(
        f"/api/v1/enrolments/{enrolment_id}", headers=as_alice, json={"status": "withdrawn"}
    )
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert db.session.get(SessionEnrolment, enrolment_id).status == "withdrawn"


def test_a_rule_refusal_is_a_problem_and_changes_nothing(client, world, make_user, make_token):
    trainee = make_user(Role.TRAINEE)
    enrolment = _enrol(world, trainee)
    # The session has not happened yet: no result may be recorded (the pages' rule).
    response = client.patch(
        f"/api/v1/enrolments/{enrolment.id}",
        headers=make_token(world.trainer),
        json={"result": {"score": 70, "passed": True}},
    )
    assert "once the session has ended" in assert_problem(response, 422)["detail"]
    db.session.refresh(enrolment)
    assert enrolment.passed is None and enrolment.status == "enrolled"


def test_drafts_are_for_editors_only(client, world, make_user, make_token):
    draft = courses.create_course(
        db.session,
        actor=world.manager,
        code="DRAFT-1",
        title="Unpublished",
        hours=1,
        delivery_mode="workshop",
        languages=["en"],
    )
    db.session.commit()
    as_trainee = make_token(make_user(Role.TRAINEE))
    codes = {c["code"] for c in client.get("/api/v1/courses", headers=as_trainee).json["items"]}
    assert "DRAFT-1" not in codes and "DQ101" in codes
    assert_problem(client.get(f"/api/v1/courses/{draft.id}", headers=as_trainee), 403)
    as_editor = make_token(world.manager)
    codes = {c["code"] for c in client.get("/api/v1/courses", headers=as_editor).json["items"]}
    assert "DRAFT-1" in codes


def test_projects_follow_the_portfolio_rule(client, make_project, make_user, make_token):
    project = make_project()
    assert (
        client.get("/api/v1/projects", headers=make_token(make_user(Role.TRAINEE))).json["total"]
        == 0
    )
    as_trainee = make_token(make_user(Role.TRAINEE))
    for path in ("", "/milestones", "/indicators"):
        assert_problem(client.get(f"/api/v1/projects/{project.id}{path}", headers=as_trainee), 403)
    focal = make_user(Role.TRAINEE)
    mine = make_project(focal_points=[focal])
    listed = client.get("/api/v1/projects", headers=make_token(focal)).json
    assert [p["code"] for p in listed["items"]] == [mine.code]


def test_invalid_input_names_the_fields(client, world, make_token):
    headers = make_token(world.manager)
    response = client.post("/api/v1/courses", headers=headers, json={"code": "", "hours": "x"})
    errors = assert_problem(response, 422)["errors"]
    assert {"code", "hours", "title", "delivery_mode", "languages"} <= set(errors)
    taken = client.post(
        "/api/v1/courses",
        headers=headers,
        json={
            "code": "dq101",
            "title": "Again",
            "delivery_mode": "workshop",
            "hours": 2,
            "languages": ["en"],
        },
    )
    assert assert_problem(taken, 409)["errors"] == {"code": [taken.json["detail"]]}
    bad_page = client.get("/api/v1/courses?per_page=101&page=0", headers=headers)
    assert set(assert_problem(bad_page, 422)["errors"]) == {"per_page", "page"}
    not_json = client.post(
        "/api/v1/courses", headers={**headers, "Content-Type": "application/json"}, data="{"
    )
    assert not_json.status_code in (400, 422) and not_json.mimetype == "application/problem+json"


def test_lists_are_paged_in_one_envelope(client, make_member, make_user, make_token):
    for _ in range(7):
        make_member()
    headers = make_token(make_user(Role.TRAINEE))
    page = client.get("/api/v1/members?per_page=3&page=3", headers=headers).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (7, 3, 3, 1)


def test_reads_carry_an_etag_and_answer_304_when_unchanged(client, make_user, make_token):
    user = make_user()
    headers = make_token(user)
    first = client.get("/api/v1/users/me", headers=headers)
    tag = first.headers["ETag"]
    again = client.get("/api/v1/users/me", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and not again.data
    user.full_name = "Renamed"
    db.session.commit()
    changed = client.get("/api/v1/users/me", headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.get_json()["full_name"] == "Renamed"


def test_list_calls_send_as_many_statements_for_many_rows_as_for_few(
    client, world, make_user, make_token, make_project, make_indicator
):
    admin = make_user(Role.ADMIN)
    headers = make_token(admin)
    project = make_project()
    paths = (
        "/api/v1/users",
        "/api/v1/sessions",
        "/api/v1/courses",
        "/api/v1/certificates",
        f"/api/v1/projects/{project.id}/indicators",
        f"/api/v1/sessions/{world.session_b.id}/enrolments",
    )

    def grow(n: int) -> None:
        for _ in range(n):
            trainee = make_user(Role.TRAINEE)
            courses.request_enrolment(
                db.session, world.session_b, trainee, actor=trainee, today=world_today()
            )
            courses.create_session(
                db.session,
                world.course_b,
                actor=world.manager,
                starts_on=world.session_b.starts_on,
                ends_on=world.session_b.ends_on,
                capacity=3,
                trainer_ids=[world.trainer.id],
            )
            make_indicator(project, targets={"2024": 1, "2025": 2})
        db.session.commit()

    grow(2)
    few = {p: count_statements(lambda p=p: client.get(p, headers=headers)) for p in paths}
    grow(8)
    many = {p: count_statements(lambda p=p: client.get(p, headers=headers)) for p in paths}
    assert many == few


def test_an_empty_patch_does_not_show_an_enrolment_its_reader_may_not_see(
    client, world, make_user, make_token
):
    """Found by the access matrix: a PATCH without status or result skipped every check and
    answered with the enrolment (the GET refuses the same caller)."""
    alice, bob = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    enrolment = _enrol(world, alice)
    as_bob = make_token(bob)
    for body in ({}, {"note": "just looking"}):
        response = client.patch(f"/api/v1/enrolments/{enrolment.id}", headers=as_bob, json=body)
        assert "user_id" not in assert_problem(response, 403)
    assert_problem(client.patch("/api/v1/enrolments/999999", headers=as_bob, json={}), 404)
    mine = client.patch(
        f"/api/v1/enrolments/{enrolment.id}", headers=make_token(alice), json={"note": "ok"}
    )
    assert mine.status_code == 200 and mine.get_json()["user_id"] == alice.id
