"""The API's OpenAPI document: valid (openapi-spec-validator), served with its docs page from
local files, and honoured by every operation under a bounded schemathesis run on the demo
data (no 5xx; status codes, content types and bodies as documented)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.accounts.models import User
from lms.core.extensions import db
from tests.core.test_no_inline_code import inline_code

EXAMPLES_PER_OPERATION = 12
RESOURCES = [
    "/members",
    "/users",
    "/users/me",
    "/frameworks",
    "/frameworks/{framework_id}/competencies",
    "/tracks",
    "/tracks/{track_id}/enrolments",
    "/courses",
    "/sessions",
    "/sessions/{session_id}/enrolments",
    "/enrolments/{enrolment_id}",
    "/users/{user_id}/competencies",
    "/users/{user_id}/tracks/{track_id}/progress",
    "/certificates",
    "/badges",
    "/badges/{award_id}",
    "/projects",
    "/projects/{project_id}/milestones",
    "/projects/{project_id}/indicators",
    "/projects/iati.xml",
    "/projects/{project_id}/iati.xml",
    "/statistics",
    "/tokens",
    "/webhooks",
    "/webhooks/{subscription_id}",
]


def test_the_document_is_valid_openapi_3_1_and_lists_the_resources(client):
    response = client.get("/api/v1/openapi.json")
    spec = response.get_json()
    validate(spec)  # raises on any violation
    assert spec["openapi"].startswith("3.1")
    missing = [p for p in RESOURCES if f"/api/v1{p}" not in spec["paths"]]
    assert not missing
    assert not [p for p in spec["paths"] if not p.startswith("/api/v1/")]  # pages stay out
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"].lower() == "bearer"


def test_the_docs_page_needs_no_other_site(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_docs_page_starts_swagger_ui_from_a_static_script(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert inline_code(html) == []  # APIFlask's page has an inline <script> and <style>
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert re.search(r'<script src="/static/js/api-docs\.js\?v=\w+"></script>', html)


@pytest.mark.demo
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, make_token):
    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
    headers = make_token(admin)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    known = _demo_ids()
    assert len(operations) >= len(RESOURCES)
    seen: dict[str, set[int]] = {}

    runs = []
    for operation in operations:
        runs.append((operation, {}))  # ids drawn at random: mostly missing records
        names = set(re.findall(r"{(\w+)}", operation.path))
        if names:  # and the demo's own records
            runs.append((operation, {name: known[name] for name in names}))
    for operation, path_parameters in runs:

        @given(case=operation.as_strategy(path_parameters=path_parameters or None))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # The WSGI transport does not decompress: ask for the body as it is.
            call_headers = {"Accept-Encoding": "identity"}
            if case.operation.path != "/api/v1/tokens":
                call_headers.update(headers)
            response = case.call(headers=call_headers)
            seen.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=checks)

        check()
    # The run reached real records, not only 404s and refusals.
    reached = sorted(label for label, codes in seen.items() if codes & {200, 201})
    assert len(reached) >= 16, seen


def _demo_ids() -> dict[str, int]:
    """A record of each kind from the demo, for the path parameters."""
    from lms.badges.models import BadgeAward
    from lms.courses.models import Course, CourseSession, SessionEnrolment
    from lms.frameworks.models import Framework
    from lms.progress.models import TrackEnrolment
    from lms.projects.models import Project
    from lms.webhooks.models import WebhookSubscription

    enrolled = db.session.scalars(db.select(TrackEnrolment).limit(1)).one()
    first = {
        model: db.session.scalar(db.select(model.id).order_by(model.id).limit(1))
        for model in (
            Course,
            CourseSession,
            SessionEnrolment,
            Framework,
            Project,
            BadgeAward,
            WebhookSubscription,
        )
    }
    return {
        "course_id": first[Course],
        "session_id": first[CourseSession],
        "enrolment_id": first[SessionEnrolment],
        "framework_id": first[Framework],
        "project_id": first[Project],
        "award_id": first[BadgeAward],
        "track_id": enrolled.track_id,
        "user_id": enrolled.user_id,
        "subscription_id": first[WebhookSubscription],
    }
