"""The share of a project's time elapsed, which the RAG rule compares progress against."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.projects.models import Project
from lms.projects.services import time_elapsed

START = date(2025, 1, 1)


def _project(days: int) -> Project:
    return Project(start_date=START, end_date=START + timedelta(days=days))


@pytest.mark.parametrize(
    ("days", "offset", "expected"),
    [
        (100, -5, 0.0),  # not started: nothing elapsed, never negative
        (100, 0, 0.0),
        (100, 25, 25 / 100),
        (100, 100, 1.0),
        (100, 150, 1.0),  # over: capped at all of it
        (0, -1, 0.0),  # a one-day project: before its day nothing, from it everything
        (0, 0, 1.0),
        (0, 3, 1.0),
    ],
)
def test_time_elapsed_is_the_share_of_the_span_within_zero_and_one(days, offset, expected):
    assert time_elapsed(_project(days), START + timedelta(days=offset)) == pytest.approx(expected)
