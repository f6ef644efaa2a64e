"""The demo dataset and the ``lms`` console commands."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import MemberAdministration, Region, Role, User
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.demo import DEMO_PASSWORD, load_demo
from tests.conftest import login


@pytest.mark.demo
def test_demo_loads_members_in_every_region_and_users_of_every_role(app, demo_summary):
    summary = demo_summary
    assert "Demo accounts" in summary
    members = db.session.scalars(sa.select(MemberAdministration)).all()
    assert len(members) >= 20
    assert {m.region for m in members} == set(Region)
    users = db.session.scalars(sa.select(User)).all()
    roles = set().union(*(u.roles for u in users))
    assert roles == set(Role)
    emails = {u.email for u in users}
    for email in (
        "admin@example.org",
        "directorate@example.org",
        "manager@example.org",
        "trainer@example.org",
        "trainee@example.org",
    ):
        assert email in emails
    assert sum(Role.TRAINEE in u.roles for u in users) > 5


@pytest.mark.demo
def test_demo_accounts_log_in_with_the_documented_password(app, client):
    assert login(client, "admin@example.org", DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_demo_refuses_a_database_with_real_data(app, make_user):
    make_user(Role.ADMIN, email="real.person@customs.example")
    with pytest.raises(ConflictError, match="non-demo data"):
        load_demo(db.session)


@pytest.mark.demo
def test_demo_twice_does_nothing_the_second_time(app):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert load_demo(db.session) == "Demo data is already loaded."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count


def test_cli_demo_if_empty_and_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Chief@Customs.example",
            "--name",
            "Chief Admin",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Chief@Customs.example",
            "--name",
            "Chief Admin",
            "--password",
            "a-long-and-unusual-passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.email == "chief@customs.example"))
    assert admin.is_admin

    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0 and "already holds data" in result.output
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "non-demo data" in result.output
