"""The results as JSON and as a markdown table: a timestamped pair under ``bench/results/``
and ``latest.json``/``latest.md`` beside them. Pure formatting over the results dict."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).with_name("results")


def share(value: float | None) -> str:
    """A throughput share as a percentage: two decimals below 1%, one below 10%, else none."""
    if value is None:
        return "—"
    pct = value * 100
    if pct < 1:
        return f"{pct:.2f}%"
    if pct < 10:
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"


def multiple(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}×" if value < 10 else f"{value:,.0f}×"


def number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return number(value, 1 if value < 100 else 0)


def mark(passed: bool | None) -> str:
    return {True: "✅", False: "❌", None: "❔"}[passed]


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def _check(checks: list[dict], name: str) -> dict:
    return next(c for c in checks if c["name"] == name)


def _machine_lines(results: dict) -> list[str]:
    m, s, d = results["machine"], results["settings"], results["data"]
    counts = " · ".join(f"{name} {count:,}" for name, count in d["key_row_counts"].items())
    return [
        f"- **Machine**: {m['cores']} cores ({m['cpu_model']}), {m['ram_gib']:.0f} GiB RAM, "
        f"Python {m['python']}, {m['postgresql']}; load average "
        f"{m['load_average_start']} at the start, {m['load_average_end']} at the end "
        f"(the machine is shared: figures move with the other work on it, the ratios less).",
        f"- **Stack**: gunicorn {m['gunicorn']}, {s['workers']} sync workers, timeout "
        f"{s['gunicorn_timeout_s']} s, `LMS_ENV=production`; {s['load_tool']}, "
        f"{s['connections']} connections on {s['client_threads']} threads, {s['seconds']} s per "
        f"page and {s['seconds']} s for its ceiling right after it.",
        f"- **Data**: {d['source']} in `{d['database']}`; rows: {counts}.",
        f"- **Run**: {results['started_at']} to {results['finished_at']} "
        f"({results['duration_s']:.0f} s).",
    ]


def render_markdown(results: dict) -> str:
    lines = [f"# Benchmark of {results['started_at'][:10]}", ""]
    lines += _machine_lines(results)
    lines += [
        "",
        f"## Pages ({results['settings']['connections']} concurrent clients)",
        "",
        "Ceiling: a bare Flask route (`bench/bare_app.py`) served by the same gunicorn settings, "
        "returning a fixed page of the same size, measured right after each page.",
        "",
        "| page | role | KB | req/s | p50 ms | p95 ms | bare req/s | bare p95 ms "
        "| throughput share (≥ 20%) | p95 × bare (≤ 5×) | errors | SQL/req "
        "| largest worker MB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in results["pages"]:
        page, bare = p["page"], p["bare"]
        share_check = _check(p["checks"], "throughput share")
        p95_check = _check(p["checks"], "p95 multiple")
        lines.append(
            f"| {p['name']} | {p['role']} | {p['bytes'] / 1024:,.0f} | {number(page['rps'], 1)} "
            f"| {ms(page['p50_ms'])} | {ms(page['p95_ms'])} | {number(bare['rps'])} "
            f"| {ms(bare['p95_ms'])} "
            f"| {share(p['throughput_share'])} {mark(share_check['passed'])} "
            f"| {multiple(p['p95_multiple'])} {mark(p95_check['passed'])} "
            f"| {page['errors']}{' (answers shorter than the page)' if p['short_answers'] else ''} "
            f"| {number(p.get('statements'))} | {number(p['worker_rss_mb_max'])} |"
        )
    for skipped in results.get("skipped_pages", []):
        what, cell = ("failed", "❌") if skipped.get("failed") else ("not measured", "❔")
        lines.append(
            f"| {skipped['name']} | {skipped['role']} | {what}: {skipped['reason']} "
            f"| | | | | | {cell} | {cell} | | | |"
        )
    lines += [
        "",
        "## PDF reports",
        "",
        "Timed in one process against the same database: reading the data and laying out "
        "the PDF, median of the rounds. Ceiling: a bare ReportLab document "
        "(`bench/bare_pdf.py`) with the same tables, plain string cells, one layout pass.",
        "",
        "| report | subject | pages | data s | layout s | total s | pages/s "
        "| bare pages | bare pages/s | pages/s share (≥ 50%) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results["pdfs"]:
        if r.get("timed_out_after_s"):
            lines.append(
                f"| {r['name']} | | | | | stopped after {r['timed_out_after_s']:.0f} s "
                "| | | | — ❌ |"
            )
            continue
        lines.append(
            f"| {r['name']} | {r['subject']} | {r['pages']} | {r['data_s']:.2f} "
            f"| {r['render_s']:.2f} | {r['seconds']:.2f} | {number(r['pages_per_second'], 1)} "
            f"| {r['bare_pages']} | {number(r['bare_pages_per_second'], 1)} "
            f"| {share(r['pages_share'])} {mark(r['checks'][0]['passed'])} |"
        )
    lines += ["", "## Other targets", "", "| target | figure | limit | |", "|---|--:|--:|---|"]
    for c in results["other_checks"]:
        lines.append(
            f"| {c['name']} | {c.get('note') or number(c['value'], 1)} "
            f"| {number(c['limit'], 0)} "
            f"| {mark(c['passed'])} |"
        )
    w = results["workers"]
    rss = ", ".join(f"{v:.0f}" for v in sorted(w["rss_mb_after"].values()))
    lines += [
        "",
        f"Worker RSS after the run (MB): {rss or '—'}; before the pages: "
        f"{', '.join(f'{v:.0f}' for v in sorted(w['rss_mb_before'].values())) or '—'}; "
        f"workers replaced by gunicorn during the run: {w['restarted']} "
        f"({w.get('timeouts', 0)} requests killed at its timeout).",
        "",
        f"**{results['summary']['passed']} of {results['summary']['total']} targets hold**"
        + (
            f" ({_pages(results['summary']['not_measured'])} not measured)."
            if results["summary"].get("not_measured")
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def write(results: dict, out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """``<stamp>.json``/``<stamp>.md`` and ``latest.json``/``latest.md``; returns the pair."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = results["started_at"].replace(":", "").replace("-", "")[:15]
    text_json = json.dumps(results, indent=2, sort_keys=False) + "\n"
    text_md = render_markdown(results)
    for stem in (stamp, "latest"):
        (out_dir / f"{stem}.json").write_text(text_json)
        (out_dir / f"{stem}.md").write_text(text_md)
    return out_dir / f"{stamp}.json", out_dir / f"{stamp}.md"
