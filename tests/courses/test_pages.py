"""Course, session and enrolment pages: roles, ownership, forms, uploads and query counts."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import Course, CourseSession, EnrolmentStatus, SessionEnrolment
from tests.conftest import post_form
from tests.courses.fixtures import TODAY, after


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


def test_catalogue_filters_and_hides_drafts_from_trainees(client, world, logged_in):
    services.create_course(
        db.session,
        actor=world.manager,
        code="DRAFT1",
        title="Not ready",
        delivery_mode="blended",
        hours=3,
        languages=["en"],
    )
    db.session.commit()
    logged_in(Role.TRAINEE)
    html = client.get("/courses/").get_data(as_text=True)
    assert "DQ101" in html and "ST201" in html and "DRAFT1" not in html
    html = client.get("/courses/?mode=e_learning").get_data(as_text=True)
    assert "ST201" in html and "DQ101" not in html
    html = client.get("/courses/?language=fr").get_data(as_text=True)
    assert "DQ101" in html and "ST201" not in html
    html = client.get(f"/courses/?competency={world.stats.id}").get_data(as_text=True)
    assert "ST201" in html and "DQ101" not in html
    html = client.get("/courses/?q=nothing-like-this").get_data(as_text=True)
    assert "No course matches these filters." in html
    draft = db.session.scalar(sa.select(Course).where(Course.code == "DRAFT1"))
    assert client.get(f"/courses/{draft.id}").status_code == 403


def test_editor_creates_a_course_with_competencies_through_the_form(client, world, logged_in):
    logged_in(Role.DIRECTORATE)
    response = post_form(
        client,
        "/courses/new",
        {
            "code": "vis-110",
            "title": "Dashboards",
            "summary": "s",
            "objectives": "o",
            "delivery_mode": "e_learning",
            "hours": "6",
            "languages": ["en", "fr"],
            "status": "published",
            "required_tracks": [str(world.specialists.id)],
            "competencies-0-competency_id": str(world.stats.id),
            "competencies-0-level_position": "3",
            "competencies-0-outcome": "rate",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    course = db.session.scalar(sa.select(Course).where(Course.code == "VIS-110"))
    assert [(c.competency_id, c.level.name, c.outcome.value) for c in course.competencies] == [
        (world.stats.id, "Advanced", "rate")
    ]
    assert [(t.track_id, t.is_required) for t in course.track_links] == [
        (world.specialists.id, True)
    ]


def test_course_form_errors_keep_the_input(client, world, logged_in):
    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/courses/new",
        {
            "code": "DQ101",
            "title": "Duplicate code",
            "delivery_mode": "workshop",
            "hours": "4",
            "languages": ["en"],
            "status": "draft",
        },
    )
    html = response.get_data(as_text=True)
    assert "already exists" in html and 'value="Duplicate code"' in html


def test_trainee_cannot_create_courses_or_sessions(client, world, logged_in):
    logged_in(Role.TRAINEE)
    assert client.get("/courses/new").status_code == 403
    assert client.get(f"/courses/{world.course_a.id}/sessions/new").status_code == 403
    assert client.get(f"/sessions/{world.session_a.id}/edit").status_code == 403


def test_trainee_enrols_and_sees_only_their_own_status(client, world, logged_in, make_user):
    other = make_user(Role.TRAINEE, full_name="Other Trainee")
    services.request_enrolment(db.session, world.session_a, other, actor=other, today=TODAY)
    db.session.commit()
    me = logged_in(Role.TRAINEE, full_name="Me Trainee")
    response = post_form(client, f"/sessions/{world.session_a.id}/enrol", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You are enrolled" in html
    assert "Other Trainee" not in html  # no roster for trainees
    enrolment = db.session.scalar(
        sa.select(SessionEnrolment).where(SessionEnrolment.user_id == me.id)
    )
    assert enrolment.status == EnrolmentStatus.ENROLLED
    # The other trainee's enrolment cannot be withdrawn by URL guessing.
    theirs = db.session.scalar(
        sa.select(SessionEnrolment).where(SessionEnrolment.user_id == other.id)
    )
    assert post_form(client, f"/enrolments/{theirs.id}/withdraw").status_code == 403


def test_trainer_records_a_result_and_uploads_results(
    client, world, logged_in, make_user, monkeypatch
):
    from lms.core import clock
    from tests.conftest import login

    first = make_user(Role.TRAINEE, email="first@example.org")
    second = make_user(Role.TRAINEE, email="second@example.org")
    e1 = services.request_enrolment(db.session, world.session_a, first, actor=first, today=TODAY)
    e2 = services.request_enrolment(db.session, world.session_a, second, actor=second, today=TODAY)
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: after(world.session_a))  # the session is over
    login(client, world.trainer)
    html = client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "first@example.org" in html and "second@example.org" in html
    response = post_form(client, f"/enrolments/{e1.id}/result", {"score": "88", "passed": "yes"})
    assert response.status_code == 302
    bad = b"email,attended,score,passed\nsecond@example.org,yes,150,yes\nnobody@x.org,yes,1,no\n"
    response = post_form(
        client,
        f"/sessions/{world.session_a.id}/results",
        {"file": (io.BytesIO(bad), "results.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 2: score 150 is not between 0 and 100" in html
    assert "row 3: nobody@x.org is not enrolled in this session" in html
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, e2.id).status == EnrolmentStatus.ENROLLED
    good = b"email,attended,score,passed\nsecond@example.org,yes,64,no\n"
    response = post_form(
        client,
        f"/sessions/{world.session_a.id}/results",
        {"file": (io.BytesIO(good), "results.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, e1.id).passed is True
    e2 = db.session.get(SessionEnrolment, e2.id)
    assert (e2.status, e2.passed, e2.score) == (EnrolmentStatus.COMPLETED, False, 64)


def test_a_trainer_of_another_session_cannot_record_results(client, world, logged_in, make_user):
    trainee = make_user(Role.TRAINEE)
    enrolment = services.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    logged_in(Role.TRAINER)
    assert (
        post_form(client, f"/enrolments/{enrolment.id}/result", {"passed": "yes"}).status_code
        == 403
    )
    assert "Roster" not in client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)


def test_roster_of_100_trainees_runs_a_bounded_number_of_queries(
    client, world, make_user, make_member
):
    from tests.conftest import login

    big = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=3),
        ends_on=TODAY + timedelta(days=4),
        capacity=100,
        trainer_ids=[world.trainer.id],
    )
    member = make_member()
    db.session.commit()
    for _ in range(100):
        trainee = make_user(Role.TRAINEE, member=member)
        services.request_enrolment(db.session, big, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    login(client, world.trainer)
    with QueryCounter() as counter:
        response = client.get(f"/sessions/{big.id}")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('data-email="') == 100
    assert len(counter.statements) <= 15, len(counter.statements)


def test_project_manager_approves_requests_for_their_beneficiaries_sessions(
    client, world, logged_in, make_user, make_member, make_project
):
    member = make_member(country_code="UG")
    reserved = services.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=9),
        ends_on=TODAY + timedelta(days=10),
        capacity=5,
        requires_approval=True,
        restricted_member_ids=[member.id],
    )
    trainee = make_user(Role.TRAINEE, member=member)
    enrolment = services.request_enrolment(
        db.session, reserved, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    # A project manager with no project for Uganda may not approve.
    logged_in(Role.PROJECT_MANAGER)
    assert post_form(client, f"/enrolments/{enrolment.id}/approve").status_code == 403
    # The manager of the Uganda project may.
    manager = make_user(Role.PROJECT_MANAGER)
    make_project(manager=manager, beneficiaries=[member])
    theirs = client.application.test_client()
    from tests.conftest import login

    login(theirs, manager)
    assert "Approve" in theirs.get(f"/sessions/{reserved.id}").get_data(as_text=True)
    assert post_form(theirs, f"/enrolments/{enrolment.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(SessionEnrolment, enrolment.id).status == EnrolmentStatus.ENROLLED
    assert db.session.get(CourseSession, reserved.id).seats_taken == 1


def test_competency_page_lists_the_courses_that_develop_it(client, world, logged_in):
    logged_in(Role.TRAINEE)
    html = client.get(f"/competencies/{world.quality.id}").get_data(as_text=True)
    assert "DQ101 Data quality in customs" in html and "a pass gives Practitioner" in html
    assert "ST201" not in html
