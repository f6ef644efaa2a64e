"""Enrolments import on a session: every row through the enrolment services (seats, rules,
duplicates with their own messages), all or nothing inside a SAVEPOINT; only the session's
trainers and the editors."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from tests.conftest import csrf_token, login
from tests.courses.fixtures import TODAY


def upload(client, course_session, text: str):
    data = {
        "csrf_token": csrf_token(client),
        "file": (io.BytesIO(text.encode("utf-8")), "enrolments.csv"),
    }
    return client.post(
        f"/sessions/{course_session.id}/enrolments/import",
        data=data,
        content_type="multipart/form-data",
    )


def _statuses(course_session) -> dict[str, EnrolmentStatus]:
    rows = db.session.execute(
        sa.select(SessionEnrolment.user_id, SessionEnrolment.status).where(
            SessionEnrolment.session_id == course_session.id
        )
    ).all()
    from lms.accounts.models import User

    return {db.session.get(User, uid).email: status for uid, status in rows}


def _seats(course_session) -> int:
    return db.session.scalar(
        sa.select(CourseSession.seats_taken).where(CourseSession.id == course_session.id)
    )


def _row_errors(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-row="(\d+)" data-column="([^"]*)">', html)


@pytest.fixture
def trainees(world, make_user):
    return [make_user(Role.TRAINEE, email=f"t{n}@example.org") for n in range(4)]


def test_a_valid_file_enrols_everyone(client, world, trainees):
    login(client, world.trainer)
    response = upload(
        client, world.session_b, "email\nT0@example.org\nt1@example.org\n\nt2@example.org\n"
    )
    assert response.status_code == 302
    assert _statuses(world.session_b) == {
        f"t{n}@example.org": EnrolmentStatus.ENROLLED for n in range(3)
    }
    assert _seats(world.session_b) == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 trainees enrolled." in page


def test_one_bad_row_enrols_nobody_and_names_it(client, world, trainees, make_user):
    teacher = make_user(Role.TRAINER, email="not.a.trainee@example.org", full_name="Nadia Trainer")
    login(client, world.trainer)
    response = upload(
        client,
        world.session_b,
        "email,status\nt0@example.org,\nnobody@example.org,\nnot.a.trainee@example.org,\n"
        "t1@example.org,sometimes\n",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _row_errors(html) == [("3", "email"), ("4", "email"), ("5", "status")]
    assert "No user has the email nobody@example.org." in html
    assert f"{teacher.full_name} is not a trainee." in html  # the service's own message
    assert _statuses(world.session_b) == {} and _seats(world.session_b) == 0


def test_duplicates_in_the_file_and_existing_enrolments_are_row_errors(client, world, trainees):
    services.request_enrolment(
        db.session, world.session_b, trainees[3], actor=trainees[3], today=TODAY
    )
    db.session.commit()
    login(client, world.trainer)
    response = upload(
        client, world.session_b, "email\nt0@example.org\nt3@example.org\nT0@example.org\n"
    )
    html = response.get_data(as_text=True)
    assert _row_errors(html) == [("3", "email"), ("4", "email")]
    assert f"{trainees[3].full_name} is already enrolled for this session." in html
    assert "t0@example.org appears twice in the file (also on row 2)." in html
    assert _statuses(world.session_b) == {"t3@example.org": EnrolmentStatus.ENROLLED}
    assert _seats(world.session_b) == 1


def test_seats_exhausted_mid_file_enrol_nobody(client, world, trainees):
    """Two seats, three rows: the third is refused by the seat rule, and the two seats the
    first rows took are given back."""
    login(client, world.trainer)
    response = upload(
        client, world.session_a, "email\nt0@example.org\nt1@example.org\nt2@example.org\n"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _row_errors(html) == [("4", "status")]
    assert "The session is full (2 seats)" in html
    assert _statuses(world.session_a) == {} and _seats(world.session_a) == 0


def test_waitlisted_rows_may_wait_for_a_seat(client, world, trainees):
    login(client, world.trainer)
    response = upload(
        client,
        world.session_a,
        "email,status\nt0@example.org,enrolled\nt1@example.org,\nt2@example.org,waitlisted\n",
    )
    assert response.status_code == 302
    assert _statuses(world.session_a) == {
        "t0@example.org": EnrolmentStatus.ENROLLED,
        "t1@example.org": EnrolmentStatus.ENROLLED,
        "t2@example.org": EnrolmentStatus.WAITLISTED,
    }


def test_cells_are_restored_and_escaped(client, world, trainees, make_user):
    make_user(Role.TRAINEE, email="+plus@example.org")
    login(client, world.trainer)
    response = upload(client, world.session_b, "email\n'+plus@example.org\n")
    assert response.status_code == 302  # the quote our exports add is taken off
    assert "+plus@example.org" in _statuses(world.session_b)
    response = upload(client, world.session_b, "email\n<script>alert(1)</script>@x.org\n")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_a_file_problem_is_shown_on_the_form(client, world):
    login(client, world.trainer)
    response = upload(client, world.session_b, "name\nAna\n")
    assert response.status_code == 422
    assert "missing: email" in response.get_data(as_text=True)


def test_the_page_is_linked_documented_and_has_a_template(client, world):
    login(client, world.trainer)
    detail = client.get(f"/sessions/{world.session_b.id}").get_data(as_text=True)
    assert f"/sessions/{world.session_b.id}/enrolments/import" in detail
    html = client.get(f"/sessions/{world.session_b.id}/enrolments/import").get_data(as_text=True)
    assert "<code>email</code>" in html and "<code>status</code>" in html
    template = client.get(f"/sessions/{world.session_b.id}/enrolments/import/template.csv")
    assert template.get_data().decode("utf-8-sig").splitlines()[0] == "email,status"


def test_an_editor_may_import(client, world, trainees):
    login(client, world.manager)
    assert upload(client, world.session_b, "email\nt0@example.org\n").status_code == 302
    assert _statuses(world.session_b) == {"t0@example.org": EnrolmentStatus.ENROLLED}


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER])
def test_a_trainee_or_another_trainer_is_refused(client, world, trainees, logged_in, role):
    logged_in(role)  # a trainer, but not of this session
    url = f"/sessions/{world.session_b.id}/enrolments/import"
    assert client.get(url).status_code == 403
    assert upload(client, world.session_b, "email\nt0@example.org\n").status_code == 403
    assert client.get(f"{url}/template.csv").status_code == 403
    assert _statuses(world.session_b) == {}
