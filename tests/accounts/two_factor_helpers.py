"""Helpers for the two-factor tests: an RFC 6238 code computed here (not by the app's library),
a fixed clock, and enrolling a user through the services."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta

from flask import current_app

from lms.accounts import two_factor
from lms.accounts.models import User
from lms.core.extensions import db
from tests.conftest import post_form

# Five seconds into a 30-second step, so ±1 step around it is unambiguous.
T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def totp(secret: str, at: datetime) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), by hand."""
    key = base64.b32decode(secret.replace(" ", ""))
    counter = int(at.timestamp()) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol(user: User, at: datetime = T0) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for ``user`` as of ``at``; its secret and recovery codes.
    The code of ``at``'s step is used up by the confirmation."""
    key = current_app.config["SECRET_KEY"]
    secret = two_factor.begin_setup(db.session, user, secret_key=key)
    codes = two_factor.confirm_setup(db.session, user, totp(secret, at), secret_key=key, now=at)
    db.session.commit()
    return secret, codes


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def give_code(client, code: str):
    return post_form(client, "/auth/two-factor/verify", {"code": code})
