"""Password hashing (argon2) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = files("lms.accounts").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def policy_errors(password: str, *, email: str = "", full_name: str = "") -> list[str]:
    """Why ``password`` is not acceptable; empty when it is."""
    errors: list[str] = []
    if len(password) < MIN_LENGTH:
        errors.append(f"Use at least {MIN_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        errors.append("This password is too common; choose one that is harder to guess.")
    elif len(set(password)) < 4:
        errors.append("This password repeats too few characters; choose a less predictable one.")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        errors.append("The password must not contain your email address.")
    if full_name and full_name.strip().lower() == lowered:
        errors.append("The password must not be your name.")
    return errors
