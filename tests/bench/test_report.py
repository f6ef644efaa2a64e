"""The markdown writer: each figure beside its ceiling, the ratio and a mark per target."""

import json
from dataclasses import asdict

from bench import report, stats
from bench.run import summarise


def _load(rps, p50, p95, errors=0):
    return {"rps": rps, "p50_ms": p50, "p95_ms": p95, "errors": errors}


def _page(name, role, size, page, bare, short=False, statements=12):
    figures = stats.PageFigures(
        page["rps"], page["p50_ms"], page["p95_ms"], bare["rps"], bare["p95_ms"], page["errors"]
    )
    return {
        "name": name,
        "role": role,
        "path": "/x",
        "bytes": size,
        "page": page,
        "bare": bare,
        "throughput_share": figures.throughput_share,
        "p95_multiple": figures.p95_multiple,
        "short_answers": short,
        "statements": statements,
        "worker_rss_mb_max": 131.4,
        "checks": [asdict(c) for c in figures.checks()],
    }


def _results():
    pages = [
        # 300 of 1,200 req/s (25%), p95 40 ms against 10 ms (4x): both hold
        _page("login page", "anonymous", 2048, _load(300.0, 20.0, 40.0), _load(1200.0, 5, 10.0)),
        # issue 12's statistics page: 0.01% and 800x
        _page(
            "statistics page",
            "directorate",
            40960,
            _load(0.12, 9000.0, 16000.0, errors=4),
            _load(1200.0, 6.0, 20.0),
        ),
    ]
    pdf_figures = stats.PdfFigures(pages=10, seconds=2.0, bare_pages=5, bare_seconds=0.1)
    pdfs = [
        {
            "name": "directorate report, all years",
            "subject": "2023-01-01 to 2026-12-02",
            "pages": 10,
            "data_s": 1.5,
            "render_s": 0.5,
            "seconds": 2.0,
            "bare_pages": 5,
            "all_years": True,
            "pages_per_second": pdf_figures.pages_per_second,
            "bare_pages_per_second": pdf_figures.bare_pages_per_second,
            "pages_share": pdf_figures.pages_share,
            "checks": [asdict(c) for c in pdf_figures.checks()],
        }
    ]
    other = [asdict(stats.directorate_check(2.0)), asdict(stats.rss_check([120.0, 310.0]))]
    skipped = [
        {"name": "project page", "role": "manager", "reason": "answered 403", "failed": False},
        {
            "name": "trainees list",
            "role": "trainer",
            "reason": "one request alone failed (RemoteDisconnected)",
            "failed": True,
            "checks": [
                asdict(stats.Check("throughput share", None, 0.2, False)),
                asdict(stats.Check("p95 multiple", None, 5.0, False)),
            ],
        },
    ]
    pdfs.append(
        {
            "name": "project report",
            "all_years": False,
            "timed_out_after_s": 180,
            "checks": [asdict(stats.Check("pages/s share", None, 0.5, False))],
        }
    )
    return {
        "started_at": "2026-12-02T07:20:00+00:00",
        "finished_at": "2026-12-02T07:30:00+00:00",
        "duration_s": 600.0,
        "settings": {
            "seconds": 10,
            "connections": 16,
            "client_threads": 2,
            "workers": 4,
            "gunicorn_timeout_s": 30,
            "load_tool": "wrk 4.1.0",
        },
        "machine": {
            "cores": 2,
            "cpu_model": "Some CPU",
            "ram_gib": 23.4,
            "python": "3.11.7",
            "postgresql": "PostgreSQL 15.20",
            "gunicorn": "23.0.0",
            "load_average_start": "1.0 1.0 1.0",
            "load_average_end": "2.0 1.5 1.0",
        },
        "data": {
            "database": "postgresql://postgres@127.0.0.1:5432/lms_bench",
            "source": "`lms generate --size XL`",
            "key_row_counts": {"users": 10000, "competency_ratings": 300000},
        },
        "pages": pages,
        "skipped_pages": skipped,
        "pdfs": pdfs,
        "workers": {
            "rss_mb_before": {"11": 110.0, "12": 112.0},
            "rss_mb_after": {"11": 120.0, "12": 310.0},
            "restarted": 1,
            "timeouts": 1,
        },
        "other_checks": other,
        "summary": summarise([*pages, skipped[1]], pdfs, other, 1),
    }


def _row(markdown, first_cell):
    return next(line for line in markdown.splitlines() if line.startswith(f"| {first_cell} |"))


def test_page_rows_show_figures_ratios_and_marks():
    markdown = report.render_markdown(_results())
    login = _row(markdown, "login page").split(" | ")
    assert login[2:8] == ["2", "300.0", "20.0", "40.0", "1,200", "10.0"]
    assert login[8:10] == ["25% ✅", "4.0× ✅"]
    statistics = _row(markdown, "statistics page")
    assert "0.01% ❌" in statistics and "800× ❌" in statistics and "| 4 |" in statistics
    assert "not measured: answered 403" in _row(markdown, "project page")
    failed = _row(markdown, "trainees list")
    assert "failed: one request alone failed" in failed and failed.count("❌") == 2
    # every row of the page table has as many cells as its header
    header = _row(markdown, "page").count("|")
    names = ("login page", "project page", "trainees list")
    assert all(_row(markdown, n).count("|") == header for n in names)


def test_pdf_and_other_targets():
    markdown = report.render_markdown(_results())
    # 5 pages/s against 50 pages/s: 10%
    assert "| 5.0 | 5 | 50.0 | 10% ❌ |" in _row(markdown, "directorate report, all years")
    assert _row(markdown, "directorate report, all years (s)").endswith("| 2.0 | 10 | ✅ |")
    assert _row(markdown, "largest worker RSS (MB)").endswith("| 310.0 | 300 | ❌ |")
    assert "stopped after 180 s" in _row(markdown, "project report")
    assert _row(markdown, "project report").endswith("— ❌ |")
    assert "replaced by gunicorn during the run: 1 (1 requests killed at its timeout)" in markdown
    assert "users 10,000 · competency_ratings 300,000" in markdown


def test_summary_counts_every_target():
    summary = _results()["summary"]
    # login: 2 held; statistics and the failed trainees list: 4 missed; both PDFs missed;
    # directorate time held, RSS missed
    assert summary == {"passed": 3, "missed": 7, "total": 10, "not_measured": 1}
    assert "**3 of 10 targets hold** (1 page not measured)." in report.render_markdown(_results())


def test_ratio_formats():
    assert report.share(0.0001) == "0.01%"
    assert report.share(0.072) == "7.2%"
    assert report.share(0.25) == "25%"
    assert report.share(None) == "—"
    assert report.multiple(4.04) == "4.0×" and report.multiple(1234.0) == "1,234×"


def test_write_makes_a_timestamped_pair_and_latest(tmp_path):
    results = _results()
    json_path, md_path = report.write(results, tmp_path)
    assert json_path.name == "20261202T072000.json" and md_path.name == "20261202T072000.md"
    assert json.loads((tmp_path / "latest.json").read_text()) == results
    assert (tmp_path / "latest.md").read_text() == md_path.read_text()
    assert md_path.read_text() == report.render_markdown(results)
