"""Admin pages for member administrations."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import MemberAdministration, Region, Role
from lms.core.extensions import db
from lms.core.models import AuditEntry
from tests.conftest import post_form


def test_trainee_cannot_manage_members(client, logged_in):
    logged_in(Role.TRAINEE)
    assert client.get("/admin/members").status_code == 403
    assert (
        post_form(
            client, "/admin/members/new", {"name": "X", "country_code": "XX", "region": "EUROPE"}
        ).status_code
        == 403
    )


def test_admin_creates_edits_and_filters_members(client, logged_in):
    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/admin/members/new",
        {
            "name": "Nigeria Customs Service",
            "country_code": "ng",
            "region": "WCA",
            "focal_point_name": "Kwame Mensah",
            "focal_point_email": "Focal@Customs.gov.ng",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    member = db.session.scalar(sa.select(MemberAdministration))
    assert (member.country_code, member.region, member.focal_point_email) == (
        "NG",
        Region.WCA,
        "focal@customs.gov.ng",
    )

    response = post_form(
        client,
        f"/admin/members/{member.id}/edit",
        {
            "name": "Nigeria Customs Service",
            "country_code": "NG",
            "region": "WCA",
            "focal_point_name": "",
            "focal_point_email": "",
        },
    )  # is_active unticked: retired, not deleted
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MemberAdministration, member.id).is_active is False
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "member.updated"))
    assert entry.before["is_active"] is True and entry.after["is_active"] is False

    html = client.get("/admin/members?region=WCA&status=inactive").get_data(as_text=True)
    assert "Nigeria Customs Service" in html
    html = client.get("/admin/members?region=EUROPE").get_data(as_text=True)
    assert "Nigeria Customs Service" not in html
    assert "No member administration matches" in html


def test_member_validation_messages(client, logged_in, make_member):
    logged_in(Role.ADMIN)
    make_member(name="Kenya Revenue Authority", country_code="KE")
    response = post_form(
        client,
        "/admin/members/new",
        {"name": "Another Kenya", "country_code": "KE", "region": "ESA"},
    )
    assert "already uses this country code" in response.get_data(as_text=True)
    response = post_form(
        client, "/admin/members/new", {"name": "Bad Code", "country_code": "K1", "region": "ESA"}
    )
    assert "two-letter ISO 3166" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberAdministration)) == 1


def test_country_code_constraint_holds_in_the_database(app):
    db.session.add(MemberAdministration(name="Lower", country_code="ke", region=Region.ESA))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("lower-case country code accepted by the database")
