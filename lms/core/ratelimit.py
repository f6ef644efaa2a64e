"""Rate limits: the named limits views declare, counted by Flask-Limiter in the storage
``LMS_RATELIMIT_STORAGE_URL`` names (Redis in production, so every worker and node counts the
same requests).

Each name has two limits, both read from the configuration at each request: one per account
(``LMS_RATELIMIT_<NAME>``: the signed-in user, the API token, or the email typed at login and
reset) and one per address (``LMS_RATELIMIT_<NAME>_PER_ADDRESS``: ``request.remote_addr``,
after ProxyFix when ``LMS_PROXY_FIX`` is on). A name's count is shared by every view that
declares it (all exports count together). Nothing else is limited: no default limits, so static
files and ``/healthz`` never are.

A breach raises Flask-Limiter's ``RateLimitExceeded`` (a 429); ``lms.core.errors`` answers it
with the page or problem document and ``Retry-After`` from ``retry_after``. When the storage
does not answer, the request is served (the error is logged): the login and reset throttles in
the database still hold, and a Redis outage does not take the site down.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

NAMES = ("login", "reset", "reports", "exports", "api")


def address_key() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _email_key() -> str:
    """Login and reset: the email typed (or the API's Basic user name), whatever account it
    names, so guessing one account's password is limited however many addresses try."""
    email = request.form.get("email") or (request.authorization or {}).get("username") or ""
    email = email.strip().lower()[:254]
    return f"email:{email}" if email else address_key()


def _user_key() -> str:
    """Pages: the signed-in user (the views declaring these limits require one)."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return address_key()


def _api_key() -> str:
    """The API: the bearer token (its hash: no database read before the limit), or the Basic
    user name of ``POST /tokens``; never the browser's session cookie."""
    auth = request.headers.get("Authorization", "")
    scheme, _, secret = auth.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return _email_key()


ACCOUNT_KEYS: dict[str, Callable[[], str]] = {
    "login": _email_key,
    "reset": _email_key,
    "reports": _user_key,
    "exports": _user_key,
    "api": _api_key,
}


class _AppLimiter(Limiter):
    """One limiter for the decorators (they register when the views are imported), counting in
    each app's own storage: tests and scripts build several apps in one process, and each app
    must count where its own configuration says."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.extensions["lms.ratelimit"] = self._limiter

    @property
    def limiter(self):  # type: ignore[override]
        return current_app.extensions["lms.ratelimit"]

    @property
    def storage(self):  # type: ignore[override]
        return self.limiter.storage


limiter = _AppLimiter(key_func=address_key, key_prefix="lms", swallow_errors=True)


def _value(config_key: str) -> Callable[[], str]:
    return lambda: current_app.config[config_key]


def _declared(name: str, methods: list[str] | None) -> list[Any]:
    config_key = f"LMS_RATELIMIT_{name.upper()}"
    common: dict[str, Any] = {"scope": name, "methods": methods, "override_defaults": False}
    return [
        limiter.shared_limit(_value(config_key), key_func=ACCOUNT_KEYS[name], **common),
        limiter.shared_limit(_value(f"{config_key}_PER_ADDRESS"), key_func=address_key, **common),
    ]


def rate_limited(name: str, *, methods: tuple[str, ...] | None = None) -> Callable[[F], F]:
    """Declare the named limits on a view (or, called on a blueprint, on all its views):
    ``@rate_limited("login", methods=("POST",))`` counts only the form's submissions."""
    if name not in NAMES:
        raise ValueError(f"unknown rate limit {name!r}: one of {', '.join(NAMES)}")
    limits = _declared(name, [m.lower() for m in methods] if methods else None)

    def apply(target: F) -> F:
        for declared in limits:
            wrapped = declared(target)  # None for a blueprint (its limits are recorded)
            target = target if wrapped is None else wrapped
        if not isinstance(target, Blueprint):
            target.rate_limits = (*getattr(target, "rate_limits", ()), name)  # type: ignore[attr-defined]
        return target

    return apply


def export_limited(view: F) -> F:
    """The export limits on a list page: only its ``?format=csv`` answer counts."""
    limits = [
        limiter.shared_limit(
            _value(key),
            key_func=key_func,
            scope="exports",
            override_defaults=False,
            exempt_when=lambda: request.args.get("format") != "csv",
        )
        for key, key_func in (
            ("LMS_RATELIMIT_EXPORTS", _user_key),
            ("LMS_RATELIMIT_EXPORTS_PER_ADDRESS", address_key),
        )
    ]
    for declared in limits:
        view = declared(view)
    view.rate_limits = (*getattr(view, "rate_limits", ()), "exports")  # type: ignore[attr-defined]
    return view


def init_rate_limits(app: Flask) -> None:
    """Bind the limiter to ``app`` with its storage; off (every request exempt) when
    ``LMS_RATELIMIT_ENABLED`` is false, as in the test suite unless a test turns it on."""
    uri = app.config["LMS_RATELIMIT_STORAGE_URL"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    if not uri.startswith("memory:"):
        # A storage that does not answer must not hold requests for long.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    limiter.init_app(app)


@limiter.request_filter
def _disabled() -> bool:
    return not current_app.config.get("LMS_RATELIMIT_ENABLED", True)


def retry_after(error: Any) -> int:
    """Whole seconds until the breached limit lets one more request through (at least 1)."""
    breached = limiter.current_limit
    if breached is None or not breached.breached:
        return max(1, int(error.limit.limit.get_expiry()))
    return max(1, math.ceil(breached.window.reset_time - time.time()))
