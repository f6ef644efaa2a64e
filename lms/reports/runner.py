"""Running report runs: ``execute_run`` is the one entry point — the background executor
calls it after the request that queued a run has committed, tests call it directly, and a
scheduled job can call ``execute_queued_runs`` to pick up runs left queued by a restart.

These functions are a transaction boundary (like a view or a CLI command): they commit the
claim, so the page shows "running", and then the outcome.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask, current_app

from lms.core import clock
from lms.core.extensions import db
from lms.reports import services
from lms.reports.models import ReportRun, RunStatus

log = logging.getLogger("lms.reports")


def execute_run(run_id: int) -> ReportRun | None:
    """Claim the queued run (only one caller gets it), generate it and record the outcome.
    Returns the run, or ``None`` when it was not queued (already taken or finished)."""
    session = db.session
    if not services.claim_run(session, run_id):
        session.rollback()
        return None
    session.commit()
    run = session.get(ReportRun, run_id)
    services.perform_run(session, run, clock.today())
    session.commit()
    return run


def execute_queued_runs(limit: int = 20) -> list[int]:
    """Runs still queued (e.g. the process stopped before running them), oldest first."""
    ids = db.session.scalars(
        sa.select(ReportRun.id)
        .where(ReportRun.status == RunStatus.QUEUED)
        .order_by(ReportRun.requested_at, ReportRun.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return [run_id for run_id in ids if execute_run(run_id) is not None]


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-run")
        return _pool


def _run_in_context(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute_run(run_id)
        except Exception:  # pragma: no cover - logged; the run stays queued for a retry
            log.exception("Background report run %s crashed", run_id)
            db.session.rollback()
        finally:
            db.session.remove()


def submit(run_id: int) -> None:
    """Run in the background with its own app context and session. Call after commit. With
    ``REPORTS_RUN_INLINE`` set (tests), run at once in the caller's context instead."""
    app = current_app._get_current_object()
    if app.config.get("REPORTS_RUN_INLINE"):
        execute_run(run_id)
        return
    _executor().submit(_run_in_context, app, run_id)
