"""The independent verifier: openbadgeslib (PyPI), in its own virtual environment, run as a
separate process. Its ``openbadges-verifier`` CLI checks the Open Badges 3.0 JWT-VC baked in
the PNG against the issuer's published PEM key; its library (``openbadgeslib_check.py``,
run by the venv's Python) checks revocation through the status list (whose own signature
it verifies) and the Open Badges 2.0 hosted assertion baked beside it."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from lms.core.extensions import db
from lms.progress.services import corrections
from tests.badges.conftest import BASE, path_of

CHECK = Path(__file__).with_name("openbadgeslib_check.py")


def _cli(venv: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [str(venv / "bin" / "openbadges-verifier"), "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def _files(client, tmp_path, award) -> tuple[Path, Path]:
    png = tmp_path / "badge.png"
    png.write_bytes(client.get(f"/badges/assertions/{award.uuid}/badge.png").data)
    pem = tmp_path / "issuer.pem"
    pem.write_bytes(client.get("/badges/issuer/key.pem").data)
    return png, pem


def test_the_3_0_credential_passes_openbadges_verifier(client, certified, verifier_venv, tmp_path):
    award = certified.award
    png, pem = _files(client, tmp_path, award)
    recipient = f"urn:uuid:{award.uuid}"
    code, verdict = _cli(verifier_venv, "-V", "3", "-i", str(png), "-r", recipient, "-k", str(pem))
    assert code == 0, verdict
    assert verdict["valid"] is True and verdict["trusted"] is True
    assert verdict["proof_format"] == "vc-jwt"
    assert verdict["issuer"] == "Test Directorate"
    assert verdict["achievement"] == "Data specialists"

    # Another key, or another recipient, is refused.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, verdict = _cli(
        verifier_venv, "-V", "3", "-i", str(png), "-r", recipient, "-k", str(stranger)
    )
    assert code == 1 and "signature" in verdict["reason"].lower()
    code, verdict = _cli(
        verifier_venv, "-V", "3", "-i", str(png), "-r", "urn:uuid:other", "-k", str(pem)
    )
    assert code == 1 and "mismatch" in verdict["reason"].lower()


def _served(client, *urls: str) -> dict[str, str]:
    documents = {}
    for url in urls:
        response = client.get(path_of(url))
        assert response.status_code in (200, 410), url
        documents[url] = response.get_data(as_text=True)
    return documents


def _library(venv: Path, job: dict) -> dict:
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(CHECK)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _jobs(client, award, recipient_email: str) -> tuple[dict, dict]:
    png = client.get(f"/badges/assertions/{award.uuid}/badge.png").data
    pem = client.get("/badges/issuer/key.pem").get_data(as_text=True)
    status_url = f"{BASE}/badges/status/0"
    ob3 = {
        "mode": "ob3-status",
        "png": base64.b64encode(png).decode(),
        "pubkey": pem,
        "recipient": f"urn:uuid:{award.uuid}",
        "documents": _served(client, status_url),
    }
    ob2 = {
        "mode": "ob2-hosted",
        "png": base64.b64encode(png).decode(),
        "recipient": recipient_email,
        "documents": _served(
            client,
            f"{BASE}/badges/assertions/{award.uuid}",
            f"{BASE}/badges/classes/{award.track_id}",
            f"{BASE}/badges/issuer",
            f"{BASE}/badges/issuer/revocations",
        ),
    }
    return ob3, ob2


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_openbadgeslib_sees_the_revocation_in_both_versions(
    client, certified, world, verifier_venv
):
    award = certified.award
    ob3, ob2 = _jobs(client, award, "amina.diallo@example.org")
    assert _library(verifier_venv, ob3) == {"ok": True, "reason": "Data specialists"}
    assert _library(verifier_venv, ob2) == {
        "ok": True,
        "reason": f"{BASE}/badges/classes/{award.track_id}",
    }
    wrong_person = dict(ob2, recipient="someone.else@example.org")
    assert "Recipient mismatch" in _library(verifier_venv, wrong_person)["reason"]

    corrections.revoke_certificate(
        db.session, certified.certificate, actor=world.manager, reason="Result corrected"
    )
    db.session.commit()

    ob3, ob2 = _jobs(client, award, "amina.diallo@example.org")
    verdict = _library(verifier_venv, ob3)
    assert verdict["ok"] is False
    assert "Credential status 'revocation' is set" in verdict["reason"]
    verdict = _library(verifier_venv, ob2)
    assert verdict["ok"] is False
    assert "has been revoked: Result corrected" in verdict["reason"]
