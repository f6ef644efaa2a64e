"""Two-factor sign-in: TOTP codes (RFC 6238, pyotp) and single-use recovery codes.

Plain functions over a SQLAlchemy session; the caller commits. The TOTP secret is sealed
(Fernet, with a key derived from ``SECRET_KEY``) before it is stored and shown only while it
is being set up; recovery codes are kept as salted SHA-256 digests and shown once. A code is
accepted one step (30 s) either side of now, and never twice: the step of the last accepted
code is stored, and a code of that step or an earlier one is refused. Checking a code at
sign-in goes through the login throttle (``services.guard_attempt``), so wrong codes count
with wrong passwords, and the account's throttle lock makes two simultaneous uses of one
code wait for each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from lms.accounts import services
from lms.accounts.models import RecoveryCode, Role, TwoFactorCredential, User
from lms.accounts.passwords import verify_password
from lms.core.audit import record_change
from lms.core.errors import DomainError, ValidationError
from lms.core.i18n import _, in_language
from lms.core.model_base import utcnow
from lms.core.outbox import enqueue_email

ISSUER = "Capacity LMS"
RECOVERY_CODES = 10
# How long the half-signed-in state (right password, code not yet given) lasts.
PENDING_LIFETIME = timedelta(minutes=5)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_ROLES_REQUIRED = (Role.ADMIN, Role.DIRECTORATE)


class InvalidSecondFactor(DomainError):
    """A wrong code (or password) where a second-factor check was asked: it is recorded as a
    failed login, so the view commits it (``commit_refused``)."""

    status = 401
    title = "Login failed"


@dataclass(frozen=True)
class Checks:
    """What a code check needs from the request and the configuration."""

    ip_address: str
    policy: services.ThrottlePolicy
    secret_key: str


# Sealing the secret ------------------------------------------------------------------------


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lms two-factor secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str | None, secret_key: str) -> str | None:
    """The secret, or ``None`` when it cannot be read (``SECRET_KEY`` changed since): then only
    the recovery codes, or an administrator's reset, still work."""
    if not sealed:
        return None
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


# State -------------------------------------------------------------------------------------


def credential_of(session: Session, user: User) -> TwoFactorCredential | None:
    return session.get(TwoFactorCredential, user.id)


def is_enabled(session: Session, user: User) -> bool:
    record = credential_of(session, user)
    return record is not None and record.enabled_at is not None


def is_required(user: User, config: dict) -> bool:
    """``LMS_REQUIRE_2FA`` makes a second factor compulsory for administrators and directorate."""
    return bool(config.get("LMS_REQUIRE_2FA")) and user.has_role(*_ROLES_REQUIRED)


def enrolment_due(session: Session, user: User, config: dict) -> bool:
    return is_required(user, config) and not is_enabled(session, user)


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# Codes -------------------------------------------------------------------------------------


def _step(now: datetime) -> int:
    return int(now.timestamp()) // 30


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now, one before or one after) whose code ``code`` is, if any."""
    totp = pyotp.TOTP(secret)
    current = _step(now)
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * 30), code):
            found = step
    return found


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _hash_recovery(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _recovery_matches(stored: str, code: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(stored, _hash_recovery(code, salt))


def _use_totp(record: TwoFactorCredential, code: str, secret_key: str, now: datetime) -> bool:
    secret = unseal(record.secret, secret_key)
    step = _matching_step(secret, code, now) if secret else None
    if step is None or (record.last_step is not None and step <= record.last_step):
        return False
    record.last_step = step
    return True


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    for row in session.scalars(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ):
        if _recovery_matches(row.code_hash, code):
            row.used_at = now
            record_change(session, actor=user, action="user.recovery_code_used", entity=user)
            return True
    return False


def use_code(session: Session, user: User, code: str, *, secret_key: str, now: datetime) -> bool:
    """True when ``code`` is a current TOTP code not used before, or an unused recovery code
    (which is then used up)."""
    record = credential_of(session, user)
    if record is None or record.enabled_at is None:
        return False
    code = _clean(code)
    if _is_totp_code(code):
        return _use_totp(record, code, secret_key, now)
    return len(code) == 10 and _use_recovery_code(session, user, code, now)


def verify_second_step(
    session: Session, user: User, code: str, checks: Checks, *, now: datetime | None = None
) -> User:
    """The sign-in's second step, under the login throttle: a wrong code is a failed login
    of the account (and address), a right one its successful login."""
    now = now or utcnow()
    if not user.is_active:
        raise InvalidSecondFactor(_("Invalid email or password."))
    services.guard_attempt(session, user.email, checks.ip_address, checks.policy, now)
    ok = use_code(session, user, code, secret_key=checks.secret_key, now=now)
    services.record_attempt(session, user.email, checks.ip_address, succeeded=ok, now=now)
    if not ok:
        raise InvalidSecondFactor(
            _("That code is not valid (or was already used). Try the current one."),
            field="code",
        )
    return user


# Setting up, recovery codes, turning off ----------------------------------------------------


def begin_setup(session: Session, user: User, *, secret_key: str) -> str:
    """The secret being set up (a new one unless one is already waiting), in clear, to show."""
    record = credential_of(session, user)
    if record is None:
        record = TwoFactorCredential(user_id=user.id)
        session.add(record)
    if record.enabled_at is not None:
        raise ValidationError(_("Two-factor sign-in is already on for your account."))
    secret = unseal(record.pending_secret, secret_key)
    if secret is None:
        secret = pyotp.random_base32()
        record.pending_secret = seal(secret, secret_key)
    session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The otpauth:// address as an SVG QR code, drawn here (no script, no other site)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=4, light="#fff")
    return out.getvalue()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _i in range(10)) for _n in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def confirm_setup(
    session: Session, user: User, code: str, *, secret_key: str, now: datetime | None = None
) -> list[str]:
    """Turn two-factor sign-in on once a first code from the app matches the pending secret;
    returns the recovery codes, to be shown this once."""
    now = now or utcnow()
    record = credential_of(session, user)
    secret = unseal(record.pending_secret, secret_key) if record else None
    if secret is None or record.enabled_at is not None:
        raise ValidationError(_("Start the set-up again: no secret is waiting to be confirmed."))
    code = _clean(code)
    step = _matching_step(secret, code, now) if _is_totp_code(code) else None
    if step is None:
        raise ValidationError(
            _("That code does not match. Check the time on your phone and try the next code."),
            field="code",
        )
    record.secret, record.pending_secret = record.pending_secret, None
    record.enabled_at, record.last_step = now, step
    record_change(session, actor=user, action="user.two_factor_enabled", entity=user)
    return _new_recovery_codes(session, user)


def check_current(
    session: Session, user: User, code_or_password: str, checks: Checks, *, now: datetime
) -> None:
    """A change to the second factor needs the current password or a current code; a wrong
    one counts as a failed login (a stolen session cannot guess codes without limit)."""
    given = code_or_password or ""
    services.guard_attempt(session, user.email, checks.ip_address, checks.policy, now)
    if len(given) >= 12 and verify_password(user.password_hash, given):
        return
    if use_code(session, user, given, secret_key=checks.secret_key, now=now):
        return
    services.record_attempt(session, user.email, checks.ip_address, succeeded=False, now=now)
    raise InvalidSecondFactor(
        _("Give your current password or a current code from your app."), field="current"
    )


def regenerate_recovery_codes(
    session: Session, user: User, current: str, checks: Checks, *, now: datetime | None = None
) -> list[str]:
    now = now or utcnow()
    if not is_enabled(session, user):
        raise ValidationError(_("Two-factor sign-in is off for your account."))
    check_current(session, user, current, checks, now=now)
    record_change(session, actor=user, action="user.recovery_codes_regenerated", entity=user)
    return _new_recovery_codes(session, user)


def _remove(session: Session, user: User) -> None:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(sa.delete(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id))
    session.expire_all()


def disable(
    session: Session, user: User, current: str, checks: Checks, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    if not is_enabled(session, user):
        raise ValidationError(_("Two-factor sign-in is off for your account."))
    check_current(session, user, current, checks, now=now)
    _remove(session, user)
    record_change(session, actor=user, action="user.two_factor_disabled", entity=user)


def reset(session: Session, user: User, *, actor: User, reason: str) -> None:
    """An administrator clears a user's second factor (a lost phone), with the reason in the
    audit log; the user is told by email. Next login is by password alone, and one whose
    role requires a second factor sets a new one up at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the second factor is reset."), field="reason")
    if credential_of(session, user) is None and not remaining_recovery_codes(session, user):
        raise ValidationError(_("This account has no second factor to reset."))
    _remove(session, user)
    record_change(session, actor=actor, action="user.two_factor_reset", entity=user, summary=reason)
    with in_language(user.preferred_language):
        subject = _("Your two-factor sign-in was reset")
        body = _(
            "Hello %(name)s,\n\n%(actor)s has reset the two-factor sign-in of your Capacity "
            "LMS account. You can log in with your password alone now, and set up a new "
            "authenticator app on your profile page.\n\nIf you did not ask for this, tell "
            "an administrator at once.\n",
            name=user.full_name,
            actor=actor.full_name,
        )
    enqueue_email(session, user.email, subject, body)
