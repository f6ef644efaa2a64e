"""Database faults: what the application does when the database is down or read-only.

One classification (``database_fault``) serves the error boundary, ``/healthz`` and the
read pages that keep a computed row when they can:

- **down**: the server cannot be reached, the connection dropped, the pool timed out, the
  file cannot be opened or stays locked. Every page answers 503 with ``Retry-After``;
- **read-only**: the database refuses writes (PostgreSQL ``default_transaction_read_only``,
  a standby in recovery; SQLite ``PRAGMA query_only`` or a file opened read-only). Reads go
  on; a write answers 503 saying the database is read-only for maintenance.

The 503 page is rendered with an anonymous user: the navbar would otherwise load the
signed-in user (and her notifications) from the very database that failed, so the error page
itself would fail and the server's bare page would show. ``pool_pre_ping`` (config) replaces
dead connections on checkout, so the first request after the database returns succeeds.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from markupsafe import escape
from sqlalchemy.orm import Session

log = logging.getLogger("lms.database")

Fault = Literal["down", "read-only"]
RETRY_AFTER: dict[str, int] = {"down": 30, "read-only": 300}
# SQLite result codes that mean "cannot use the database now" rather than a bug in a query
# ("no such table" is SQLITE_ERROR and stays a 500).
_SQLITE_DOWN = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")
_SQLITE_READ_ONLY_MESSAGE = "readonly database"
_PG_READ_ONLY = "25006"  # read_only_sql_transaction
_REASONS = (  # a short, safe reason from the driver's message (which may name hosts)
    ("refused", "connection refused"),
    ("timeout", "timed out"),
    ("timed out", "timed out"),
    ("terminat", "connection closed by the server"),
    ("closed", "connection closed by the server"),
    ("shutting down", "the server is shutting down"),
    ("starting up", "the server is starting up"),
    ("recovery", "the server is in recovery"),
    ("too many", "too many connections"),
    ("authentication", "authentication failed"),
    ("does not exist", "the database does not exist"),
    ("could not translate host", "unknown host"),
    ("locked", "the database is locked"),
    ("unable to open", "the database file cannot be opened"),
    ("disk i/o", "disk I/O error"),
)


def database_fault(error: BaseException | None) -> Fault | None:
    """``"down"``, ``"read-only"``, or ``None`` for any other error (a bug, a constraint)."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free in time
        return "down"
    if not isinstance(error, sa.exc.DBAPIError):
        return None
    orig = error.orig
    sqlite_name = getattr(orig, "sqlite_errorname", None)
    if _refuses_writes(orig):
        return "read-only"
    if error.connection_invalidated:
        return "down"
    if sqlite_name is not None or type(orig).__module__.startswith("sqlite3"):
        return "down" if (sqlite_name or "").startswith(_SQLITE_DOWN) else None
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return "down"
    return None


def _refuses_writes(orig: BaseException | None) -> bool:
    if getattr(orig, "sqlstate", None) == _PG_READ_ONLY:
        return True
    name = getattr(orig, "sqlite_errorname", None) or ""
    return name.startswith("SQLITE_READONLY") or _SQLITE_READ_ONLY_MESSAGE in str(orig)


def fault_reason(error: BaseException) -> str:
    """Why, in a few words safe to show on a public health check."""
    orig = getattr(error, "orig", None) or error
    message = str(orig).lower()
    for needle, reason in _REASONS:
        if needle in message:
            return reason
    sqlstate = getattr(orig, "sqlstate", None)
    return f"{type(orig).__name__} ({sqlstate})" if sqlstate else type(orig).__name__


def commit_unless_read_only(session: Session) -> bool:
    """Commit what a read page computed on the way (a progress summary, a session's last
    seen time): on a read-only database the page is still shown, without keeping it."""
    try:
        session.commit()
        return True
    except sa.exc.DBAPIError as error:
        if database_fault(error) != "read-only":
            raise
        session.rollback()
        log.info("Read-only database: a computed row was not kept")
        return False


# /healthz ------------------------------------------------------------------------------------


def _read_only_reason(session: Session) -> str | None:
    """Why writes would be refused, found without writing (PostgreSQL) or with a write that
    is rolled back at once and never waits for a lock (SQLite)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        recovery, read_only = connection.execute(
            sa.text("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
        ).one()
        if recovery:
            return "the server is a standby in recovery (pg_is_in_recovery)"
        if read_only == "on":
            return "transactions are read-only (default_transaction_read_only)"
        return None
    if connection.dialect.name != "sqlite":
        return None
    if connection.exec_driver_sql("PRAGMA query_only").scalar():
        return "PRAGMA query_only is on"
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor()
    began = not raw.in_transaction
    timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        cursor.execute("PRAGMA busy_timeout=0")  # a writer holding the lock: writable
        if began:
            cursor.execute("BEGIN")
        version = cursor.execute("PRAGMA user_version").fetchone()[0]
        cursor.execute(f"PRAGMA user_version={int(version)}")  # a write of the same value
    except Exception as error:  # sqlite3.OperationalError: read-only file, or a held lock
        if _refuses_writes(error):
            return "the database file is read-only"
    finally:
        if began and raw.in_transaction:
            cursor.execute("ROLLBACK")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.close()
    return None


def database_health(session: Session) -> tuple[dict[str, Any], int]:
    """The body and status of ``/healthz``: ``ok`` (200), ``degraded`` when the database
    answers but refuses writes (200: pages are still served), ``unavailable`` (503)."""
    backend = session.get_bind().dialect.name
    try:
        session.execute(sa.text("SELECT 1"))
        reason = _read_only_reason(session)
    except Exception as error:  # the point is to report the failure, whatever it is
        _quiet_rollback(session)
        return {
            "status": "unavailable",
            "database": "down",
            "backend": backend,
            "reason": fault_reason(error),
        }, 503
    session.rollback()
    if reason:
        return {
            "status": "degraded",
            "database": "read-only",
            "backend": backend,
            "reason": reason,
        }, 200
    return {"status": "ok", "database": "up", "backend": backend}, 200


# The error boundary's 503 --------------------------------------------------------------------


def _quiet_rollback(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # a dead connection: the pool replaces it on the next checkout
        log.debug("Rollback after a database fault failed", exc_info=True)


def _known_language() -> str | None:
    """The page's language without asking the database: the locale already chosen in this
    request, or the signed-in user's language if her row is loaded."""
    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)
    if chosen is not None:
        return str(chosen)
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    state = sa.inspect(user, raiseerr=False)
    language = state.dict.get("preferred_language") if state is not None else None
    return language if language in current_app.config["LMS_LANGUAGES"] else None


def unavailable_response(fault: Fault, error: BaseException) -> Any:
    """The 503 answer: problem+json for the API and JSON clients, else a page in the layout
    with an anonymous navbar (nothing on it reads the database)."""
    from flask_babel import force_locale

    from lms.core.errors import _wants_json
    from lms.core.extensions import db, login_manager
    from lms.core.i18n import _

    language = _known_language()  # before the rollback expires the user's row
    _quiet_rollback(db.session)
    log.warning(
        "Database %s during %s %s: %s",
        fault,
        request.method,
        request.path,
        (str(getattr(error, "orig", error)).strip().splitlines() or [""])[0],
    )
    g._login_user = login_manager.anonymous_user()  # the navbar must not load the user
    retry = RETRY_AFTER[fault]
    with force_locale(language) if language else _nothing():
        if fault == "read-only":
            title = _("Read-only for maintenance")
            message = _(
                "The database is read-only for maintenance: you can read pages, but nothing "
                "can be saved at the moment. What you sent was not saved; please try again later."
            )
        else:
            title = _("Service temporarily unavailable")
            message = _(
                "The database cannot be reached at the moment. Nothing you sent was saved. "
                "Please try again in a minute."
            )
        if _wants_json():
            response = jsonify(
                {"type": "about:blank", "title": title, "status": 503, "detail": message}
            )
            response.mimetype = "application/problem+json"
        else:
            response = current_app.make_response((_page(title, message, fault), 503))
    response.status_code = 503
    response.headers["Retry-After"] = str(retry)
    response.headers["Cache-Control"] = "no-store"
    return response


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _page(title: str, message: str, fault: Fault) -> str:
    try:
        return render_template("errors/unavailable.html", title=title, message=message, fault=fault)
    except Exception:  # a page that cannot fail: plain HTML with the stylesheet
        log.exception("The unavailable page could not be rendered; plain page sent")
        css = url_for("static", filename="css/app.css")
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{css}"></head>'
            f'<body><main id="main" class="container py-4"><h1>{escape(title)}</h1>'
            f"<p>{escape(message)}</p></main></body></html>"
        )


def init_fault_handlers(app: Flask) -> None:
    """A database fault anywhere in a request (the user loader, a view, a template) becomes
    the 503; any other database error stays a 500."""

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.TimeoutError)
    def on_database_error(error: sa.exc.SQLAlchemyError):
        fault = database_fault(error)
        if fault is None:
            raise error  # not an outage: the 500 page (and the log's traceback)
        return unavailable_response(fault, error)


def fault_in_server_error(error: BaseException) -> Any | None:
    """For the 500 handler: the 503 answer when the error behind it was a database fault
    (a fault raised while another error page was being rendered)."""
    original = getattr(error, "original_exception", None)
    fault = database_fault(original)
    return unavailable_response(fault, original) if fault and original else None
