"""Domain errors and the one place that turns them into a flash message, a form error or a
JSON problem, plus the 403/404/500 pages inside the layout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
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
        # RFC 9457 extension member: field -> messages, as the API's input validation gives.
        body["errors"] = {error.field: [error.message]}
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


def _http_message(error: HTTPException) -> str:
    """The page's explanation: the one the code gave, or a plain one for Werkzeug's defaults."""
    from lms.core.i18n import _

    if error.description != type(error).description:
        return str(error.description)
    if error.code == 413:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        return _(
            "The file or form you sent is too large: at most %(limit)s MB is accepted. "
            "Split the file or send a smaller one.",
            limit=limit,
        )
    if error.code == 400:
        return _(
            "The request could not be understood. Go back, check what you entered and try again."
        )
    return str(error.description)


def too_many_requests(error: HTTPException) -> Any:
    """A breached rate limit (lms.core.ratelimit): the page in the layout, or a problem
    document for the API, with ``Retry-After`` in whole seconds either way."""
    from lms.core.i18n import _n
    from lms.core.ratelimit import retry_after
    from lms.core.redirects import referrer_target

    seconds = retry_after(error)
    message = _n(
        "Too many requests in a short time. Wait %(num)s second, then try again.",
        "Too many requests in a short time. Wait %(num)s seconds, then try again.",
        seconds,
    )
    if _wants_json():
        body = {"type": "about:blank", "title": "Too Many Requests", "status": 429}
        response = jsonify({**body, "detail": message, "retry_after": seconds})
        response.mimetype = "application/problem+json"
    else:
        page = render_template(
            "errors/429.html", code=429, message=message, back=referrer_target(""), seconds=seconds
        )
        response = current_app.make_response(page)
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def init_error_handlers(app: Flask) -> None:
    from lms.core.faults import fault_in_server_error, init_fault_handlers

    init_fault_handlers(app)  # the database down or read-only: 503, before any other page

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
        from flask_limiter import RateLimitExceeded

        if isinstance(error, RateLimitExceeded):
            return too_many_requests(error)
        if _wants_json():
            response = jsonify(
                {
                    "type": "about:blank",
                    "title": error.name,
                    "status": error.code,
                    "detail": _http_message(error),
                }
            )
            response.status_code = error.code or 500
            response.mimetype = "application/problem+json"
            for name, value in error.get_headers():  # Allow on a 405, Retry-After on a 429
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        template = f"errors/{error.code}.html" if error.code in (403, 404) else "errors/error.html"
        return render_template(
            template,
            code=error.code,
            message=_http_message(error),
            default_message=type(error).description,
        ), error.code

    @app.errorhandler(500)
    def on_server_error(error: Exception):
        from lms.core.extensions import db

        unavailable = fault_in_server_error(error)  # raised while rendering another error page
        if unavailable is not None:
            return unavailable
        db.session.rollback()
        if _wants_json():
            response = jsonify(
                {"type": "about:blank", "title": "Internal Server Error", "status": 500}
            )
            response.status_code = 500
            return response
        return render_template("errors/500.html", code=500), 500


class Outcome(tuple):
    """What ``commit_or_report`` did: unpacks as ``(ok, result)`` like before, and carries the
    ``response`` the view should return when there is one (the redirect after a success, the
    problem document for a refused JSON request), and the ``error`` when a rule refused."""

    response: Any
    error: DomainError | None

    def __new__(
        cls,
        ok: bool,
        result: Any = None,
        *,
        response: Any = None,
        error: DomainError | None = None,
    ) -> Outcome:
        outcome = super().__new__(cls, (ok, result))
        outcome.response = response
        outcome.error = error
        return outcome

    @property
    def ok(self) -> bool:
        return self[0]

    @property
    def result(self) -> Any:
        return self[1]


def commit_or_report(
    action: Callable[[], T],
    *,
    form: Any = None,
    success: str | Callable[[T], str] | None = None,
    redirect_to: str | Callable[[T], str] | None = None,
    after_commit: Callable[[T], Any] | None = None,
    commit_refused: tuple[type[DomainError], ...] = (),
) -> Outcome:
    """Run a service call at a view's boundary: commit and flash ``success`` when it works;
    roll back and show the domain error on the form (or as a flash) when a rule refuses it,
    so the page can be shown again with everything the user typed.

    The patterns views need, so none writes its own try/except/commit:

    - ``redirect_to`` (a URL, or a function of the result): on success ``outcome.response``
      is the redirect (Post/Redirect/Get);
    - ``after_commit``: work that must see the committed data (delivering the outbox now);
    - a request that wants JSON gets ``outcome.response`` = an RFC 9457 problem document
      instead of a flash; the form still gets the field error;
    - ``commit_refused``: refusals whose trace must be kept (a failed login counts), so the
      session is committed instead of rolled back.

    Returns an ``Outcome``, which unpacks as ``(ok, result)`` for existing callers.
    """
    from lms.core.extensions import db

    try:
        result = action()
    except DomainError as error:
        if isinstance(error, commit_refused):
            db.session.commit()
        else:
            db.session.rollback()
        if _wants_json():
            if form is not None and error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            return Outcome(False, None, response=problem(error), error=error)
        flash_error(error, form)
        return Outcome(False, None, error=error)
    db.session.commit()
    if after_commit is not None:
        after_commit(result)
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    response = None
    if redirect_to is not None:
        response = redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return Outcome(True, result, response=response)
