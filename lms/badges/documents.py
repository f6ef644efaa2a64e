"""The Open Badges documents, built from an award and the track it is for.

- Open Badges 2.0, hosted verification: the Issuer profile, the BadgeClass (one per track),
  the Assertion (recipient = salted SHA-256 of the email), the CryptographicKey and the
  RevocationList.
- Open Badges 3.0: an OpenBadgeCredential (W3C VC data model 2.0) as a native JWT-VC signed
  with the issuer's Ed25519 key (EdDSA), its status in a Bitstring Status List credential
  (signed the same way), and the issuer's 3.0 profile carrying its public key as a JWK.

Every id is an address on ``LMS_BASE_URL`` (``lms.core.base_url.public_url``), so what a
verifier follows resolves wherever the document travelled.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from lms.badges import images, keys, services
from lms.badges.models import BadgeAward
from lms.core.base_url import public_url
from lms.frameworks.models import Track

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
STATUS_LIST_VALIDITY = timedelta(days=1)  # a served list is fresh for a day (replay bound)


def signing_key():
    return keys.private_key(current_app.config["LMS_BADGE_KEY_FILE"])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_hash(email: str, salt: str) -> str:
    """OB 2.0's hashed recipient: ``sha256$`` and the hex SHA-256 of email + salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def _issuer_name() -> str:
    return current_app.config["LMS_BADGE_ISSUER_NAME"]


def _issuer_email() -> str:
    return current_app.config["LMS_BADGE_ISSUER_EMAIL"]


def _site() -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/"


def _description(track: Track) -> str:
    return track.description.strip() or f"Completed the {track.name} track."


def _criteria(track: Track) -> str:
    return (
        f"Completed every required course of the {track.name} track and reached its target "
        "level in each competency it covers, as recorded by the trainers and assessors; a "
        "certificate was issued."
    )


# ── Open Badges 2.0 ───────────────────────────────────────────────────────────────────────


def issuer_v2() -> dict:
    key = signing_key()
    return {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": public_url("badges.issuer"),
        "name": _issuer_name(),
        "url": _site(),
        "email": _issuer_email(),
        "publicKey": public_url("badges.issuer_key"),
        "revocationList": public_url("badges.revocations"),
        # Not part of 2.0: the same key as a JWK, for the 3.0 credentials.
        "publicKeyJwk": keys.public_jwk(key),
    }


def cryptographic_key() -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": public_url("badges.issuer_key"),
        "owner": public_url("badges.issuer"),
        "publicKeyPem": keys.public_pem(signing_key()),
    }


def badge_class(track: Track) -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": public_url("badges.badge_class", track_id=track.id),
        "name": track.name,
        "description": _description(track),
        "image": public_url("badges.class_image", track_id=track.id),
        "criteria": {"narrative": _criteria(track)},
        "issuer": public_url("badges.issuer"),
        "tags": [track.code],
    }


def assertion(award: BadgeAward) -> dict:
    document = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": public_url("badges.assertion", uuid=award.uuid),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": award.salt,
            "identity": identity_hash(award.user.email, award.salt),
        },
        "badge": public_url("badges.badge_class", track_id=award.track_id),
        "verification": {"type": "HostedBadge"},
        "issuedOn": _iso(_midnight(award.issued_on)),
        "image": public_url("badges.baked", uuid=award.uuid),
        "evidence": public_url("reports.verify", code=award.certificate.verification_code),
    }
    if award.expires_on is not None:
        # Good through its last day, as the certificate is.
        document["expires"] = _iso(_midnight(award.expires_on + timedelta(days=1)))
    if award.revoked:
        document["revoked"] = True
        document["revocationReason"] = award.revocation_reason
    return document


def revocation_list(session: Session) -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": public_url("badges.revocations"),
        "issuer": public_url("badges.issuer"),
        "revokedAssertions": [
            {
                "id": public_url("badges.assertion", uuid=award.uuid),
                "revocationReason": award.revocation_reason,
            }
            for award in services.revoked_awards(session)
        ],
    }


# ── Open Badges 3.0 ───────────────────────────────────────────────────────────────────────


def issuer_id_v3() -> str:
    return public_url("badges.issuer_v3")


def key_id() -> str:
    return f"{issuer_id_v3()}#{keys.thumbprint(signing_key())}"


def _profile_v3(with_key: bool = False) -> dict:
    profile = {
        "id": issuer_id_v3(),
        "type": ["Profile"],
        "name": _issuer_name(),
        "url": _site(),
        "email": _issuer_email(),
    }
    if with_key:
        jwk = keys.public_jwk(signing_key())
        profile["verificationMethod"] = [
            {
                "id": key_id(),
                "type": "JsonWebKey",
                "controller": issuer_id_v3(),
                "publicKeyJwk": jwk,
            }
        ]
        profile["publicKeyJwk"] = jwk
        profile["jwks_uri"] = public_url("badges.jwks")
    return profile


def issuer_v3() -> dict:
    """The issuer's 3.0 Profile, with its public key (a JWK) to check the credentials."""
    return {"@context": [VC2_CONTEXT, OB3_CONTEXT], **_profile_v3(with_key=True)}


def achievement(track: Track) -> dict:
    return {
        "id": public_url("badges.badge_class", track_id=track.id),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": track.name,
        "description": _description(track),
        "criteria": {"narrative": _criteria(track)},
        "image": {"id": public_url("badges.class_image", track_id=track.id), "type": "Image"},
        "tag": [track.code],
    }


def subject_id(award: BadgeAward) -> str:
    """The credential subject's id: the award's own URN. The email travels only hashed (in
    ``identifier``), as in the 2.0 assertion."""
    return f"urn:uuid:{award.uuid}"


def credential_v3(award: BadgeAward) -> dict:
    """The OpenBadgeCredential, as the JWT-VC's payload (OB 3.0 §8.2: the payload is the
    credential, with the registered claims iss, sub, jti, nbf and exp beside it)."""
    list_number, bit = divmod(award.status_index, services.LIST_SIZE)
    status_url = public_url("badges.status_list", number=list_number)
    valid_from = _midnight(award.issued_on)
    credential_id = public_url("badges.credential", uuid=award.uuid)
    body: dict = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award.track.name,
        "issuer": _profile_v3(),
        "validFrom": _iso(valid_from),
        "credentialSubject": {
            "id": subject_id(award),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash(award.user.email, award.salt),
                    "salt": award.salt,
                }
            ],
            "achievement": achievement(award.track),
        },
        "evidence": [
            {
                "id": public_url("reports.verify", code=award.certificate.verification_code),
                "type": ["Evidence"],
                "name": "Certificate",
            }
        ],
        "credentialStatus": {
            "id": f"{status_url}#{bit}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(bit),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": OB3_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    claims = {
        "iss": issuer_id_v3(),
        "sub": subject_id(award),
        "jti": credential_id,
        "nbf": int(valid_from.timestamp()),
        "iat": int(valid_from.timestamp()),
    }
    if award.expires_on is not None:
        valid_until = _midnight(award.expires_on + timedelta(days=1))
        body["validUntil"] = _iso(valid_until)
        claims["exp"] = int(valid_until.timestamp())
    return {**body, **claims}


def credential_jwt(award: BadgeAward) -> str:
    return keys.sign_jwt(signing_key(), credential_v3(award), kid=key_id())


def encoded_list(positions: list[int]) -> str:
    """Bitstring Status List's ``encodedList``: ``u`` (multibase base64url) and the GZIP of
    the bitstring, bit 0 the high bit of the first byte."""
    bits = bytearray(services.LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + keys.b64url(gzip.compress(bytes(bits), mtime=0))


def status_list(session: Session, number: int, *, now: datetime) -> dict:
    url = public_url("badges.status_list", number=number)
    valid_until = now + STATUS_LIST_VALIDITY
    return {
        "@context": [VC2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id_v3(),
        "validFrom": _iso(now),
        "validUntil": _iso(valid_until),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(services.revoked_indices(session, number)),
        },
        "iss": issuer_id_v3(),
        "jti": url,
        "nbf": int(now.timestamp()),
        "iat": int(now.timestamp()),
        "exp": int(valid_until.timestamp()),
    }


def status_list_jwt(session: Session, number: int, *, now: datetime) -> str:
    return keys.sign_jwt(signing_key(), status_list(session, number, now=now), kid=key_id())


# ── The baked image ───────────────────────────────────────────────────────────────────────


def baked_png(award: BadgeAward) -> bytes:
    """The badge image carrying the 2.0 assertion (``openbadges``, its JSON) and the 3.0
    credential (``openbadgecredential``, the JWT-VC)."""
    import json

    return images.bake(
        images.badge_png(award.track.code),
        {
            "openbadges": json.dumps(assertion(award), ensure_ascii=False),
            "openbadgecredential": credential_jwt(award),
        },
    )
