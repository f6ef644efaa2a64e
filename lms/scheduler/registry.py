"""The job registry: a job is a named plain function ``(session, now) -> JobResult``.

Features declare their jobs in ``lms/<package>/jobs.py`` with one decorator::

    @scheduled_job("milestones.remind", cron="0 6 * * *", description=_l("Milestone reminders"))
    def remind_milestones(session: Session, now: datetime) -> JobResult: ...

The decorator only records the job and its *default* trigger; the schedule an admin sets on
``/admin/jobs`` is stored in the database and wins. ``load_job_modules`` imports every feature's
``jobs`` module, so registering a job needs no other edit.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from lms.scheduler.models import TriggerKind


@dataclass(frozen=True)
class JobResult:
    """What a run did, in one line for the admin page, and how many things it touched."""

    summary: str
    items: int = 0


JobFunction = Callable[[Session, datetime], JobResult]


@dataclass(frozen=True)
class JobDefinition:
    name: str
    func: JobFunction
    description: object
    trigger_kind: TriggerKind
    interval_seconds: int | None = None
    cron: str | None = None


JOBS: dict[str, JobDefinition] = {}


def scheduled_job(
    name: str,
    *,
    every: timedelta | None = None,
    cron: str | None = None,
    description: object = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``func`` as job ``name`` with a default trigger: ``every`` or ``cron``."""
    if (every is None) == (cron is None):
        raise ValueError(f"job {name!r}: give exactly one of every= or cron=")
    if cron is not None:
        from lms.scheduler.triggers import parse_cron

        parse_cron(cron)  # a bad default is a programming error: fail at import
    if every is not None and every.total_seconds() < 1:
        raise ValueError(f"job {name!r}: the interval must be at least one second")

    def decorator(func: JobFunction) -> JobFunction:
        JOBS[name] = JobDefinition(
            name=name,
            func=func,
            description=(
                description
                if description is not None
                else (func.__doc__ or "").strip().split("\n")[0]
            ),
            trigger_kind=TriggerKind.CRON if cron else TriggerKind.INTERVAL,
            interval_seconds=int(every.total_seconds()) if every else None,
            cron=cron,
        )
        return func

    return decorator


def unregister_job(name: str) -> None:
    """For tests that register throw-away jobs."""
    JOBS.pop(name, None)


def load_job_modules() -> None:
    """Import ``lms.<package>.jobs`` for every feature package the app registers."""
    from lms import BLUEPRINT_MODULES, MODEL_MODULES

    packages = {m.rsplit(".", 1)[0] for m in (*MODEL_MODULES, *BLUEPRINT_MODULES)}
    for package in sorted(packages):
        name = f"{package}.jobs"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
