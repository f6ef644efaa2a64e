"""Headers every answer carries: no framing (clickjacking), no MIME sniffing, no address
sent to other sites (feed and reset links carry secrets), HTTPS remembered in production,
and downloads of personal data (PDF, ZIP, CSV, XLSX) kept by no cache.

The Content-Security-Policy lets a page load scripts, styles, fonts and data only from the
site itself, with no inline script, event handler (``onsubmit=``), ``<style>`` or ``style=``
attribute and no ``eval``: an injected tag that slipped past escaping runs nothing. Pages keep
their behaviour in static/js (a destructive form's question is ``data-confirm``, see
static/js/confirm.js) and their looks in static/css/app.css; charts carry presentation
attributes (lms/core/charts.py); the API docs start Swagger UI from a static script
(templates/api/docs.html). ``data:`` images are allowed: Bootstrap's and Swagger UI's
stylesheets draw their icons (menu, close, select arrow, check marks) as ``data:`` SVG."""

from __future__ import annotations

from flask import Flask, Response, current_app

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
POLICY = "; ".join(f"{name} {value}" for name, value in DIRECTIVES.items())
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
