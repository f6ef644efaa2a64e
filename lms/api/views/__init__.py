"""The API blueprint: ``/api/v1``. Its resources live in the modules below, by feature."""

from __future__ import annotations

from pathlib import Path

from apiflask import APIBlueprint
from flask import Flask, abort, current_app, render_template, send_from_directory

from lms.api.boundary import conditional, init_api
from lms.core.ratelimit import rate_limited

bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="Capacity LMS")
bp.record_once(lambda state: init_api(state.app, bp))
bp.after_request(conditional)
rate_limited("api")(bp)  # every call, per token (or Basic user) and per address

# Swagger UI from the installed flask-swagger-ui package's dist (no CDN at run time).
DOCS_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}


@bp.get("/docs/assets/<name>")
@bp.doc(hide=True)
def docs_asset(name: str):
    import flask_swagger_ui

    if name not in DOCS_ASSETS:
        abort(404)
    dist = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
    return send_from_directory(dist, name, max_age=86400)


def docs_page() -> str:
    """``/api/v1/docs``: Swagger UI started by a static script (templates/api/docs.html), as
    APIFlask's own page starts it with an inline script the Content-Security-Policy refuses."""
    return render_template("api/docs.html", title=current_app.title, version=current_app.version)


def _own_docs_page(app: Flask) -> None:
    # APIFlask registers its "openapi" blueprint when the app is made, before this one.
    if "openapi.docs" in app.view_functions:
        app.view_functions["openapi.docs"] = docs_page


bp.record_once(lambda state: _own_docs_page(state.app))


from lms.api.views import (  # noqa: E402,F401
    badges,
    learning,
    people,
    progress,
    projects,
    statistics,
    tokens,
    webhooks,
    xapi,
)
