"""Light on the wire: pages and files compressed (brotli, else gzip), static files under
versioned URLs cached for a year, a favicon, and signed-in pages never stored by a cache.

A static file's URL carries the first characters of its content's hash (``?v=…``): a new
release changes the URL, so browsers may keep the old one for a year without ever showing a
stale file. Unversioned URLs keep Flask's default (revalidated).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory, url_for
from flask_compress import Compress
from flask_login import current_user

compress = Compress()

ASSET_ENDPOINTS = ("static", "bootstrap.static")
YEAR = 365 * 86400
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "application/xml",
    "image/svg+xml",
]


def _folder(endpoint: str) -> Path:
    if endpoint == "static":
        return Path(current_app.static_folder or "")
    blueprint = current_app.blueprints[endpoint.partition(".")[0]]
    return Path(blueprint.static_folder or "")


def asset_url(endpoint: str, filename: str) -> str:
    """``url_for`` a static file with its content's version: computed once per process, or on
    every call in debug mode, where a file edited under a running server must get a new URL
    (the old one is cached for a year)."""
    versions: dict[tuple[str, str], str] = current_app.extensions.setdefault("lms_assets", {})
    key = (endpoint, filename)
    if current_app.debug or key not in versions:
        path = _folder(endpoint) / filename
        versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return url_for(endpoint, filename=filename, v=versions[key])


def _cache_headers(response: Response) -> Response:
    if request.endpoint in ASSET_ENDPOINTS:
        if request.args.get("v") and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
    elif response.mimetype == "text/html" and getattr(current_user, "is_authenticated", False):
        # A signed-in page shows the person's own data: no shared or back-button cache keeps it.
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response


def favicon() -> Response:
    return send_from_directory(
        current_app.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=YEAR
    )


def init_assets(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])  # static files
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    compress.init_app(app)
    app.after_request(_cache_headers)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.jinja_env.globals["asset_url"] = asset_url
