"""/api/v1/webhooks: administrators only, the page's rules on the address, the secret in the
creation's answer only, and DELETE as a disable that keeps the subscription."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.webhooks.models import WebhookSubscription
from tests.api.conftest import assert_problem

BODY = {"url": "https://hr.example.org/hook", "events": ["enrolment.changed", "result.recorded"]}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription))


def test_an_administrator_subscribes_lists_and_disables(client, make_user, make_token):
    headers = make_token(make_user(Role.ADMIN))
    created = client.post("/api/v1/webhooks", json=BODY, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    stored = db.session.get(WebhookSubscription, body["id"])
    assert body["secret"] == stored.secret and len(body["secret"]) == 64
    assert body["events"] == sorted(BODY["events"]) and body["active"] is True

    listed = client.get("/api/v1/webhooks", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert "secret" not in listed["items"][0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}", headers=headers).json

    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=headers).status_code == 204
    db.session.expire_all()
    assert not db.session.get(WebhookSubscription, body["id"]).is_active
    again = client.delete(f"/api/v1/webhooks/{body['id']}", headers=headers)
    assert "disabled" in assert_problem(again, 422)["detail"]


def test_the_pages_rules_refuse_with_field_errors_and_nothing_is_saved(
    client, make_user, make_token
):
    headers = make_token(make_user(Role.ADMIN))
    refused = client.post(
        "/api/v1/webhooks", json={**BODY, "url": "http://hr.example.org/hook"}, headers=headers
    )
    assert "https://" in assert_problem(refused, 422)["errors"]["url"][0]
    unknown = client.post(
        "/api/v1/webhooks", json={**BODY, "events": ["user.deleted"]}, headers=headers
    )
    assert "Must be one of" in assert_problem(unknown, 422)["errors"]["events.0"][0]
    assert _count() == 0


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.DIRECTORATE])
def test_other_roles_are_refused(client, make_user, make_token, role):
    admin_headers = make_token(make_user(Role.ADMIN))
    made = client.post("/api/v1/webhooks", json=BODY, headers=admin_headers).get_json()
    headers = make_token(make_user(role))
    assert_problem(client.get("/api/v1/webhooks", headers=headers), 403)
    assert_problem(client.get(f"/api/v1/webhooks/{made['id']}", headers=headers), 403)
    assert_problem(client.post("/api/v1/webhooks", json=BODY, headers=headers), 403)
    assert_problem(client.delete(f"/api/v1/webhooks/{made['id']}", headers=headers), 403)
    assert _count() == 1 and db.session.get(WebhookSubscription, made["id"]).is_active


def test_a_read_only_token_cannot_subscribe(client, make_user, make_token):
    headers = make_token(make_user(Role.ADMIN), scope="read")
    assert_problem(client.post("/api/v1/webhooks", json=BODY, headers=headers), 403)
    assert _count() == 0
