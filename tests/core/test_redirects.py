"""Issue 11, defect 4b: a redirect target taken from the request (a form's ``next``, the login
page's ``next``, the Referer) goes only to a path of this site; one rule, in
``lms.core.redirects``, refused through each page that takes one."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.redirects import local_path
from lms.courses import services as courses
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.courses.fixtures import TODAY

REFUSED = [
    "https://evil.example/",
    "http://evil.example/courses/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\tevil",
    "/\r\nLocation: https://evil.example/",
    "javascript:alert(1)",
    "evil.example/",
    "courses/",
    "",
    None,
]


@pytest.mark.parametrize("target", REFUSED)
def test_anything_but_a_local_path_is_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/courses/", "/sessions/3?tab=roster#x", "/a//b"])
def test_a_local_path_is_kept(target):
    assert local_path(target) == target


@pytest.fixture
def withdrawal(world, client, logged_in):
    """A logged-in trainee's enrolment, and the page a withdrawal goes back to by default."""
    trainee = logged_in(Role.TRAINEE)
    enrolment = courses.request_enrolment(
        db.session, world.session_b, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    return enrolment.id, f"/sessions/{world.session_b.id}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_an_enrolment_action_does_not_follow_a_foreign_next(client, withdrawal, target):
    enrolment_id, session_page = withdrawal
    response = post_form(client, f"/enrolments/{enrolment_id}/withdraw", {"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == session_page


def test_an_enrolment_action_follows_a_local_next(client, withdrawal):
    enrolment_id, _session_page = withdrawal
    response = post_form(client, f"/enrolments/{enrolment_id}/withdraw", {"next": "/learning"})
    assert response.headers["Location"] == "/learning"


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://evil.example/reports/", "/reports/"),
        ("http://evil.example/reports/my", "/reports/"),
        ("http://localhost.evil.example/reports/my", "/reports/"),
        ("http://localhost//evil.example/", "/reports/"),
        ("http://localhost/reports/my?format=pdf", "/reports/my?format=pdf"),
    ],
)
def test_a_refused_report_goes_back_only_to_a_page_of_this_site(
    client, logged_in, referrer, expected
):
    logged_in(Role.TRAINEE)
    response = post_form(
        client,
        "/reports/generate",
        {"kind": "trainee", "format": "not-a-format"},  # refused: back to the referrer
        headers={"Referer": referrer},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_login_does_not_follow_a_foreign_next(client, make_user, target):
    user = make_user(Role.TRAINEE)
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
