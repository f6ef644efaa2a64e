"""Admin pages for users: list with search and filters, create, edit, roles, deactivate,
delete refused for users with history, and the audit trail of every change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboxMessage
from tests.conftest import login, post_form


@pytest.fixture
def admin(logged_in):
    return logged_in(Role.ADMIN, email="boss@example.org", full_name="Boss Admin")


def test_user_list_searches_and_filters(client, admin, make_user, make_member):
    kenya = make_member(name="Kenya Revenue Authority", country_code="KE")
    make_user(Role.TRAINEE, full_name="David Otieno", member=kenya)
    make_user(Role.TRAINER, full_name="Sofia Lindqvist")
    make_user(Role.TRAINEE, full_name="Retired Person", is_active=False)

    html = client.get("/admin/users?q=otieno").get_data(as_text=True)
    assert "David Otieno" in html and "Sofia Lindqvist" not in html

    html = client.get("/admin/users?role=trainer").get_data(as_text=True)
    assert "Sofia Lindqvist" in html and "David Otieno" not in html

    html = client.get(f"/admin/users?member={kenya.id}").get_data(as_text=True)
    assert "David Otieno" in html and "Sofia Lindqvist" not in html

    html = client.get("/admin/users").get_data(as_text=True)
    assert "Retired Person" not in html
    html = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Retired Person" in html and "David Otieno" not in html

    html = client.get("/admin/users?q=nobody-at-all").get_data(as_text=True)
    assert "No user matches these filters." in html


def test_user_list_is_paginated(client, admin, make_user):
    for _ in range(30):
        make_user(Role.TRAINEE)
    first = client.get("/admin/users").get_data(as_text=True)
    assert first.count("<tr>") == 26  # header + 25 rows
    assert "31 in all" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 7


def test_user_list_runs_a_bounded_number_of_queries(client, admin, make_user, make_member):
    member = make_member()
    for _ in range(40):
        make_user([Role.TRAINEE, Role.TRAINER], member=member)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/admin/users?per_page=50").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 8, statements


def test_admin_creates_a_user_with_an_invitation(client, admin, make_member):
    member = make_member(country_code="SN")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "Mamadou.Ndiaye@Example.org",
            "full_name": "Mamadou Ndiaye",
            "member_administration_id": str(member.id),
            "preferred_language": "fr",
            "roles": ["trainee"],
            "send_invitation": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "mamadou.ndiaye@example.org"))
    assert user.roles == {Role.TRAINEE}
    assert user.preferred_language == "fr"
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.recipient == user.email
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.created"))
    assert entry.actor_id == admin.id
    assert entry.after["email"] == user.email and entry.after["roles"] == ["trainee"]

    # The invited person sets a password through the link and can log in.
    link = message.body.split("http://localhost", 1)[1].split()[0]
    other = client.application.test_client()
    done = post_form(
        other, link, {"password": "teranga-data-2026!", "confirm": "teranga-data-2026!"}
    )
    assert done.status_code == 302
    assert login(other, user, "teranga-data-2026!").status_code == 302


def test_duplicate_email_is_refused_case_insensitively_and_keeps_the_input(client, admin):
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "BOSS@example.org",
            "full_name": "Someone Else",
            "preferred_language": "en",
            "roles": ["trainee"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in html
    assert 'value="Someone Else"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_user_needs_a_role(client, admin):
    response = post_form(
        client,
        "/admin/users/new",
        {"email": "x@example.org", "full_name": "No Role", "preferred_language": "en"},
    )
    assert "at least one role" in response.get_data(as_text=True)


def test_admin_edits_roles_and_the_audit_log_shows_before_and_after(client, admin, make_user):
    user = make_user(Role.TRAINEE, full_name="Sarah Nakato")
    response = post_form(
        client,
        f"/admin/users/{user.id}/edit",
        {
            "email": user.email,
            "full_name": "Sarah Nakato",
            "preferred_language": "en",
            "roles": ["trainee", "trainer"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {Role.TRAINEE, Role.TRAINER}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.before == {"roles": ["trainee"]}
    assert entry.after == {"roles": ["trainee", "trainer"]}
    html = client.get("/admin/audit?entity_type=User").get_data(as_text=True)
    assert "user.updated" in html and "trainer" in html


def test_admin_cannot_remove_own_admin_role(client, admin):
    response = post_form(
        client,
        f"/admin/users/{admin.id}/edit",
        {
            "email": admin.email,
            "full_name": admin.full_name,
            "preferred_language": "en",
            "roles": ["trainee"],
        },
    )
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin


def test_deactivate_requires_post_with_csrf_and_keeps_the_record(client, admin, make_user):
    user = make_user(Role.TRAINEE)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 400  # no token
    assert client.get(f"/admin/users/{user.id}/deactivate").status_code == 405
    response = post_form(client, f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user is not None and not user.is_active and user.deactivated_at is not None


def test_a_user_with_history_cannot_be_hard_deleted(app, client, admin, make_user):
    user = make_user(Role.TRAINEE)
    login(app.test_client(), user)  # now the user has history

    page = client.get(f"/admin/users/{user.id}/delete").get_data(as_text=True)
    assert "cannot be deleted" in page
    response = post_form(client, f"/admin/users/{user.id}/delete", follow_redirects=True)
    assert "deactivate it instead" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id) is not None

    # The service refuses too, whatever calls it.
    with pytest.raises(ConflictError):
        services.delete_user(db.session, db.session.get(User, user.id), actor=admin)


def test_the_database_refuses_to_delete_a_user_whose_actions_are_audited(app, make_user):
    actor = make_user(Role.ADMIN)
    services.create_user(
        db.session, actor=actor, email="new@example.org", full_name="New One", roles=[Role.TRAINEE]
    )
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.delete(User).where(User.id == actor.id))
        db.session.commit()
    db.session.rollback()


def test_an_unused_account_can_be_deleted_after_confirmation(client, admin, make_user):
    user_id = make_user(Role.TRAINEE).id
    page = client.get(f"/admin/users/{user_id}/delete").get_data(as_text=True)
    assert "Delete permanently" in page
    response = post_form(client, f"/admin/users/{user_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
        "user.deleted"
    )


def test_saving_a_new_email_says_the_new_email(client, admin, make_user):
    user = make_user(Role.TRAINEE, email="old.address@example.org")
    response = post_form(
        client,
        f"/admin/users/{user.id}/edit",
        {
            "email": "new.address@example.org",
            "full_name": user.full_name,
            "preferred_language": "en",
            "roles": ["trainee"],
        },
        follow_redirects=True,
    )
    assert "Changes to new.address@example.org saved." in response.get_data(as_text=True)
