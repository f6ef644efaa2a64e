"""``/api/v1/badges``: one's own awards, or a trainee's in the caller's remit (the
certificates' rule), each with the addresses of its public documents."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress import services as progress
from tests.api.conftest import assert_problem
from tests.badges.conftest import BASE
from tests.courses.fixtures import TODAY


def test_a_trainee_lists_her_own_badges_only(client, certified, make_user, make_token, world):
    award = certified.award
    as_her = make_token(certified.trainee)
    listed = client.get("/api/v1/badges", headers=as_her)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert item["id"] == award.id and item["uuid"] == award.uuid
    assert item["recipient_email"] == "amina.diallo@example.org"
    assert item["baked_url"] == f"{BASE}/badges/assertions/{award.uuid}/badge.png"
    assert item["assertion_url"] == f"{BASE}/badges/assertions/{award.uuid}"
    assert item["credential_url"] == f"{BASE}/badges/assertions/{award.uuid}/credential.jwt"
    assert item["issuer_key_url"] == f"{BASE}/badges/issuer/key.pem"
    assert item["revoked"] is False and item["name"] == "Data specialists"
    assert client.get(f"/api/v1/badges/{award.id}", headers=as_her).get_json() == item

    other = make_user(Role.TRAINEE)
    progress.issue_certificate(db.session, other, world.specialists, today=TODAY, actor=None)
    db.session.commit()
    as_other = make_token(other)
    mine = client.get("/api/v1/badges", headers=as_other).get_json()
    assert [i["user_id"] for i in mine["items"]] == [other.id]
    assert_problem(
        client.get(f"/api/v1/badges?user_id={certified.trainee.id}", headers=as_other), 403
    )
    assert_problem(client.get(f"/api/v1/badges/{award.id}", headers=as_other), 403)
    assert_problem(client.get("/api/v1/badges/999999", headers=as_other), 404)
    assert client.get("/api/v1/badges").status_code == 401

    admin = make_token(make_user(Role.ADMIN))
    everyone = client.get("/api/v1/badges", headers=admin).get_json()
    assert everyone["total"] == 2
    hers = client.get(f"/api/v1/badges?user_id={certified.trainee.id}", headers=admin)
    assert [i["id"] for i in hers.get_json()["items"]] == [award.id]
