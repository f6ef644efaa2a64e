"""What every API call shares: bearer-token sign-in, the write scope, problem+json errors,
the list envelope and ETags. The permission rules themselves are the pages' (lms.core.permissions
and the features' rules): a call sees and changes exactly what its user could on the pages."""

from __future__ import annotations

from typing import Any

from apiflask import HTTPBasicAuth, HTTPTokenAuth, Schema
from apiflask.fields import Integer, List, Nested
from apiflask.validators import Range
from flask import Flask, abort, g, jsonify, request
from sqlalchemy import Select

from lms.core import clock
from lms.core.errors import _http_message
from lms.core.extensions import db, login_manager
from lms.core.i18n import _
from lms.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, paginate

token_auth = HTTPTokenAuth(
    scheme="Bearer", description="A personal token: POST /api/v1/tokens, or your profile page."
)
basic_auth = HTTPBasicAuth(description="Your email and password, only to obtain a token.")


@token_auth.verify_token
def _verify_token(secret: str | None) -> Any:
    from lms.api.tokens import user_for_token

    if not secret:
        return None
    found = user_for_token(db.session, secret, now=clock.now())
    if found is None:
        return None
    user, record = found
    g.api_token = record
    # The permission module reads Flask-Login's current_user: the token's user for this
    # request only (no cookie is written, and a browser session is not used by the API).
    login_manager._update_request_context_with_user(user)
    return user


def require_write() -> None:
    """A read-only token may not change anything."""
    record = g.get("api_token")
    if record is None or not record.can_write:
        abort(
            403, description=_("This token is read-only: make a read-write token to change data.")
        )


class PageQuery(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=DEFAULT_PER_PAGE, validate=Range(min=1, max=MAX_PER_PAGE))


_page_schemas: dict[str, type[Schema]] = {}


def page_schema(item: type[Schema]) -> type[Schema]:
    """The list envelope of ``item``: ``{"items", "total", "page", "per_page"}``."""
    name = item.__name__.removesuffix("Out") + "Page"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (Schema,),
            {
                "items": List(Nested(item), required=True),
                "total": Integer(required=True),
                "page": Integer(required=True),
                "per_page": Integer(required=True),
            },
        )
    return _page_schemas[name]


def page_of(stmt: Select) -> dict[str, Any]:
    """One page of ``stmt`` by the one pagination helper (``page``, ``per_page``)."""
    page = paginate(stmt)
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


def _problem(status: int, title: str, detail: str, errors: dict | None = None, headers=None):
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten(detail: Any) -> dict[str, list[str]]:
    """APIFlask's ``{location: {field: [messages]}}`` as ``{field: [messages]}``."""
    errors: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            errors.setdefault(prefix or "_schema", []).extend(str(v) for v in value)
        else:
            errors.setdefault(prefix or "_schema", []).append(str(value))

    for _location, fields in (detail or {}).items():
        walk("", fields)
    return errors


def api_error(error: Any):
    """APIFlask's errors (validation, authentication) as RFC 9457 problems."""
    headers = dict(error.headers or {})
    if error.status_code == 422:
        return _problem(
            422,
            "Invalid input",
            _("Some fields are not valid: see errors."),
            _flatten(error.detail),
            headers,
        )
    if error.status_code == 401:
        detail = (
            _("Wrong email or password.")
            if request.endpoint == "api.create_token"
            else _("Send a valid token: Authorization: Bearer <token>.")
        )
        return _problem(401, "Unauthorized", detail, headers=headers)
    from werkzeug.exceptions import default_exceptions

    known = default_exceptions.get(error.status_code)
    title = known.name if known else "Error"
    detail = error.message or (_http_message(known()) if known else title)
    return _problem(error.status_code, title, str(detail), headers=headers)


token_auth.error_processor(api_error)
basic_auth.error_processor(api_error)


def conditional(response):
    """ETag on every successful read, and 304 when the client has it already."""
    if request.method == "GET" and response.status_code == 200 and response.is_json:
        response.add_etag()
        response.make_conditional(request)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field → messages (invalid input).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def problem_responses(spec: dict) -> dict:
    """Every error the API sends is application/problem+json: say so in the document, for
    each operation's documented errors and as its default response."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPError", "ValidationError"):
        spec["components"]["schemas"].pop(name, None)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            for code, response in responses.items():
                if code == "default" or int(code) >= 400:
                    response["content"] = problem
            responses["default"] = {"description": "A problem (RFC 9457)", "content": problem}
    return spec


def init_api(app: Flask, blueprint: Any) -> None:
    """Called once when the blueprint is registered: problem+json errors, no CSRF token
    (a call carries a bearer token, never the browser's cookie), local docs assets."""
    from lms.core.extensions import csrf

    app.error_processor(api_error)
    app.spec_processor(problem_responses)
    csrf.exempt(blueprint)
    assets = "/api/v1/docs/assets"
    app.config.update(
        # Only the API's own operations in the document (not the pages' plain blueprints).
        AUTO_200_RESPONSE=False,
        INFO={
            "description": "The Capacity LMS API: the same records, roles and rules as the "
            "pages. Errors are RFC 9457 problem documents; lists are paged."
        },
        SWAGGER_UI_CSS=f"{assets}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{assets}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{assets}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON="/favicon.ico",
    )


def committed(action):
    """Run a service call and commit once; a rule's refusal (DomainError) rolls back and
    becomes a problem document at the app's one error boundary (lms.core.errors)."""
    result = action()
    db.session.commit()
    return result
