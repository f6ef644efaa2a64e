"""The three PDF reports, timed in this process against the benchmark's database: reading the
plain data (``lms.reports.data``) and laying out the PDF (``lms.reports.documents``), as a
report run does; beside each, the bare ReportLab document with the same tables."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from bench import bare_pdf, stats
from bench.pages import Pdf


@dataclass(frozen=True)
class PdfResult:
    name: str
    subject: str
    rounds: int
    data_s: float  # median seconds reading the data
    render_s: float  # median seconds laying out the PDF
    seconds: float  # median total
    pages: int
    size: int
    bare_rounds: int
    bare_seconds: float
    bare_pages: int

    def figures(self) -> stats.PdfFigures:
        return stats.PdfFigures(self.pages, self.seconds, self.bare_pages, self.bare_seconds)


def _median(values: list[float]) -> float:
    return stats.percentile(values, 50) or 0.0


def _subject(session, pdf: Pdf, today: date):
    """(what the report is about, a function reading its data) for one PDF of ``PDFS``."""
    from lms.accounts.models import User
    from lms.projects.models import Project
    from lms.reports import data as report_data
    from lms.reports import documents

    if pdf.kind == "trainee":
        trainee = session.scalars(sa.select(User).where(User.email == "trainee@example.org")).one()
        return (
            trainee.email,
            lambda: report_data.trainee_report_data(session, trainee, today),
            documents.trainee_pdf,
        )
    if pdf.kind == "project":
        from bench.pages import IDS

        project_id = session.execute(sa.text(IDS["project_id"])).scalar()
        project = session.get(Project, project_id)
        return (
            project.code,
            lambda: report_data.project_report_data(session, project, today),
            documents.project_pdf,
        )
    start = date(today.year, 1, 1)
    if pdf.all_years:
        from lms.courses.models import CourseSession

        first = session.scalar(sa.select(sa.func.min(CourseSession.starts_on)))
        start = date(first.year, 1, 1) if first else start
    return (
        f"{start.isoformat()} to {today.isoformat()}",
        lambda: report_data.directorate_data(session, start, today, today),
        documents.directorate_pdf,
    )


def measure(app, pdf: Pdf, *, rounds: int, budget_s: float) -> PdfResult:
    """At least one round, then more up to ``rounds`` while ``budget_s`` is not spent; the
    medians are reported. The session is emptied between rounds, as each run starts afresh."""
    from lms.core import clock
    from lms.core.extensions import db

    with app.test_request_context("/"):
        today = clock.today()
        data_times, render_times, total_times = [], [], []
        pages = size = 0
        tables = []
        started = time.perf_counter()
        while not total_times or (
            len(total_times) < rounds and time.perf_counter() - started < budget_s
        ):
            db.session.expunge_all()
            subject, read, render = _subject(db.session, pdf, today)
            t0 = time.perf_counter()
            data = read()
            t1 = time.perf_counter()
            content = render(data)
            t2 = time.perf_counter()
            data_times.append(t1 - t0)
            render_times.append(t2 - t1)
            total_times.append(t2 - t0)
            pages, size, tables = bare_pdf.page_count(content), len(content), data.tables()
        db.session.rollback()
    bare = [bare_pdf.timed_render(tables) for _ in range(max(3, len(total_times)))]
    return PdfResult(
        name=pdf.name,
        subject=subject,
        rounds=len(total_times),
        data_s=_median(data_times),
        render_s=_median(render_times),
        seconds=_median(total_times),
        pages=pages,
        size=size,
        bare_rounds=len(bare),
        bare_seconds=_median([b.seconds for b in bare]),
        bare_pages=bare[-1].pages,
    )


MARKER = "PDF_JSON "


def run_bounded(name: str, *, rounds: int, budget_s: float, timeout_s: float, env: dict):
    """``measure`` in a child process (``python -m bench.pdfs``), killed after ``timeout_s``:
    a report that takes minutes cannot hold the benchmark. None when it was killed."""
    import json
    import os
    import subprocess
    import sys

    from bench.server import ROOT

    command = [sys.executable, "-m", "bench.pdfs", name, str(rounds), str(budget_s)]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"measuring {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return PdfResult(**json.loads(line[len(MARKER) :]))


def _main(argv: list[str]) -> None:
    import json
    from dataclasses import asdict

    from bench.pages import PDFS
    from lms import create_app

    name, rounds, budget = argv
    pdf = next(p for p in PDFS if p.name == name)
    result = measure(create_app(), pdf, rounds=int(rounds), budget_s=float(budget))
    print(MARKER + json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    import sys

    _main(sys.argv[1:])
