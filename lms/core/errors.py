"""Domain errors and the one place that turns them into a flash message, a form error or a
JSON problem, plus the 403/404/500 pages inside the layout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, flash, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

T = TypeVar("T")


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is shown to the user as it is."""

    status = 400
    title = "Request refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    status = 422
    title = "Invalid input"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


def flash_error(error: DomainError, form: Any = None) -> None:
    """Attach the error to the form field it names, or flash it for the whole page."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def problem(error: DomainError) -> Any:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": error.title, "status": error.status}
    body["detail"] = error.message
    if error.field:
        body["field"] = error.field
    response = jsonify(body)
    response.status_code = error.status
    response.mimetype = "application/problem+json"
    return response


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def on_domain_error(error: DomainError):
        from lms.core.extensions import db

        db.session.rollback()
        if _wants_json():
            return problem(error)
        return render_template("errors/error.html", code=error.status, message=error.message), (
            error.status
        )

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException):
        if _wants_json():
            response = jsonify(
                {
                    "type": "about:blank",
                    "title": error.name,
                    "status": error.code,
                    "detail": error.description,
                }
            )
            response.status_code = error.code or 500
            response.mimetype = "application/problem+json"
            return response
        template = f"errors/{error.code}.html" if error.code in (403, 404) else "errors/error.html"
        return render_template(template, code=error.code, message=error.description), error.code

    @app.errorhandler(500)
    def on_server_error(error: Exception):
        from lms.core.extensions import db

        db.session.rollback()
        if _wants_json():
            response = jsonify(
                {"type": "about:blank", "title": "Internal Server Error", "status": 500}
            )
            response.status_code = 500
            return response
        return render_template("errors/500.html", code=500), 500


def commit_or_report(
    action: Callable[[], T],
    *,
    form: Any = None,
    success: str | Callable[[T], str] | None = None,
) -> tuple[bool, T | None]:
    """Run a service call at a view's boundary: commit and flash ``success`` when it works;
    roll back and show the domain error on the form (or as a flash) when a rule refuses it,
    so the page can be shown again with everything the user typed."""
    from lms.core.extensions import db

    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash_error(error, form)
        return False, None
    db.session.commit()
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    return True, result
