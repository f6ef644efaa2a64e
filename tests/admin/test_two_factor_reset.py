"""An administrator resets a user's second factor: a reason is required, the reset is audited
and the user told by email; other roles are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts import two_factor
from lms.accounts.models import RecoveryCode, Role
from lms.core.clock import travel
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboxMessage
from tests.accounts.two_factor_helpers import T0, enrol
from tests.conftest import login, post_form


@pytest.fixture(autouse=True)
def frozen():
    with travel(T0):
        yield


def test_admin_resets_a_second_factor_with_a_reason(client, logged_in, make_user):
    admin = logged_in(Role.ADMIN)
    user = make_user(Role.TRAINER, full_name="Amina Njoroge")
    enrol(user)
    detail = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    path = f"/admin/users/{user.id}/two-factor/reset"
    assert path in detail and "Reset second factor" in detail
    assert "Reason" in client.get(path).get_data(as_text=True)

    refused = post_form(client, path, {"reason": "  "})
    assert refused.status_code == 200 and two_factor.is_enabled(db.session, user)

    done = post_form(client, path, {"reason": "Lost phone; confirmed by a call"})
    assert done.headers["Location"].endswith(f"/admin/users/{user.id}")
    db.session.expire_all()
    assert not two_factor.is_enabled(db.session, user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")
    )
    assert entry.actor_id == admin.id and entry.entity_id == str(user.id)
    assert entry.summary == "Lost phone; confirmed by a call"
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert "two-factor" in mail.subject and admin.full_name in mail.body

    # The next login is by password alone.
    post_form(client, "/auth/logout")
    assert login(client, user).headers["Location"].endswith("/")


def test_reset_of_an_account_without_a_second_factor_is_refused(client, logged_in, make_user):
    logged_in(Role.ADMIN)
    user = make_user(Role.TRAINEE)
    page = post_form(client, f"/admin/users/{user.id}/two-factor/reset", {"reason": "asked"})
    assert "no second factor" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("role", [Role.DIRECTORATE, Role.TRAINER])
def test_only_admins_reset(client, logged_in, make_user, role):
    logged_in(role)
    user = make_user(Role.TRAINEE)
    enrol(user)
    path = f"/admin/users/{user.id}/two-factor/reset"
    assert client.get(path).status_code == 403
    assert post_form(client, path, {"reason": "because"}).status_code == 403
    assert two_factor.is_enabled(db.session, user)
