"""Configuration read from environment variables, with safe defaults for development.

Every variable is listed in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot produce a safe app; the message says what to set."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _date(name: str) -> date | None:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an ISO date such as 2026-03-02, got {raw!r}") from exc


def _iati(name: str, default: str, pattern: str, example: str) -> str:
    """An IATI setting: a code the published XML must carry exactly, so a malformed one stops
    the app at start rather than producing files the IATI validators refuse."""
    value = (os.environ.get(name) or default).strip()
    if not re.fullmatch(pattern, value):
        raise ConfigError(f"{name} must look like {example}, got {value!r}")
    return value


def _secret_key(env: str, instance_path: Path) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError(
            "SECRET_KEY is not set. In production the app refuses to start without one, "
            "because sessions and CSRF tokens signed with a guessable key can be forged. "
            'Generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    # Development and tests: generate once and keep it, so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


# Rate limits (lms/core/ratelimit.py): name -> (per account default, per address default), in
# Flask-Limiter's notation ("10/minute", "100 per hour; 1000 per day").
RATE_LIMITS = {
    "LOGIN": ("5/minute", "10/minute"),
    "RESET": ("5/minute", "10/minute"),
    "REPORTS": ("10/minute", "30/minute"),
    "EXPORTS": ("30/minute", "60/minute"),
    "API": ("300/minute", "600/minute"),
}


def _rate(name: str, default: str) -> str:
    from limits import parse_many

    value = (os.environ.get(name) or default).strip()
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(
            f"{name} must look like 10/minute or 100 per hour, got {value!r}"
        ) from exc
    return value


def _rate_limits(env: str) -> dict[str, Any]:
    """The limits and their storage. Counts kept in memory are per process: with several
    gunicorn workers or nodes each would allow the whole limit, so production refuses memory
    storage unless ``LMS_RATELIMIT_ALLOW_MEMORY`` says there is one process only."""
    enabled = _bool(os.environ.get("LMS_RATELIMIT_ENABLED"), env != "testing")
    storage = (os.environ.get("LMS_RATELIMIT_STORAGE_URL") or "memory://").strip()
    allow_memory = _bool(os.environ.get("LMS_RATELIMIT_ALLOW_MEMORY"))
    if env == "production" and enabled and storage.startswith("memory:") and not allow_memory:
        raise ConfigError(
            "LMS_RATELIMIT_STORAGE_URL is not set (or is memory://). In production the rate "
            "limits must be counted where every worker and node sees them, e.g. "
            "LMS_RATELIMIT_STORAGE_URL=redis://127.0.0.1:6379/0. For a single process only, "
            "set LMS_RATELIMIT_ALLOW_MEMORY=1."
        )
    config: dict[str, Any] = {
        "LMS_RATELIMIT_ENABLED": enabled,
        "LMS_RATELIMIT_STORAGE_URL": storage,
    }
    for name, (per_account, per_address) in RATE_LIMITS.items():
        config[f"LMS_RATELIMIT_{name}"] = _rate(f"LMS_RATELIMIT_{name}", per_account)
        key = f"LMS_RATELIMIT_{name}_PER_ADDRESS"
        config[key] = _rate(key, per_address)
    return config


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(instance_path: Path) -> dict[str, Any]:
    env = os.environ.get("LMS_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"LMS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    default_db = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    production = env == "production"
    return {
        "LMS_ENV": env,
        "SECRET_KEY": _secret_key(env, instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        "LMS_TIMEZONE": os.environ.get("LMS_TIMEZONE", "UTC"),
        # Pins "today" (ISO date) for demonstrations; unset in real use.
        "LMS_TODAY": _date("LMS_TODAY"),
        # Trainee accounts in the demo dataset (the generated ones carry three years of history).
        "LMS_DEMO_TRAINEES": _int("LMS_DEMO_TRAINEES", 150),
        "BABEL_DEFAULT_LOCALE": os.environ.get("LMS_DEFAULT_LOCALE", "en"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LMS_TIMEZONE", "UTC"),
        "LMS_LANGUAGES": ["en", "fr"],
        "LMS_BASE_URL": os.environ.get("LMS_BASE_URL", "http://127.0.0.1:5000"),
        # Mail: with no MAIL_SERVER the outbox is written to the log instead of sent.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Capacity LMS <no-reply@localhost>"),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 8),
        # HTTP outbox (xAPI statements, webhooks): attempts before a request is dead, and how
        # long one attempt may wait for the other side (seconds).
        "LMS_HTTP_OUTBOX_MAX_ATTEMPTS": _int("LMS_HTTP_OUTBOX_MAX_ATTEMPTS", 10),
        "LMS_HTTP_OUTBOX_TIMEOUT": _int("LMS_HTTP_OUTBOX_TIMEOUT", 10),
        # xAPI: the learning record store statements are sent to (all three, or none sent).
        # The URL is the LRS's xAPI endpoint; statements are posted to <url>/statements.
        "LMS_XAPI_LRS_URL": os.environ.get("LMS_XAPI_LRS_URL", "").strip(),
        "LMS_XAPI_LRS_USERNAME": os.environ.get("LMS_XAPI_LRS_USERNAME", ""),
        "LMS_XAPI_LRS_PASSWORD": os.environ.get("LMS_XAPI_LRS_PASSWORD", ""),
        # Sessions
        "LMS_SESSION_IDLE_MINUTES": _int("LMS_SESSION_IDLE_MINUTES", 30),
        "LMS_SESSION_ABSOLUTE_HOURS": _int("LMS_SESSION_ABSOLUTE_HOURS", 12),
        "LMS_LOGIN_MAX_FAILURES": _int("LMS_LOGIN_MAX_FAILURES", 5),
        "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS": _int("LMS_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LMS_LOGIN_WINDOW_MINUTES": _int("LMS_LOGIN_WINDOW_MINUTES", 15),
        # Administrators and directorate staff must use two-factor sign-in (set up at login).
        "LMS_REQUIRE_2FA": _bool(os.environ.get("LMS_REQUIRE_2FA"), production),
        "LMS_INVITATION_DAYS": _int("LMS_INVITATION_DAYS", 7),
        # Personal API tokens last this long unless their owner asks for less (at most 366).
        "LMS_API_TOKEN_DAYS": _int("LMS_API_TOKEN_DAYS", 90),
        # Webhook addresses must be https:// unless they name this machine, or this is set.
        "LMS_WEBHOOK_ALLOW_HTTP": _bool(os.environ.get("LMS_WEBHOOK_ALLOW_HTTP")),
        # Scheduled jobs
        "LMS_SESSION_REMINDER_DAYS": _int("LMS_SESSION_REMINDER_DAYS", 3),
        "LMS_MILESTONE_REMINDER_DAYS": _int("LMS_MILESTONE_REMINDER_DAYS", 14),
        "LMS_SESSION_RETENTION_DAYS": _int("LMS_SESSION_RETENTION_DAYS", 30),
        "LMS_LOGIN_ATTEMPT_RETENTION_DAYS": _int("LMS_LOGIN_ATTEMPT_RETENTION_DAYS", 90),
        "LMS_RESET_HOURS": _int("LMS_RESET_HOURS", 2),
        # Evidence files: where they are kept (random names, never a user's path) and how big
        # one may be.
        "LMS_EVIDENCE_DIR": os.environ.get("LMS_EVIDENCE_DIR") or str(instance_path / "evidence"),
        "LMS_EVIDENCE_MAX_BYTES": _int("LMS_EVIDENCE_MAX_MB", 10) * 1024 * 1024,
        "LMS_RESET_MAX_REQUESTS": _int("LMS_RESET_MAX_REQUESTS", 3),
        "LMS_RESET_MAX_REQUESTS_PER_ADDRESS": _int("LMS_RESET_MAX_REQUESTS_PER_ADDRESS", 10),
        "LMS_RESET_WINDOW_MINUTES": _int("LMS_RESET_WINDOW_MINUTES", 60),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_DURATION": 0,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,
        "PROXY_FIX": _bool(os.environ.get("LMS_PROXY_FIX")),
        # IATI activity export: the reporting organisation (its identifier prefixes every
        # activity's), its IATI organisation type and the DAC sector of projects without one.
        "LMS_IATI_REPORTING_ORG_REF": _iati(
            "LMS_IATI_REPORTING_ORG_REF",
            "XI-IATI-EXAMPLE",
            r"[A-Za-z0-9][A-Za-z0-9._-]*",
            "XI-IATI-EXAMPLE or XM-DAC-12345",
        ),
        "LMS_IATI_REPORTING_ORG_NAME": (
            os.environ.get("LMS_IATI_REPORTING_ORG_NAME") or "Customs Capacity Building Programme"
        ).strip(),
        "LMS_IATI_REPORTING_ORG_TYPE": _iati(
            "LMS_IATI_REPORTING_ORG_TYPE", "40", r"\d{2}", "40 (multilateral)"
        ),
        "LMS_IATI_DEFAULT_SECTOR": _iati(
            "LMS_IATI_DEFAULT_SECTOR", "33120", r"\d{5}", "33120 (trade facilitation)"
        ),
        # Open Badges: the issuer's signing key (an Ed25519 PEM, made on first use when the
        # file is missing) and the issuer profile's name and email.
        "LMS_BADGE_KEY_FILE": os.environ.get("LMS_BADGE_KEY_FILE")
        or str(instance_path / "badge_key.pem"),
        "LMS_BADGE_ISSUER_NAME": (
            os.environ.get("LMS_BADGE_ISSUER_NAME") or "Customs Capacity Building Directorate"
        ).strip(),
        "LMS_BADGE_ISSUER_EMAIL": (
            os.environ.get("LMS_BADGE_ISSUER_EMAIL") or "badges@example.org"
        ).strip(),
        # The largest request body (uploads included); larger ones are answered 413.
        "MAX_CONTENT_LENGTH": _int("LMS_MAX_UPLOAD_MB", 16) * 1024 * 1024,
        **_rate_limits(env),
    }
