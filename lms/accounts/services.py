"""Business rules for accounts: authentication with throttling, users, roles, member
administrations, invitations and password resets.

Plain functions over a SQLAlchemy session; the caller (view, CLI, job) commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from lms.accounts.history import history_reason
from lms.accounts.models import (
    LoginAttempt,
    MemberAdministration,
    PasswordResetRequest,
    Role,
    Sex,
    TokenPurpose,
    TwoFactorCredential,
    User,
    UserRole,
    UserToken,
)
from lms.accounts.passwords import hash_password, needs_rehash, policy_errors, verify_password
from lms.accounts.throttle import lock_keys, oldest_counted, throttle_keys
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, DomainError, ValidationError
from lms.core.i18n import _, in_language
from lms.core.model_base import utcnow
from lms.core.outbox import enqueue_email

# The interface languages a user may prefer (the CHECK on ``users.preferred_language``).
LANGUAGES = ("en", "fr")
FULL_NAME_MAX = User.__table__.c.full_name.type.length

USER_FIELDS = (
    "email",
    "full_name",
    "member_administration_id",
    "preferred_language",
    "sex",
    "is_active",
    "roles",
)
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


class InvalidCredentials(DomainError):
    status = 401
    title = "Login failed"


class LoginThrottled(DomainError):
    status = 429
    title = "Too many attempts"


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: dict) -> ThrottlePolicy:
        return cls(
            max_failures=config["LMS_LOGIN_MAX_FAILURES"],
            max_failures_per_address=config["LMS_LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window=timedelta(minutes=config["LMS_LOGIN_WINDOW_MINUTES"]),
        )

    @classmethod
    def for_resets(cls, config: dict) -> ThrottlePolicy:
        """Password-reset requests: ``max_failures`` per account, ``…_per_address`` per
        address, within ``LMS_RESET_WINDOW_MINUTES``."""
        return cls(
            max_failures=config["LMS_RESET_MAX_REQUESTS"],
            max_failures_per_address=config["LMS_RESET_MAX_REQUESTS_PER_ADDRESS"],
            window=timedelta(minutes=config["LMS_RESET_WINDOW_MINUTES"]),
        )


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def checked_email(email: str) -> str:
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(
            _("Enter a valid email address (%(exc)s).", exc=exc), field="email"
        ) from exc
    return email


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# Authentication --------------------------------------------------------------------------


def _throttled_until(
    session: Session, email: str, ip_address: str, now: datetime, policy: ThrottlePolicy
) -> datetime | None:
    since = now - policy.window
    last_success = session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.at > since
        )
    )
    counted_from = max(since, last_success) if last_success else since
    by_email = session.scalars(
        sa.select(LoginAttempt.at)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > counted_from,
        )
        .order_by(LoginAttempt.at.desc())
        .limit(policy.max_failures)
    ).all()
    if len(by_email) >= policy.max_failures:
        return by_email[-1] + policy.window
    by_address = session.scalars(
        sa.select(LoginAttempt.at)
        .where(
            LoginAttempt.ip_address == ip_address,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
        .order_by(LoginAttempt.at.desc())
        .limit(policy.max_failures_per_address)
    ).all()
    if len(by_address) >= policy.max_failures_per_address:
        return by_address[-1] + policy.window
    return None


class SecondFactorRequired(DomainError):
    """The password is right, and the account has a second factor: the caller asks for a
    code (``two_factor.verify_second_step``) before the user is signed in. Nothing is
    recorded yet, so a right password alone never clears the account's failed attempts."""

    status = 401
    title = "Second factor required"

    def __init__(self, user: User) -> None:
        super().__init__(_("Enter the code from your authenticator app."))
        self.user = user


def guard_attempt(
    session: Session, email: str, ip_address: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """Lock the account's and the address's throttle rows (until the caller commits) and
    refuse the attempt when either has too many recent failures."""
    lock_keys(session, throttle_keys("login", email, ip_address), now)
    until = _throttled_until(session, email, ip_address, now, policy)
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise LoginThrottled(
            _(
                "Too many failed login attempts. Try again in %(minutes)s minute(s), "
                "or reset your password.",
                minutes=minutes,
            )
        )


def record_attempt(
    session: Session, email: str, ip_address: str, *, succeeded: bool, now: datetime
) -> None:
    session.add(
        LoginAttempt(at=now, email=email[:254], ip_address=ip_address[:64], succeeded=succeeded)
    )


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    ip_address: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> User:
    """Check a login. Every verdict is recorded, so throttling holds across workers.

    Throttled attempts are refused before the password is checked and are not counted, so an
    attacker cannot keep an account locked for ever by hammering it. The account's and the
    address's throttle rows are locked first (``throttle.lock_keys``) and stay locked until the
    caller commits the verdict, so simultaneous attempts are counted one after the other.
    A user with a second factor gets ``SecondFactorRequired`` instead of a signed-in user.
    """
    now = now or utcnow()
    email = normalise_email(email)
    guard_attempt(session, email, ip_address, policy, now)
    user = get_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    if not ok:
        record_attempt(session, email, ip_address, succeeded=False, now=now)
        raise InvalidCredentials(_("Invalid email or password."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if session.scalar(
        sa.select(TwoFactorCredential.enabled_at).where(TwoFactorCredential.user_id == user.id)
    ):
        raise SecondFactorRequired(user)
    record_attempt(session, email, ip_address, succeeded=True, now=now)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    errors = policy_errors(password, email=user.email, full_name=user.full_name)
    if errors:
        raise ValidationError(" ".join(errors), field="password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationError(_("Your current password is not correct."), field="current_password")
    set_password(session, user, new)
    record_change(session, actor=user, action="user.password_changed", entity=user)


# Tokens: invitations and password resets ---------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """A new single-use token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    session.execute(
        sa.update(UserToken)
        .where(
            UserToken.user_id == user.id, UserToken.purpose == purpose, UserToken.used_at.is_(None)
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(token),
            expires_at=now + lifetime,
        )
    )
    return token


def find_valid_token(session: Session, token: str) -> UserToken | None:
    record = session.scalar(sa.select(UserToken).where(UserToken.token_hash == _token_hash(token)))
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    if not record.user.is_active:
        return None
    return record


def redeem_token(session: Session, token: str, password: str) -> User:
    record = find_valid_token(session, token)
    if record is None:
        raise ValidationError(
            _("This link is invalid, already used or expired. Ask for a new one.")
        )
    user = record.user
    set_password(session, user, password)
    record.used_at = utcnow()
    record_change(session, actor=user, action=f"user.{record.purpose.value}_redeemed", entity=user)
    return user


def send_invitation(
    session: Session,
    user: User,
    *,
    actor: User,
    link_for: Callable[[str], str],
    lifetime: timedelta,
) -> None:
    token = issue_token(session, user, TokenPurpose.INVITATION, lifetime)
    days = max(1, lifetime.days)
    with in_language(user.preferred_language):  # the recipient's language, not the admin's
        subject = _("Your Capacity LMS account")
        body = _(
            "Hello %(name)s,\n\n%(actor)s has created an account for you on Capacity LMS.\n"
            "Choose your password here (the link works once, for %(days)s days):\n\n"
            "%(link)s\n",
            name=user.full_name,
            actor=actor.full_name,
            days=days,
            link=link_for(token),
        )
    enqueue_email(session, user.email, subject, body)
    record_change(session, actor=actor, action="user.invited", entity=user)


class ResetThrottled(DomainError):
    status = 429
    title = "Too many requests"


def request_password_reset(
    session: Session,
    email: str,
    *,
    ip_address: str,
    policy: ThrottlePolicy,
    link_for: Callable[[str], str],
    lifetime: timedelta,
    now: datetime | None = None,
) -> None:
    """Queue a reset link if the account exists; say nothing either way (no account probing).

    Requests are counted per address typed (an account or not) and per client address, under
    the same locks as logins (``throttle.lock_keys``), and refused beyond ``policy`` the same
    way whether the account exists. The email only waits in the outbox (the scheduler's
    ``outbox.deliver`` sends it), so nothing slower happens for a real account."""
    now = now or utcnow()
    email = normalise_email(email)
    lock_keys(session, throttle_keys("reset", email, ip_address), now)
    since = now - policy.window
    for column, value, limit in (
        (PasswordResetRequest.email, email, policy.max_failures),
        (PasswordResetRequest.ip_address, ip_address, policy.max_failures_per_address),
    ):
        recent = sa.select(PasswordResetRequest.at).where(
            column == value, PasswordResetRequest.at > since
        )
        oldest = oldest_counted(session, recent, PasswordResetRequest.at, limit)
        if oldest is not None:
            minutes = max(1, int((oldest + policy.window - now).total_seconds() // 60) + 1)
            raise ResetThrottled(
                _(
                    "Too many password-reset requests. Try again in %(minutes)s minute(s).",
                    minutes=minutes,
                )
            )
    session.add(PasswordResetRequest(at=now, email=email[:254], ip_address=ip_address[:64]))
    user = get_user_by_email(session, email)
    if user is None or not user.is_active:
        return
    token = issue_token(session, user, TokenPurpose.PASSWORD_RESET, lifetime)
    hours = max(1, int(lifetime.total_seconds() // 3600))
    with in_language(user.preferred_language):
        subject = _("Reset your Capacity LMS password")
        body = _(
            "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your password.\n"
            "Choose a new one here (the link works once, for %(hours)s hour(s)):\n\n"
            "%(link)s\n\nIf it was not you, ignore this message.\n",
            name=user.full_name,
            hours=hours,
            link=link_for(token),
        )
    enqueue_email(session, user.email, subject, body)


# Users -------------------------------------------------------------------------------------


def _user_snapshot(user: User) -> dict:
    return snapshot(user, USER_FIELDS)


def checked_full_name(full_name: str | None) -> str:
    """The name as stored: stripped, not empty, within the column."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError(_("Enter the person's full name."), field="full_name")
    if len(full_name) > FULL_NAME_MAX:
        raise ValidationError(
            _("The full name is too long (at most %(max)s characters).", max=FULL_NAME_MAX),
            field="full_name",
        )
    return full_name


def checked_roles(roles: Iterable[Role | str]) -> set[Role]:
    """At least one role, each one of ``Role`` (by its value: "trainee", "trainer"...)."""
    role_set: set[Role] = set()
    for value in roles:
        try:
            role_set.add(Role(value))
        except ValueError:
            raise ValidationError(
                _(
                    "Unknown role “%(role)s” (the roles are: %(known)s).",
                    role=value,
                    known=", ".join(r.value for r in Role),
                ),
                field="roles",
            ) from None
    if not role_set:
        raise ValidationError(_("Give the user at least one role."), field="roles")
    return role_set


def checked_language(value: str | None) -> str:
    """One of the languages the interface speaks ("en" or "fr")."""
    if value not in LANGUAGES:
        raise ValidationError(
            _(
                "Unknown language “%(language)s” (use %(known)s).",
                language=value,
                known=", ".join(LANGUAGES),
            ),
            field="preferred_language",
        )
    return value


def _checked_sex(value: Sex | str | None) -> Sex | None:
    """The sex as stored: None (not recorded) for an empty value, else one of ``Sex``."""
    if value is None or value == "":
        return None
    try:
        return Sex(value)
    except ValueError:
        raise ValidationError(_("Unknown value for sex."), field="sex") from None


def _check_member(session: Session, member_id: int | None) -> None:
    if member_id is not None and session.get(MemberAdministration, member_id) is None:
        raise ValidationError(_("Unknown member administration."), field="member_administration_id")


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    full_name: str,
    roles: Iterable[Role | str],
    member_administration_id: int | None = None,
    preferred_language: str = "en",
    sex: Sex | str | None = None,
    password: str | None = None,
    check_policy: bool = True,
) -> User:
    email = checked_email(email)
    full_name = checked_full_name(full_name)
    if get_user_by_email(session, email) is not None:
        raise ConflictError(
            _("A user with the email %(email)s already exists.", email=email), field="email"
        )
    _check_member(session, member_administration_id)
    role_set = checked_roles(roles)
    preferred_language = checked_language(preferred_language)
    user = User(
        email=email,
        full_name=full_name,
        member_administration_id=member_administration_id,
        preferred_language=preferred_language,
        sex=_checked_sex(sex),
        role_links=[UserRole(role=r) for r in sorted(role_set)],
    )
    session.add(user)
    if password is not None:
        if check_policy:
            set_password(session, user, password)
        else:
            user.password_hash = hash_password(password)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="user.created",
        entity=user,
        after=_user_snapshot(user),
        summary=email,
    )
    return user


def update_user(
    session: Session,
    user: User,
    *,
    actor: User,
    email: str,
    full_name: str,
    roles: Iterable[Role | str],
    member_administration_id: int | None,
    preferred_language: str,
    sex: Sex | str | None = None,
) -> User:
    email = checked_email(email)
    other = get_user_by_email(session, email)
    if other is not None and other.id != user.id:
        raise ConflictError(
            _("A user with the email %(email)s already exists.", email=email), field="email"
        )
    full_name = checked_full_name(full_name)
    _check_member(session, member_administration_id)
    role_set = checked_roles(roles)
    preferred_language = checked_language(preferred_language)
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in role_set:
        raise ValidationError(_("You cannot remove your own administrator role."), field="roles")
    with audited(
        session, user, USER_FIELDS, actor=actor, action="user.updated", summary=lambda: user.email
    ):
        user.email = email
        user.full_name = full_name
        user.member_administration_id = member_administration_id
        user.preferred_language = preferred_language
        user.sex = _checked_sex(sex)
        current = user.roles
        for link in list(user.role_links):
            if link.role not in role_set:
                user.role_links.remove(link)
        for role in sorted(role_set - current):
            user.role_links.append(UserRole(role=role))
        session.flush()
    return user


def deactivate_user(session: Session, user: User, *, actor: User) -> None:
    """Deactivation keeps the record and its history and ends every open session at once."""
    from lms.accounts.sessions import end_all_sessions

    if user.id == actor.id:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not user.is_active:
        return
    with audited(
        session, user, USER_FIELDS, actor=actor, action="user.deactivated", summary=user.email
    ):
        user.is_active = False
        user.deactivated_at = utcnow()
        end_all_sessions(session, user, "deactivated")


def reactivate_user(session: Session, user: User, *, actor: User) -> None:
    with audited(
        session, user, USER_FIELDS, actor=actor, action="user.reactivated", summary=user.email
    ):
        user.is_active = True
        user.deactivated_at = None


def delete_user(session: Session, user: User, *, actor: User) -> None:
    """Hard-delete only an account that never did anything (an invitation sent by mistake)."""
    reason = history_reason(session, user)
    if reason:
        raise ConflictError(
            _(
                "%(email)s %(reason)s, so the account cannot be deleted; deactivate it instead.",
                email=user.email,
                reason=reason,
            )
        )
    record_change(
        session,
        actor=actor,
        action="user.deleted",
        entity=user,
        before=_user_snapshot(user),
        summary=user.email,
    )
    session.delete(user)
