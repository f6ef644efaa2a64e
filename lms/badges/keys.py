"""The issuer's signing key: an Ed25519 private key in a PEM file (``LMS_BADGE_KEY_FILE``),
made on first use when the file is missing (mode 0600, never in the repository). Its public
half is published as a PEM file, a JWK and a JWK set; JWTs are signed with EdDSA."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from threading import Lock

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_cache: dict[str, Ed25519PrivateKey] = {}
_lock = Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:  # O_EXCL: two processes starting together keep the first key made
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def private_key(path: str | os.PathLike) -> Ed25519PrivateKey:
    """The key in ``path`` (made there first when the file is missing)."""
    key_path = Path(path)
    with _lock:
        cached = _cache.get(str(key_path))
        if cached is not None:
            return cached
        if not key_path.exists():
            _create(key_path)
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{key_path} does not hold an Ed25519 private key")
        _cache[str(key_path)] = key
        return key


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def _x(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url(raw)


def thumbprint(key: Ed25519PrivateKey) -> str:
    """RFC 7638 JWK thumbprint: the key's stable id."""
    members = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _x(key)}, separators=(",", ":"), sort_keys=True
    )
    return b64url(hashlib.sha256(members.encode("ascii")).digest())


def public_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _x(key),
        "kid": thumbprint(key),
        "alg": "EdDSA",
        "use": "sig",
    }


def sign_jwt(key: Ed25519PrivateKey, payload: dict, *, kid: str) -> str:
    """A compact JWS (EdDSA) of ``payload``, with ``typ`` JWT and ``kid`` in its header."""
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for part in (header, payload)
    )
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
