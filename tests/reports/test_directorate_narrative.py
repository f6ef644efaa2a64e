"""The directorate's overview: typed on the report form, kept with the run's parameters,
printed literally (markup characters and all) as the "Overview" near the top of the PDF."""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.reports.models import NARRATIVE_MAX, ReportRun, RunStatus
from tests.conftest import post_form
from tests.reports.conftest import pdf_text

NARRATIVE = (
    'Year one: <b>not bold</b> & <font color="red">not red</font> — 5 < 6 > 4.\n'
    "Second line of the same paragraph.\n"
    "\n"
    "A new paragraph with %(name)s and <br/> kept as typed."
)


def _generate(client, **extra):
    data = {"kind": "directorate", "format": "pdf", "start": "2026-01-01", "end": "2026-06-30"}
    return post_form(client, "/reports/generate", data | extra)


def test_the_overview_is_kept_and_printed_literally_near_the_top(app, client, logged_in):
    logged_in(Role.DIRECTORATE)
    assert 'name="narrative"' in client.get("/reports/").get_data(as_text=True)
    response = _generate(client, narrative=NARRATIVE)
    assert response.status_code == 302
    run = db.session.scalars(sa.select(ReportRun)).one()
    assert run.status == RunStatus.DONE, run.error
    assert run.parameters["narrative"] == NARRATIVE

    text, _pages = pdf_text(run.content)
    lines = [line.strip() for line in text.splitlines()]
    for line in NARRATIVE.splitlines():
        if line:
            assert line in lines, line  # every typed line, character for character
    # After the cover and contents: the overview heading, its text, then the summary.
    body = text[text.index("page 1 of") :]
    assert body.index("Overview\nYear one:") < body.index("Summary\n")


def test_without_an_overview_there_is_no_overview_section(app, client, logged_in):
    logged_in(Role.DIRECTORATE)
    _generate(client, narrative="   ")
    run = db.session.scalars(sa.select(ReportRun)).one()
    assert "narrative" not in run.parameters
    text, _pages = pdf_text(run.content)
    assert "Overview" not in text


def test_the_overview_travels_in_the_csv_and_is_bounded(app, client, logged_in):
    logged_in(Role.DIRECTORATE)
    _generate(client, narrative="=1+1 & <i>x</i>", format="csv")
    run = db.session.scalars(sa.select(ReportRun)).one()
    with zipfile.ZipFile(io.BytesIO(run.content)) as archive:
        name = next(n for n in archive.namelist() if "overview" in n)
        assert "'=1+1 & <i>x</i>" in archive.read(name).decode("utf-8-sig")

    response = _generate(client, narrative="x" * (NARRATIVE_MAX + 1))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ReportRun.id))) == 1  # refused
