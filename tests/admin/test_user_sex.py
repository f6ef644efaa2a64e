"""The optional sex field on the admin user form: saved, shown, cleared, audited; and the
database refuses a value outside the enum (its CHECK constraint)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, Sex, User
from lms.core.extensions import db
from lms.core.models import AuditEntry
from tests.conftest import post_form


@pytest.fixture
def admin(logged_in):
    return logged_in(Role.ADMIN, email="boss@example.org", full_name="Boss Admin")


def _edit(client, user, sex):
    return post_form(
        client,
        f"/admin/users/{user.id}/edit",
        {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": "en",
            "roles": ["trainee"],
            "sex": sex,
        },
    )


def test_admin_form_saves_and_clears_the_sex_and_audits_it(client, admin, make_user):
    user = make_user(Role.TRAINEE, full_name="Sarah Nakato")
    assert user.sex is None

    assert _edit(client, user, "female").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).sex is Sex.FEMALE
    html = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Female" in html
    # The edit form shows the saved value selected.
    form_html = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'value="female" selected' in form_html or 'selected value="female"' in form_html

    assert _edit(client, user, "").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).sex is None

    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "user.updated", AuditEntry.entity_id == str(user.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"sex": None}, {"sex": "female"}),
        ({"sex": "female"}, {"sex": None}),
    ]


def test_an_edit_without_the_field_keeps_the_sex(client, admin, make_user):
    user = make_user(Role.TRAINEE, sex=Sex.MALE)
    response = post_form(
        client,
        f"/admin/users/{user.id}/edit",
        {
            "email": user.email,
            "full_name": "Renamed",
            "preferred_language": "en",
            "roles": ["trainee"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).sex is Sex.MALE


def test_the_form_refuses_an_unknown_value(client, admin, make_user):
    user = make_user(Role.TRAINEE)
    response = _edit(client, user, "other")
    assert response.status_code == 200  # the form again, with its error
    db.session.expire_all()
    assert db.session.get(User, user.id).sex is None


def test_a_new_user_can_be_given_a_sex(client, admin):
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "new@example.org",
            "full_name": "New Person",
            "preferred_language": "en",
            "roles": ["trainee"],
            "sex": "prefer_not_to_say",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.sex is Sex.UNDISCLOSED


def test_the_database_refuses_an_unknown_sex(app, make_user):
    user = make_user(Role.TRAINEE)
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.text("UPDATE users SET sex = 'other' WHERE id = :id"), {"id": user.id}
        )
        db.session.flush()
    db.session.rollback()
