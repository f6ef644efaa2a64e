"""One benchmark run: the product and the bare app under gunicorn, each page loaded by wrk
and then its ceiling, the PDF reports beside the bare ReportLab document, the workers' memory;
then the targets, the JSON and the markdown table."""

from __future__ import annotations

import http.client
import os
import platform
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import client, database, load, pdfs, report, stats
from bench.pages import KEY_TABLES, PAGES, PDFS, ROLES, lookup_ids, placeholders
from bench.pages import resolve as resolve_path
from bench.server import TIMEOUT_S, WORKERS, Server
from lms.accounts.demo import DEMO_PASSWORD

CONNECTIONS = 16
CLIENT_THREADS = 2


@dataclass
class Options:
    database_url: str | None = None
    seconds: float = 10
    fresh: bool = False
    demo_trainees: int = 1000
    only: list[str] | None = None
    data_label: str | None = None
    pdf_rounds: int = 3
    pdf_timeout: float = 180
    strict: bool = False
    out_dir: Path = report.RESULTS_DIR


def _log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def _wanted(name: str, only: list[str] | None) -> bool:
    return not only or any(word.lower() in name.lower() for word in only)


def _machine(pg_version: str) -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gib": mem_kb / 1024 / 1024,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "gunicorn": metadata.version("gunicorn"),
        "flask": metadata.version("flask"),
        "sqlalchemy": metadata.version("sqlalchemy"),
        "reportlab": metadata.version("reportlab"),
        "wrk": load.wrk_version(),
        "load_average_start": _loadavg(),
    }


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _not_measured(page, path: str, reason: str, *, failed: bool) -> dict:
    """A page the load was not run on: failed (the server could not serve it: both targets
    missed) or not measurable here (a redirect, a 403: the harness or the data)."""
    _log(f"{page.name}: {reason}; {'FAILED' if failed else 'not measured'}")
    checks = [stats.Check("throughput share", None, stats.PAGE_MIN_THROUGHPUT_SHARE, False)]
    checks.append(stats.Check("p95 multiple", None, stats.PAGE_MAX_P95_MULTIPLE, False))
    return {
        **asdict(page),
        "path": path,
        "reason": reason,
        "failed": failed,
        "checks": [asdict(c) for c in checks] if failed else [],
    }


def _measure_pages(lms: Server, bare: Server, cookies: dict, ids: dict, opts: Options):
    measured, skipped = [], []
    for page in PAGES:
        if not _wanted(page.name, opts.only):
            continue
        path = resolve_path(page.path, ids)
        if path is None:
            skipped.append(_not_measured(page, page.path, "no record for its path", failed=False))
            continue
        cookie = cookies.get(page.role)
        timeouts_before = lms.worker_timeouts()
        try:
            first = client.request(lms.base_url, "GET", path, cookie=cookie, timeout=TIMEOUT_S + 30)
        except (OSError, http.client.HTTPException) as exc:
            # gunicorn's timeout killed the worker, or no answer in twice that: the page fails
            reason = f"one request alone failed ({type(exc).__name__}: {exc})"
            if lms.worker_timeouts() > timeouts_before:
                reason += f", killed at gunicorn's {TIMEOUT_S} s timeout"
            skipped.append(_not_measured(page, path, reason, failed=True))
            continue
        if first.status != 200:
            reason = f"one request alone answered {first.status}" + (
                f" (to {first.location})" if first.location else ""
            )
            if first.status == 500 and lms.worker_timeouts() > timeouts_before:
                reason += f", killed at gunicorn's {TIMEOUT_S} s timeout"
            skipped.append(_not_measured(page, path, reason, failed=first.status >= 500))
            continue
        size = len(first.body)
        _log(f"{page.name} ({page.role}, {path}, {size:,} bytes): {opts.seconds:.0f} s")
        result = load.run_wrk(
            lms.base_url + path, seconds=opts.seconds, connections=CONNECTIONS, cookie=cookie
        )
        ceiling = load.run_wrk(
            f"{bare.base_url}/bare/{size}", seconds=opts.seconds, connections=CONNECTIONS
        )
        figures = stats.PageFigures(
            rps=result.rps,
            p50_ms=result.p50_ms,
            p95_ms=result.p95_ms,
            bare_rps=ceiling.rps,
            bare_p95_ms=ceiling.p95_ms,
            errors=result.errors,
        )
        # answers much smaller than the page (a redirect to the login page, an error page)
        # are not the page: flagged beside the errors
        short = result.requests > 0 and (result.bytes_per_response or 0) < size / 2
        worker_mb = max(lms.worker_rss_mb().values(), default=None)
        _log(
            f"  {result.rps:.1f} req/s, p95 {result.p95_ms} ms; bare {ceiling.rps:.0f} req/s, "
            f"p95 {ceiling.p95_ms} ms; errors {result.errors}"
            + ("; ANSWERS SHORTER THAN THE PAGE" if short else "")
        )
        measured.append(
            {
                **asdict(page),
                "path": path,
                "bytes": size,
                "page": result.as_dict(),
                "bare": ceiling.as_dict(),
                "throughput_share": figures.throughput_share,
                "p95_multiple": figures.p95_multiple,
                "short_answers": short,
                "worker_rss_mb_max": worker_mb,
                "checks": [asdict(c) for c in figures.checks()],
            }
        )
    return measured, skipped


def _driver_app(env: dict[str, str]):
    """The app in this process, configured as the served one, for what is measured inside it
    (statement counts, PDFs) while gunicorn is idle."""
    os.environ.update(env)
    from lms import create_app

    return create_app()


def _count_statements(app, pages: list[dict], cookies: dict[str, str]) -> None:
    """SQL statements of one request per measured page (the same session cookie), added to
    each page's record: the figure that must stay constant in data size."""
    import sqlalchemy as sa

    from lms.core.extensions import db

    with app.app_context():
        engine = db.engine
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        http = app.test_client(use_cookies=False)  # the Cookie header as given
        for page in pages:
            cookie = cookies.get(page["role"])
            statements = 0
            response = http.get(page["path"], headers={"Cookie": cookie} if cookie else {})
            page["statements"] = statements if response.status_code == 200 else None
            _log(f"{page['name']}: {statements} SQL statements ({response.status_code})")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _measure_pdfs(env: dict[str, str], opts: Options) -> list[dict]:
    measured = []
    for pdf in PDFS:
        if not _wanted(pdf.name, opts.only):
            continue
        _log(f"{pdf.name}: up to {opts.pdf_rounds} rounds, stopped at {opts.pdf_timeout:.0f} s")
        result = pdfs.run_bounded(
            pdf.name,
            rounds=opts.pdf_rounds,
            budget_s=opts.seconds,
            timeout_s=opts.pdf_timeout,
            env=env,
        )
        if result is None:
            _log(f"  still running after {opts.pdf_timeout:.0f} s: stopped")
            check = stats.Check("pages/s share", None, stats.PDF_MIN_PAGES_SHARE, False)
            measured.append(
                {
                    "name": pdf.name,
                    "all_years": pdf.all_years,
                    "timed_out_after_s": opts.pdf_timeout,
                    "checks": [asdict(check)],
                }
            )
            continue
        figures = result.figures()
        _log(
            f"  {result.pages} pages in {result.seconds:.2f} s (data {result.data_s:.2f} s); "
            f"bare {result.bare_pages} pages in {result.bare_seconds:.3f} s"
        )
        measured.append(
            {
                **asdict(result),
                "all_years": pdf.all_years,
                "timed_out_after_s": None,
                "pages_per_second": figures.pages_per_second,
                "bare_pages_per_second": figures.bare_pages_per_second,
                "pages_share": figures.pages_share,
                "checks": [asdict(c) for c in figures.checks()],
            }
        )
    return measured


def _directorate_check(pdf_results: list[dict]) -> stats.Check:
    directorate = next((r for r in pdf_results if r["all_years"]), None)
    if directorate and directorate["timed_out_after_s"]:  # longer than that: missed
        limit = stats.DIRECTORATE_ALL_YEARS_MAX_SECONDS
        return stats.Check(stats.directorate_check(0).name, None, limit, False)
    return stats.directorate_check(directorate["seconds"] if directorate else None)


def summarise(
    pages: list[dict], pdf_results: list[dict], other: list[dict], not_measured: int = 0
) -> dict:
    checks = [c for p in pages for c in p["checks"]]  # failed pages' too
    checks += [c for r in pdf_results for c in r["checks"]]
    checks += other
    decided = [c for c in checks if c["passed"] is not None]
    return {
        "passed": sum(1 for c in decided if c["passed"]),
        "missed": sum(1 for c in decided if not c["passed"]),
        "total": len(checks),
        "not_measured": not_measured,
    }


def run(opts: Options) -> dict:
    started = datetime.now(UTC)
    url = opts.database_url or database.DEFAULT_URL
    secret = "bench-" + secrets.token_hex(16)
    if opts.database_url:
        engine = database.engine_for(url)
        source = opts.data_label or database.comment(engine) or "a given, already-loaded database"
        load_seconds = None
    else:
        loaded = database.prepare(
            url, fresh=opts.fresh, demo_trainees=opts.demo_trainees, env={"SECRET_KEY": secret}
        )
        source, load_seconds = opts.data_label or loaded.source, loaded.seconds
        engine = database.engine_for(url)
    described = database.describe(engine)
    needed = {name for page in PAGES for name in placeholders(page.path)} | {"project_id"}
    with engine.connect() as connection:
        ids = lookup_ids(connection, needed)
    engine.dispose()
    machine = _machine(described["postgresql"])
    counts = described["row_counts"]

    log_dir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    env = {
        "LMS_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on the loopback
        # No benchmarked page is rate-limited; the limits' counts need no shared storage here.
        "LMS_RATELIMIT_ALLOW_MEMORY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    lms = Server("lms", "lms:create_app()", env)
    lms.env["LMS_BASE_URL"] = lms.base_url
    bare = Server("bare", "bench.bare_app:app", {"PYTHONUNBUFFERED": "1"})
    try:
        _log(f"gunicorn, {WORKERS} workers each: the app on :{lms.port}, bare on :{bare.port}")
        lms.start(log_dir, ready_path="/healthz")
        bare.start(log_dir, ready_path="/bare/100")
        load.run_wrk(f"{bare.base_url}/bare/10000", seconds=2, connections=CONNECTIONS)
        roles = {page.role for page in PAGES if _wanted(page.name, opts.only)}
        cookies = {
            role: client.login(lms.base_url, ROLES[role], DEMO_PASSWORD)
            for role in sorted(roles)
            if ROLES[role]
        }
        rss_before = lms.worker_rss_mb()
        pages, skipped = _measure_pages(lms, bare, cookies, ids, opts)
        rss_after_pages = lms.worker_rss_mb()
        app = _driver_app(lms.env)
        _count_statements(app, pages, cookies)
        pdf_results = _measure_pdfs(lms.env, opts)
        rss_after = lms.worker_rss_mb()
        restarted = lms.restarted_workers()
        worker_timeouts = lms.worker_timeouts()
    finally:
        lms.stop()
        bare.stop()
    directorate = next((r for r in pdf_results if r["all_years"]), None)
    stopped = directorate["timed_out_after_s"] if directorate else None
    other = [
        asdict(_directorate_check(pdf_results))
        | ({"note": f"stopped after {stopped:.0f} s"} if stopped else {}),
        asdict(stats.rss_check(list(rss_after.values()))),
    ]
    machine["load_average_end"] = _loadavg()
    finished = datetime.now(UTC)
    results = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": (finished - started).total_seconds(),
        "settings": {
            "seconds": opts.seconds,
            "connections": CONNECTIONS,
            "client_threads": CLIENT_THREADS,
            "workers": WORKERS,
            "gunicorn_timeout_s": TIMEOUT_S,
            "load_tool": machine["wrk"].split(" [")[0],
            "pdf_rounds": opts.pdf_rounds,
            "pdf_timeout_s": opts.pdf_timeout,
            "only": opts.only,
        },
        "machine": machine,
        "data": {
            "database": database.display_url(url),
            "source": source,
            "load_seconds": load_seconds,
            "revision": described["revision"],
            "key_row_counts": {t: counts[t] for t in KEY_TABLES if t in counts},
            "row_counts": counts,
            "ids": ids,
        },
        "pages": pages,
        "skipped_pages": skipped,
        "pdfs": pdf_results,
        "workers": {
            "rss_mb_before": {str(k): v for k, v in rss_before.items()},
            "rss_mb_after_pages": {str(k): v for k, v in rss_after_pages.items()},
            "rss_mb_after": {str(k): v for k, v in rss_after.items()},
            "restarted": restarted,
            "timeouts": worker_timeouts,
            "gunicorn_logs": str(log_dir),
        },
        "other_checks": other,
        "summary": summarise(
            pages + [p for p in skipped if p["failed"]],
            pdf_results,
            other,
            sum(1 for p in skipped if not p["failed"]),
        ),
    }
    return results


def main(opts: Options) -> int:
    started = time.monotonic()
    results = run(opts)
    json_path, md_path = report.write(results, opts.out_dir)
    print(report.render_markdown(results))
    _log(f"wrote {json_path}, {md_path} and latest.* in {time.monotonic() - started:.0f} s")
    if opts.strict and results["summary"]["missed"]:
        return 1
    return 0
