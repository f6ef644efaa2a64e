"""Issue 11, defect 4a: the framework CSV export neutralises cells a spreadsheet would run as
formulas, with the one function the report exports use (``lms.core.spreadsheet``), and the
import restores them, so the Moodle round trip stays exact."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from lms.core import spreadsheet
from lms.core.extensions import db
from lms.frameworks import imports as import_services
from lms.frameworks import services
from lms.frameworks.importers import parse_moodle_csv
from lms.frameworks.models import Competency, Framework
from lms.reports import exports
from tests.conftest import login
from tests.frameworks.conftest import describe

PAYLOADS = {
    "GOV": ("short_name", '=HYPERLINK("http://evil.example","Click")'),
    "GOV.1": ("description", "+cmd|' /C calc'!A0"),
    "GOV.2": ("short_name", "-2+3"),
    "RISK": ("short_name", "@SUM(A1:A9)"),
    "RISK.1": ("description", "\tTabbed start"),
    "RISK.1.a": ("description", "\rCarriage return start"),
}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_start_is_quoted_and_restored(start):
    assert spreadsheet.neutralise_formula(f"{start}1") == f"'{start}1"
    assert spreadsheet.restore_formula(f"'{start}1") == f"{start}1"


def test_other_values_are_left_alone():
    for value in ("Plain text", "'quoted already", "1=1", " =space first", "", 42, None, 1.5):
        assert spreadsheet.neutralise_formula(value) == value
    assert spreadsheet.restore_formula("'quoted") == "'quoted"
    assert spreadsheet.restore_formula("'") == "'"


def test_the_report_exports_use_the_same_function():
    assert exports.neutralise_formula is spreadsheet.neutralise_formula


def test_the_framework_csv_download_neutralises_formulas_and_round_trips(
    client, make_framework, editor
):
    fw = make_framework()
    codes = {c.code: c for c in services.load_competencies(db.session, fw)}
    for code, (field, payload) in PAYLOADS.items():
        setattr(codes[code], field, payload)
    fw.description = "=1+1"
    db.session.commit()
    before = describe(fw)
    for code in ("RISK.1", "RISK.1.a"):  # the import strips a description's outer whitespace
        before["competencies"][code]["description"] = PAYLOADS[code][1].strip()

    login(client, editor)
    response = client.get(f"/frameworks/{fw.id}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(spreadsheet.FORMULA_START)]
    assert rows[1][3] == "'=1+1"
    by_code = {row[1]: row for row in rows[2:]}
    assert by_code["GOV"][2] == "'" + PAYLOADS["GOV"][1]
    assert by_code["RISK"][2] == "'@SUM(A1:A9)"
    assert by_code["GOV.2"][2] == "'-2+3"
    assert by_code["RISK.1"][3].startswith("'\tTabbed start")

    services.delete_framework(db.session, fw, actor=editor)
    db.session.commit()
    result = parse_moodle_csv(response.get_data())
    assert result.ok, result.problems
    imported = import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.commit()
    assert describe(imported) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == len(codes)
