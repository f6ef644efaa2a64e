"""The input bounds of ``lms.core.bounds`` and ``lms.core.forms``, one rule at a time: what a
user sees when she sends an id, a page, a number, a date, a NUL or a body out of bounds."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from wtforms import DateField, DecimalField, FloatField, IntegerField, StringField, TextAreaField

from lms.accounts.models import MemberAdministration, Role
from lms.core.bounds import json_too_deep, parse_date
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.core.forms import FlaskForm
from lms.frameworks.importers import parse_case_json
from lms.projects import services as project_services
from lms.projects.models import LogframeLevel
from tests.conftest import csrf_token, login, post_form


def test_an_id_beyond_the_integer_range_is_not_found(client, logged_in):
    logged_in(Role.ADMIN)
    for hostile in (2**31, 2**63, 99999999999999999999):
        assert client.get(f"/admin/users/{hostile}").status_code == 404
    assert client.get(f"/admin/users/{2**31 - 1}").status_code == 404  # in range, no such row


@pytest.mark.parametrize("page", ["0", "-1", "99999999999999999999", "abc", "9" * 5000])
def test_a_list_answers_any_page_argument(client, logged_in, page):
    logged_in(Role.ADMIN)
    response = client.get("/admin/users", query_string={"page": page, "per_page": page})
    assert response.status_code == 200


def test_a_nul_character_is_refused_with_a_page_that_says_why(client, make_user):
    user = make_user(Role.TRAINEE)
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"email": user.email + "\x00", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "null character" in response.get_data(as_text=True)
    assert client.get("/courses/", query_string={"q": "a\x00b"}).status_code in (400, 302)


def test_a_date_out_of_bounds_in_a_query_is_a_message_not_a_500(client, logged_in):
    logged_in(Role.DIRECTORATE)
    response = client.get("/reports/statistics?end=9999-12-31")
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.get_data(as_text=True)
    with pytest.raises(ValueError):
        parse_date("1899-12-31")
    assert parse_date("2100-12-31") == date(2100, 12, 31)


class _Bounded(FlaskForm):
    class Meta:
        csrf = False

    amount = DecimalField()
    ratio = FloatField()
    count = IntegerField()
    day = DateField()
    name = StringField()
    notes = TextAreaField()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "NaN"),
        ("amount", "inf"),
        ("amount", "1e30"),
        ("ratio", "nan"),
        ("ratio", "-inf"),
        ("count", str(2**31)),
        ("day", "9999-12-31"),
        ("day", "1899-12-31"),
        ("name", "x" * 256),
        ("notes", "x" * 20_001),
        ("name", "a\x00b"),
    ],
)
def test_the_form_base_refuses_values_out_of_bounds(app, field, value):
    good = {"amount": "12.5", "ratio": "0.5", "count": "3", "day": "2026-01-31", "name": "n"}
    with app.test_request_context(method="POST", data=good | {field: value}):
        form = _Bounded()
        assert not form.validate()
        assert form.errors[field]
    with app.test_request_context(method="POST", data=good):
        assert _Bounded().validate()


def test_a_request_body_over_the_limit_answers_413_with_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post(
        "/auth/login",
        data={"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "at most 1 MB" in response.get_data(as_text=True)


def test_deeply_nested_case_json_is_refused_with_a_message():
    assert json_too_deep("[" * 10_000)
    assert not json_too_deep('{"a": "[[[[[[", "b": [1, {"c": 2}]}')
    result = parse_case_json("[" * 100_000 + "]" * 100_000)
    assert result.plan is None
    assert "levels deep" in result.problems[0].message


def test_a_country_code_must_be_a_real_iso_3166_code(client, logged_in):
    logged_in(Role.ADMIN)
    for code in ("XX", "K1", "ZZ"):
        post_form(
            client,
            "/admin/members/new",
            {"name": f"Made up {code}", "country_code": code, "region": "EUROPE"},
        )
    assert not db.session.scalars(sa.select(MemberAdministration)).all()
    post_form(
        client, "/admin/members/new", {"name": "Kenya", "country_code": "ke", "region": "EUROPE"}
    )
    assert db.session.scalar(sa.select(MemberAdministration.country_code)) == "KE"


def test_a_report_without_its_subject_asks_to_choose_one(client, logged_in):
    logged_in(Role.DIRECTORATE)
    response = post_form(client, "/reports/generate", {"kind": "project", "format": "pdf"})
    html = response.get_data(as_text=True) if response.status_code != 302 else ""
    if response.status_code == 302:
        html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "needs a project_id" not in html
    assert "Choose a project" in html


def test_the_403_page_says_the_project_is_someone_elses(client, make_project, make_user):
    mine = make_user(Role.PROJECT_MANAGER)
    theirs = make_project()
    login(client, mine)
    response = client.get(f"/projects/{theirs.id}/edit")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "managed by someone else" in html
    assert "does not have the role" not in html


def test_a_page_for_other_roles_names_them(client, logged_in):
    logged_in(Role.TRAINEE)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "This page is for these roles" in html


def _indicator(make_project, unit: str):
    project = make_project(start=date(2024, 1, 1), end=date(2026, 12, 31))
    goal = project_services.add_logframe_element(
        db.session, project, actor=None, level=LogframeLevel.GOAL, statement="Goal"
    )
    return project_services.add_indicator(
        db.session,
        goal,
        actor=None,
        name="Share of declarations",
        unit=unit,
        baseline_value=10,
        baseline_date=date(2024, 1, 1),
    )


@pytest.mark.parametrize(
    ("unit", "period", "value", "message"),
    [
        ("%", "2025", "101", "100 or less"),
        ("%", "2025", "-1", "0 or more"),
        ("officers", "2025", "-3", "0 or more"),
        ("officers", "2025", "1e30", "below"),
        ("officers", "2030", "5", "within the project"),
        ("officers", "0000", "5", "Enter a year"),
        ("officers", "2025", "NaN", "Enter a number"),
    ],
)
def test_indicator_values_and_periods_are_bounded(app, make_project, unit, period, value, message):
    indicator = _indicator(make_project, unit)
    for record in (project_services.set_target, project_services.report_actual):
        with pytest.raises(ValidationError, match=message):
            record(db.session, indicator, actor=None, period=period, value=value)
    assert (
        project_services.set_target(
            db.session, indicator, actor=None, period="2025", value="50"
        ).value
        == 50
    )
