"""The job registry: a job is a named plain function ``(session, now) -> JobResult``.

Features declare their jobs in ``lms/<package>/jobs.py`` with one decorator::

    @scheduled_job("milestones.remind", cron="0 6 * * *", description=_l("Milestone reminders"))
    def remind_milestones(session: Session, now: datetime) -> JobResult: ...

The decorator only attaches the job's name and *default* trigger to the function; the
feature lists the function in its registration entry (``Feature.jobs``) and
``lms.features.wire`` registers it, so importing a jobs module registers nothing. The schedule
an admin sets on ``/admin/jobs`` is stored in the database and wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from lms.scheduler.models import TriggerKind


@dataclass(frozen=True)
class JobResult:
    """What a run did, in one line for the admin page, and how many things it touched.

    ``summary`` is the English line (logs, tests); a result built with ``JobResult.say`` also
    keeps its message and values, so the admin page shows the line in the reader's language."""

    summary: str
    items: int = 0
    message: str | None = None
    values: Mapping[str, Any] | None = None

    @classmethod
    def say(cls, message: str, items: int = 0, **values: Any) -> JobResult:
        """``message``: an English text marked with ``N_`` (extracted, translated when shown)
        with ``%(name)s`` placeholders filled from ``values`` (numbers and plain strings)."""
        return cls(message % values, items, message, values)


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
        func.job_definition = JobDefinition(  # type: ignore[attr-defined]
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


def register_job(func: JobFunction) -> JobDefinition:
    """Make a ``scheduled_job`` function known to the scheduler and the jobs page."""
    definition: JobDefinition = func.job_definition  # type: ignore[attr-defined]
    JOBS[definition.name] = definition
    return definition


def unregister_job(name: str) -> None:
    """For tests that register throw-away jobs."""
    JOBS.pop(name, None)
