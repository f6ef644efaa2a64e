"""``LMS_BASE_URL`` against the address actually served. Verification links (the QR code on
every certificate) and the links in emails are built from ``LMS_BASE_URL``; when it names
another scheme, host or port than the one the requests arrive on, those links lead elsewhere.
The first request logs a warning, and the admin pages show a banner while it lasts."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request

log = logging.getLogger(__name__)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHECKED = "lms.base_url_checked"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def public_url(endpoint: str, **values) -> str:
    """The address of ``endpoint`` on ``LMS_BASE_URL`` (not on the host the request came to):
    links that leave the site (emails, verification links, Open Badges ids) must resolve for
    whoever follows them later."""
    from flask import url_for

    return current_app.config["LMS_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def mismatch(base_url: str, served_url: str) -> bool:
    return origin(base_url) != origin(served_url)


def current_mismatch() -> str | None:
    """The address being served when it is not ``LMS_BASE_URL``'s, else None (in a request)."""
    served = request.host_url
    return served if mismatch(current_app.config["LMS_BASE_URL"], served) else None


def _check_once() -> None:
    if current_app.extensions.get(_CHECKED):
        return
    current_app.extensions[_CHECKED] = True
    served = current_mismatch()
    if served:
        log.warning(
            "LMS_BASE_URL is %s but this application is served at %s: verification links "
            "(certificate QR codes) and links in emails will point to LMS_BASE_URL.",
            current_app.config["LMS_BASE_URL"],
            served,
        )


def _admin_banner() -> dict:
    """Every page under /admin (users, jobs, outbox…) shows the banner while it lasts."""
    if not has_request_context():  # an email rendered by the scheduler
        return {"base_url_served": None}
    admin_page = request.path == "/admin" or request.path.startswith("/admin/")
    return {"base_url_served": current_mismatch() if admin_page else None}


def init_base_url_check(app: Flask) -> None:
    app.before_request(_check_once)
    app.context_processor(_admin_banner)
