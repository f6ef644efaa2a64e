"""Headers every answer carries: no framing (clickjacking), no MIME sniffing, no address
sent to other sites (feed and reset links carry secrets), HTTPS remembered in production,
and downloads of personal data (PDF, ZIP, CSV, XLSX) kept by no cache.

The Content-Security-Policy restricts what needs no change to the pages (framing, ``<base>``,
plugins, form targets); restricting scripts and styles waits for the inline handlers and
styles to move into static files (issue 16)."""

from __future__ import annotations

from flask import Flask, Response, current_app

POLICY = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
HSTS = "max-age=31536000; includeSubDomains"
DOWNLOADS = {
    "application/pdf",
    "application/zip",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", POLICY)
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("LMS_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype in DOWNLOADS and not response.cache_control.public:
        response.cache_control.private = True
        response.cache_control.no_store = True
        response.cache_control.max_age = None
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(_headers)
