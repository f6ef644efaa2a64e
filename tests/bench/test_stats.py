"""The benchmark's arithmetic: percentiles, ratios to the ceiling, the targets of issue 12."""

import pytest

from bench import stats


def test_percentile_interpolates_between_closest_ranks():
    values = [40.0, 10.0, 30.0, 20.0]  # sorted: 10 20 30 40
    assert stats.percentile(values, 0) == 10.0
    assert stats.percentile(values, 100) == 40.0
    assert stats.percentile(values, 50) == pytest.approx(25.0)
    # rank (4 - 1) * 0.95 = 2.85: 30 + 0.85 * (40 - 30)
    assert stats.percentile(values, 95) == pytest.approx(38.5)
    assert stats.percentile([7.0], 95) == 7.0
    assert stats.percentile([], 50) is None


def test_percentile_refuses_a_share_out_of_range():
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


def test_ratio_is_missing_without_a_positive_ceiling():
    assert stats.ratio(30.0, 1200.0) == pytest.approx(0.025)
    assert stats.ratio(None, 1200.0) is None
    assert stats.ratio(30.0, 0.0) is None
    assert stats.ratio(30.0, None) is None


def _page(rps, p95, bare_rps=1000.0, bare_p95=20.0, errors=0):
    return stats.PageFigures(rps, None, p95, bare_rps, bare_p95, errors)


def test_page_targets_hold_at_their_limits_and_miss_just_past_them():
    at_limit = _page(rps=200.0, p95=100.0)  # 20% of 1000 req/s, 5 x 20 ms
    assert at_limit.throughput_share == pytest.approx(0.2)
    assert at_limit.p95_multiple == pytest.approx(5.0)
    assert [c.passed for c in at_limit.checks()] == [True, True]

    past = _page(rps=199.0, p95=100.2)
    assert [c.passed for c in past.checks()] == [False, False]
    assert [c.mark for c in past.checks()] == ["❌", "❌"]


def test_the_issues_statistics_page_misses_both_targets():
    # issue 12: 0.01% of the bare route's ~1,200 req/s, p95 ~800x
    figures = _page(rps=0.12, p95=16_000.0, bare_rps=1200.0, bare_p95=20.0)
    assert figures.throughput_share == pytest.approx(0.0001)
    assert figures.p95_multiple == pytest.approx(800.0)
    assert not any(c.passed for c in figures.checks())


def test_a_page_with_failed_requests_misses_the_throughput_target():
    figures = _page(rps=900.0, p95=30.0, errors=3)
    share, p95 = figures.checks()
    assert share.value == pytest.approx(0.9) and share.passed is False
    assert p95.passed is True


def test_a_page_that_completed_nothing_misses_both_targets():
    figures = _page(rps=0.0, p95=None)
    assert figures.p95_multiple is None
    assert [c.passed for c in figures.checks()] == [False, False]


def test_pdf_share_compares_pages_per_second():
    # 12 pages in 3 s (4 pages/s) against 6 pages in 0.5 s (12 pages/s): a third
    figures = stats.PdfFigures(pages=12, seconds=3.0, bare_pages=6, bare_seconds=0.5)
    assert figures.pages_per_second == pytest.approx(4.0)
    assert figures.bare_pages_per_second == pytest.approx(12.0)
    assert figures.pages_share == pytest.approx(1 / 3)
    assert figures.checks()[0].passed is False
    assert stats.PdfFigures(6, 1.0, 6, 0.5).checks()[0].passed is True  # exactly half


def test_directorate_report_must_take_under_ten_seconds():
    assert stats.directorate_check(9.99).passed is True
    assert stats.directorate_check(10.0).passed is False
    assert stats.directorate_check(None).passed is None  # left out of the run


def test_the_largest_worker_decides_the_memory_target():
    assert stats.rss_check([120.0, 299.9]).passed is True
    check = stats.rss_check([120.0, 300.0, 150.0])
    assert check.value == 300.0 and check.passed is False
    assert stats.rss_check([]).passed is None
    assert stats.rss_check([]).mark == "❔"
