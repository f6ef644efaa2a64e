"""Scheduler test helpers: throw-away jobs registered for one test, and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from lms.scheduler.registry import register_job as add_job
from lms.scheduler.registry import scheduled_job, unregister_job

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def register_job(app) -> Iterator[Callable]:
    """``register_job("test.x", func, every=timedelta(...))``; unregistered after the test."""
    names: list[str] = []

    def register(name: str, func: Callable, **trigger) -> Callable:
        names.append(name)
        job = scheduled_job(name, **trigger)(func)
        add_job(job)
        return job

    yield register
    for name in names:
        unregister_job(name)
