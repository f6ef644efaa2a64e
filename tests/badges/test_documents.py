"""Open Badges 2.0 hosted documents, the baked PNG, the 3.0 JWT-VC and its status list, read
back the way a verifier would: by following the URLs with the test client, with Pillow and
with an independent JOSE library (joserfc)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey
from PIL import Image

from lms.accounts.models import Role
from lms.badges import services
from lms.badges.models import BadgeAward
from lms.core.extensions import db
from lms.progress.services import corrections
from tests.badges.conftest import BASE, path_of
from tests.conftest import login

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
# Open Badges 3.0 names Ed25519 signatures "EdDSA" (RFC 8037); joserfc accepts it when asked.
EDDSA = ["EdDSA"]


def _json(client, url: str, status: int = 200) -> dict:
    response = client.get(path_of(url))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.get_data(as_text=True))


def _published_key(client) -> OKPKey:
    keys = client.get("/badges/issuer/jwks.json").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
    return OKPKey.import_key(keys[0])


def test_a_certificate_awards_one_badge(certified):
    award = certified.award
    assert award.user_id == certified.trainee.id
    assert award.track_id == certified.certificate.track_id
    assert award.issued_on == certified.certificate.issued_on
    assert services.award_badge(db.session, certified.certificate) is award
    assert db.session.query(BadgeAward).count() == 1
    assert services.award_missing_badges(db.session) == 0


def test_the_hosted_assertion_resolves_to_its_badge_class_and_issuer(client, certified, world):
    award = certified.award
    assertion = _json(client, f"{BASE}/badges/assertions/{award.uuid}")  # no login
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == f"{BASE}/badges/assertions/{award.uuid}"
    assert assertion["verification"] == {"type": "HostedBadge"}
    assert assertion["issuedOn"] == "2026-03-02T00:00:00Z"
    assert "revoked" not in assertion
    recipient = assertion["recipient"]
    expected = hashlib.sha256(("amina.diallo@example.org" + recipient["salt"]).encode()).hexdigest()
    assert recipient == {
        "type": "email",
        "hashed": True,
        "salt": award.salt,
        "identity": "sha256$" + expected,
    }
    assert "amina" not in json.dumps(assertion)  # the email travels only hashed

    badge = _json(client, assertion["badge"])
    assert badge["type"] == "BadgeClass"
    assert badge["id"] == assertion["badge"]
    assert badge["name"] == "Data specialists"
    assert badge["criteria"]["narrative"]
    image = client.get(path_of(badge["image"]))
    assert image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).size == (256, 256)

    issuer = _json(client, badge["issuer"])
    assert issuer["type"] == "Issuer"
    assert issuer["id"] == badge["issuer"]
    assert issuer["name"] == "Test Directorate"
    assert issuer["email"] == "badges@test.example.org"
    key = _json(client, issuer["publicKey"])
    assert key["type"] == "CryptographicKey" and key["owner"] == issuer["id"]
    pem = client.get("/badges/issuer/key.pem")
    assert pem.headers["Content-Disposition"].startswith("attachment")
    assert key["publicKeyPem"] == pem.get_data(as_text=True)
    assert pem.get_data(as_text=True).startswith("-----BEGIN PUBLIC KEY-----")
    revocations = _json(client, issuer["revocationList"])
    assert revocations["revokedAssertions"] == []

    evidence = client.get(path_of(assertion["evidence"]))
    assert evidence.status_code == 200
    assert certified.certificate.verification_code in evidence.get_data(as_text=True)


def test_the_baked_png_carries_the_assertion_and_the_credential(client, certified):
    award = certified.award
    response = client.get(f"/badges/assertions/{award.uuid}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.load()
    baked = json.loads(image.info["openbadges"])
    served = client.get(f"/badges/assertions/{award.uuid}").get_json(force=True)
    assert baked == served
    assert baked["image"] == f"{BASE}/badges/assertions/{award.uuid}/badge.png"
    token = image.info["openbadgecredential"]
    assert token == client.get(f"/badges/assertions/{award.uuid}/credential.jwt").get_data(
        as_text=True
    )
    download = client.get(f"/badges/assertions/{award.uuid}/badge.png?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")


def test_the_credential_is_a_jwt_vc_signed_by_the_published_key(client, certified):
    award = certified.award
    token = client.get(f"/badges/assertions/{award.uuid}/credential.jwt")
    assert token.mimetype == "application/vc+jwt"
    decoded = jwt.decode(token.get_data(as_text=True), _published_key(client), algorithms=EDDSA)
    header, vc = decoded.header, decoded.claims
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert vc["@context"] == [VC2, OB3]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == vc["jti"] == f"{BASE}/badges/assertions/{award.uuid}/credential.jwt"
    assert vc["iss"] == vc["issuer"]["id"] == f"{BASE}/badges/issuer/v3"
    assert vc["issuer"]["type"] == ["Profile"] and vc["issuer"]["name"] == "Test Directorate"
    assert vc["validFrom"] == "2026-03-02T00:00:00Z"
    subject = vc["credentialSubject"]
    assert vc["sub"] == subject["id"] == f"urn:uuid:{award.uuid}"
    assert subject["type"] == ["AchievementSubject"]
    digest = hashlib.sha256(("amina.diallo@example.org" + award.salt).encode()).hexdigest()
    assert subject["identifier"][0]["identityHash"] == "sha256$" + digest
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Data specialists"
    assert achievement["id"] == f"{BASE}/badges/classes/{award.track_id}"
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{BASE}/badges/status/0"

    # The issuer's 3.0 profile publishes the key that checks it, under the token's kid.
    profile = _json(client, vc["issuer"]["id"])
    assert profile["@context"] == [VC2, OB3]
    method = next(m for m in profile["verificationMethod"] if m["id"] == header["kid"])
    assert method["publicKeyJwk"] == client.get("/badges/issuer/jwks.json").get_json()["keys"][0]


def _status_bit(client, url: str, index: int) -> bool:
    token = client.get(path_of(url))
    assert token.status_code == 200 and token.mimetype == "application/vc+jwt"
    claims = jwt.decode(
        token.get_data(as_text=True), _published_key(client), algorithms=EDDSA
    ).claims
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["issuer"] == f"{BASE}/badges/issuer/v3"
    encoded = claims["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    padded = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    bits = gzip.decompress(base64.urlsafe_b64decode(padded))
    assert len(bits) * 8 >= 131_072
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_revoking_the_certificate_revokes_the_badge(client, certified, world):
    award = certified.award
    vc = jwt.decode(
        client.get(f"/badges/assertions/{award.uuid}/credential.jwt").get_data(as_text=True),
        _published_key(client),
        algorithms=EDDSA,
    ).claims
    status = vc["credentialStatus"]
    index = int(status["statusListIndex"])
    assert _status_bit(client, status["statusListCredential"], index) is False

    corrections.revoke_certificate(
        db.session, certified.certificate, actor=world.manager, reason="Result corrected"
    )
    db.session.commit()

    assertion = _json(client, f"{BASE}/badges/assertions/{award.uuid}", status=410)
    assert assertion["revoked"] is True
    assert assertion["revocationReason"] == "Result corrected"
    revocations = _json(client, f"{BASE}/badges/issuer/revocations")
    assert revocations["revokedAssertions"] == [
        {"id": assertion["id"], "revocationReason": "Result corrected"}
    ]
    assert _status_bit(client, status["statusListCredential"], index) is True
    page = client.get(f"/badges/assertions/{award.uuid}", headers={"Accept": "text/html"})
    assert "revoked: Result corrected" in page.get_data(as_text=True)


def test_the_public_page_is_readable_and_my_badges_needs_a_login(app, client, certified, make_user):
    award = certified.award
    page = client.get(f"/badges/assertions/{award.uuid}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Amina Diallo" in html and "This badge is valid." in html
    assert client.get("/badges/assertions/not-a-uuid").status_code == 404
    assert (
        client.get("/badges/assertions/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12).status_code
        == 404
    )

    response = client.get("/badges/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    other = make_user(Role.TRAINEE)
    login(client, other)
    assert award.uuid not in client.get("/badges/").get_data(as_text=True)
    holder = app.test_client()
    login(holder, certified.trainee)
    mine = holder.get("/badges/").get_data(as_text=True)
    assert f"/badges/assertions/{award.uuid}/badge.png?download=1" in mine
    assert f"/badges/assertions/{award.uuid}/credential.jwt?download=1" in mine
    profile = holder.get("/auth/profile").get_data(as_text=True)
    assert 'href="/badges/"' in profile


def test_staff_see_the_badges_in_the_trainees_record(app, client, certified, world, make_user):
    login(client, world.manager)  # directorate staff read every record
    html = client.get(f"/trainees/{certified.trainee.id}").get_data(as_text=True)
    assert 'data-testid="badges"' in html
    assert f'href="/badges/assertions/{certified.award.uuid}"' in html
    assert "awarded on 2026-03-02" in html
    other = make_user(Role.TRAINEE)
    html = client.get(f"/trainees/{other.id}").get_data(as_text=True)
    assert "No badge yet." in html and 'data-testid="badges"' not in html


def test_the_key_is_made_once_private_to_its_owner(app, client, certified):
    path = app.config["LMS_BADGE_KEY_FILE"]
    first = client.get("/badges/issuer/key.pem").data
    assert os.path.exists(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"PRIVATE KEY" in Path(path).read_bytes()
    assert client.get("/badges/issuer/key.pem").data == first
