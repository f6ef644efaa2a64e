"""Every administration page, GET and POST, is for administrators only.

The routes are read from the application's URL map (the admin blueprint and everything else
mounted under /admin), so a page added later is covered without touching this file; a new URL
argument needs a value in ``_values``, and the test says so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.core.http_outbox import enqueue
from lms.core.models import AuditEntry, OutboxMessage
from lms.core.outbox import enqueue_email
from lms.reports import organisation
from lms.scheduler.services import sync_jobs
from lms.webhooks import services as webhooks
from tests.admin.test_organisation import _png
from tests.conftest import login, post_form

NON_ADMIN_ROLES = [
    [Role.TRAINER],
    [Role.PROJECT_MANAGER],
    [Role.DIRECTORATE],
    [Role.TRAINEE],
    [Role.TRAINER, Role.PROJECT_MANAGER, Role.DIRECTORATE, Role.TRAINEE],
]


def _admin_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") or rule.rule.startswith("/admin/")
    ]
    assert len({r.endpoint for r in rules if r.endpoint.startswith("admin.")}) >= 10
    return sorted(rules, key=lambda r: r.rule)


@pytest.fixture
def records(app, make_user, make_member):
    """One real record for each kind of URL argument, so a refusal is the role check and not a
    missing record."""
    target = make_user(Role.TRAINEE, email="target@example.org")
    member = make_member()
    message = enqueue_email(db.session, "someone@example.org", "Subject", "Body")
    outbound = enqueue(
        db.session, channel="test", method="POST", url="http://lrs.example.org/", body="{}"
    )
    sync_jobs(db.session)
    subscription = webhooks.create_subscription(
        db.session, url="https://hr.example.org/hook", events=["result.recorded"], actor=target
    )
    organisation.update(
        db.session, actor=None, name="Org", signatory_name="", signatory_title="", logo=_png()
    )
    db.session.commit()
    return {
        "user_id": target.id,
        "member_id": member.id,
        "message_id": message.id,
        "request_id": outbound.id,
        "name": "outbox.deliver",
        "image": "logo",
        "subscription_id": subscription.id,
    }


def _urls(app, records) -> list[tuple[str, str]]:
    """(method, url) for every admin route and method."""
    found = []
    with app.test_request_context():
        for rule in _admin_rules(app):
            missing = sorted(set(rule.arguments) - set(records))
            assert not missing, f"{rule.rule}: give {missing} a value in the records fixture"
            url = url_for(rule.endpoint, **{k: records[k] for k in rule.arguments})
            found += [(method, url) for method in ("GET", "POST") if method in rule.methods]
    return found


def test_the_administrator_reaches_every_admin_page(client, logged_in, records, app):
    """The control: the URLs built below exist and open for an administrator."""
    logged_in(Role.ADMIN)
    for method, url in _urls(app, records):
        if method == "GET":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("roles", NON_ADMIN_ROLES, ids=lambda roles: "+".join(roles))
def test_every_admin_endpoint_refuses_other_roles(app, make_user, records, roles):
    user = make_user(roles)
    client = app.test_client()
    assert login(client, user).status_code == 302
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    checked = []
    for method, url in _urls(app, records):
        # POSTs carry a valid CSRF token, so 403 is the role check, not a missing token (400).
        response = client.get(url) if method == "GET" else post_form(client, url)
        assert response.status_code == 403, f"{method} {url}: {response.status_code}"
        checked.append((method, url))
    assert ("POST", f"/admin/users/{records['user_id']}/deactivate") in checked
    assert ("GET", "/admin/users") in checked
    # Nothing was done on the way.
    db.session.expire_all()
    target = db.session.get(User, records["user_id"])
    assert target is not None and target.is_active
    assert db.session.get(OutboxMessage, records["message_id"]) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_before
