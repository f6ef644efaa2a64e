"""The pure arithmetic of the benchmark: percentiles, ratios to the same run's ceiling and the
targets of issue 12 item 3. No I/O here, so all of it is unit-tested."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Issue 12 item 3, at 16 clients on 2 cores. Never loosened: a missed target is reported.
PAGE_MIN_THROUGHPUT_SHARE = 0.20  # a page serves at least 20% of the bare route's requests/s
PAGE_MAX_P95_MULTIPLE = 5.0  # and its p95 is at most 5x the bare route's p95
PDF_MIN_PAGES_SHARE = 0.50  # a report makes at least 50% of the bare document's pages/s
DIRECTORATE_ALL_YEARS_MAX_SECONDS = 10.0  # the directorate report over all years
WORKER_MAX_RSS_MB = 300.0  # every gunicorn worker after the whole benchmark


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (numpy's
    default); None for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float | None, ceiling: float | None) -> float | None:
    """value / ceiling, or None when either is missing or the ceiling is not positive."""
    if value is None or ceiling is None or ceiling <= 0:
        return None
    return value / ceiling


@dataclass(frozen=True)
class Check:
    """One target: what is measured, the limit and whether it holds (None: not measurable)."""

    name: str
    value: float | None
    limit: float
    passed: bool | None

    @property
    def mark(self) -> str:
        return {True: "✅", False: "❌", None: "❔"}[self.passed]


def at_least(name: str, value: float | None, limit: float) -> Check:
    """A figure that must reach the limit; a missing figure (nothing completed) misses it."""
    return Check(name, value, limit, value is not None and value >= limit)


def at_most(name: str, value: float | None, limit: float) -> Check:
    return Check(name, value, limit, value is not None and value <= limit)


def below(name: str, value: float | None, limit: float) -> Check:
    return Check(name, value, limit, value is not None and value < limit)


@dataclass(frozen=True)
class PageFigures:
    """A measured page beside its ceiling (the bare route serving a page of the same size)."""

    rps: float
    p50_ms: float | None
    p95_ms: float | None
    bare_rps: float
    bare_p95_ms: float | None
    errors: int = 0

    @property
    def throughput_share(self) -> float | None:
        return ratio(self.rps, self.bare_rps)

    @property
    def p95_multiple(self) -> float | None:
        return ratio(self.p95_ms, self.bare_p95_ms)

    def checks(self) -> list[Check]:
        """Both page targets; a page that answered errors (non-2xx/3xx, timeouts) misses the
        throughput target whatever its figure, as failed requests are not served pages."""
        share = at_least("throughput share", self.throughput_share, PAGE_MIN_THROUGHPUT_SHARE)
        if self.errors:
            share = Check(share.name, share.value, share.limit, False)
        return [share, at_most("p95 multiple", self.p95_multiple, PAGE_MAX_P95_MULTIPLE)]


@dataclass(frozen=True)
class PdfFigures:
    """A PDF report's pages per second beside the bare ReportLab document's."""

    pages: int
    seconds: float
    bare_pages: int
    bare_seconds: float

    @property
    def pages_per_second(self) -> float | None:
        return ratio(self.pages, self.seconds)

    @property
    def bare_pages_per_second(self) -> float | None:
        return ratio(self.bare_pages, self.bare_seconds)

    @property
    def pages_share(self) -> float | None:
        return ratio(self.pages_per_second, self.bare_pages_per_second)

    def checks(self) -> list[Check]:
        return [at_least("pages/s share", self.pages_share, PDF_MIN_PAGES_SHARE)]


def rss_check(worker_rss_mb: Sequence[float]) -> Check:
    """Every worker under the limit: the largest one decides (no worker read: not measurable)."""
    if not worker_rss_mb:
        return Check("largest worker RSS (MB)", None, WORKER_MAX_RSS_MB, None)
    return below("largest worker RSS (MB)", max(worker_rss_mb), WORKER_MAX_RSS_MB)


def directorate_check(seconds: float | None) -> Check:
    """Not measured (None) is not decided: the report was left out of the run."""
    name = "directorate report, all years (s)"
    if seconds is None:
        return Check(name, None, DIRECTORATE_ALL_YEARS_MAX_SECONDS, None)
    return below(name, seconds, DIRECTORATE_ALL_YEARS_MAX_SECONDS)
