"""Files as real Moodle sites export them: headers in the spelling of older and newer Moodle
versions and in any order, HTML descriptions (sanitised), multi-line quoted fields, a UTF-8
byte-order mark, CRLF line ends and the semicolon that spreadsheets write in French locales."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.core.html_text import html_to_text
from lms.frameworks import imports as import_services
from lms.frameworks.csv_columns import field_for, sniff_delimiter
from lms.frameworks.exporters import export_moodle_csv
from lms.frameworks.importers import parse_moodle_csv
from lms.frameworks.models import Competency, Framework, ImportFormat
from tests.frameworks.conftest import describe

SCALE_CONFIG = (
    '[{"scaleid":"3"},{"id":1,"scaledefault":0,"proficient":0},'
    '{"id":2,"scaledefault":1,"proficient":1}]'
)
POINTS = (
    '{"base":{"points":2},"competencies":[{"id":21,"points":2,"required":1},'
    '{"id":22,"points":1,"required":0}]}'
)
HTML_DESCRIPTION = (
    "<p>Reads <strong>customs</strong> data &amp; statistics.</p>\n"
    '<script>alert("stolen session")</script>\n'
    '<ul>\n  <li>tables</li>\n  <li onclick="steal()">charts</li>\n</ul>'
)
# One framework in field terms: the framework row, then three competencies.
RECORDS = [
    {
        "idnumber": "TRADE",
        "shortname": "Trade facilitation",
        "description": "<p>From a Moodle site</p>",
        "descriptionformat": "1",
        "scalevalues": "Not yet competent,Competent",
        "scaleconfiguration": SCALE_CONFIG,
        "isframework": "1",
        "taxonomy": "domain,competency",
    },
    {
        "idnumber": "T1",
        "shortname": "Data literacy; reading",
        "description": HTML_DESCRIPTION,
        "descriptionformat": "1",
        "ruletype": "core_competency\\competency_rule_points",
        "ruleoutcome": "2",
        "ruleconfig": POINTS,
        "exportid": "20",
    },
    {
        "parentidnumber": "T1",
        "idnumber": "T1.a",
        "shortname": "Reading tables",
        "descriptionformat": "1",
        "ruleoutcome": "0",
        "ruleconfig": "null",
        "relatedidnumbers": "T1.b",
        "exportid": "21",
    },
    {
        "parentidnumber": "T1",
        "idnumber": "T1.b",
        "shortname": "Reading charts",
        "description": "Plain *Markdown*, kept as written",
        "descriptionformat": "4",
        "ruleoutcome": "0",
        "ruleconfig": "null",
        "exportid": "22",
    },
]
# Moodle 3.x (and plugins built on it) spelt the headers like this:
OLDER = {
    "parentidnumber": "Parent id number",
    "idnumber": "Id number",
    "shortname": "Shortname",
    "description": "Description",
    "descriptionformat": "Description format",
    "scalevalues": "Scale values",
    "scaleconfiguration": "Scale configuration",
    "ruletype": "Rule type (optional)",
    "ruleoutcome": "Rule outcome (optional)",
    "ruleconfig": "Rule config (optional)",
    "relatedidnumbers": "Cross referenced competency id numbers (optional)",
    "exportid": "Exported id (optional)",
    "isframework": "Is framework",
    "taxonomy": "Taxonomy",
}
# ...and tools writing the language-string keys spell them like this:
NEWER = {
    "parentidnumber": "parentidnumber",
    "idnumber": "idnumber",
    "shortname": "shortname",
    "description": "description",
    "descriptionformat": "descriptionformat",
    "scalevalues": "scalevalues",
    "scaleconfiguration": "scaleconfiguration",
    "ruletype": "ruletype",
    "ruleoutcome": "ruleoutcome",
    "ruleconfig": "ruleconfig",
    "relatedidnumbers": "crossreferencedcompetencies",
    "exportid": "exportid",
    "isframework": "isframework",
    "taxonomy": "taxonomy",
}


def moodle_file(
    headers: dict[str, str],
    *,
    order: list[str] | None = None,
    delimiter: str = ",",
    line_end: str = "\n",
    bom: bool = False,
    records: list[dict[str, str]] = RECORDS,
) -> bytes:
    keys = order or list(headers)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow([headers[k] for k in keys])
    for record in records:
        writer.writerow([record.get(k, "") for k in keys])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _expected_plan(result) -> None:
    assert result.ok, [str(p) for p in result.problems]
    plan = result.plan
    assert (plan.code, plan.name, plan.description) == (
        "TRADE",
        "Trade facilitation",
        "From a Moodle site",
    )
    assert plan.taxonomy == ["domain", "competency"]
    assert [(lv.name, lv.is_default, lv.is_proficient) for lv in plan.scale.levels] == [
        ("Not yet competent", False, False),
        ("Competent", True, True),
    ]
    by_code = {c.code: c for c in plan.competencies}
    assert list(by_code) == ["T1", "T1.a", "T1.b"]
    assert by_code["T1"].short_name == "Data literacy; reading"
    assert by_code["T1"].description == ("Reads customs data & statistics.\n\n- tables\n- charts")
    assert by_code["T1"].rule_threshold == 2
    assert (by_code["T1.a"].parent_code, by_code["T1.a"].rule_points) == ("T1", 2)
    assert by_code["T1.a"].rule_required and not by_code["T1.b"].rule_required
    assert by_code["T1.a"].related_codes == ["T1.b"]
    assert by_code["T1.b"].description == "Plain *Markdown*, kept as written"


def test_a_file_with_the_older_header_spelling_imports(editor):
    result = parse_moodle_csv(moodle_file(OLDER))
    _expected_plan(result)
    framework = import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.commit()
    assert describe(framework)["competencies"]["T1.b"]["related"] == ["T1.a"]


def test_a_file_with_the_newer_header_spelling_in_another_order_imports():
    order = list(reversed(NEWER))
    _expected_plan(parse_moodle_csv(moodle_file(NEWER, order=order)))


def test_a_french_spreadsheet_file_with_bom_crlf_and_semicolons_imports_through_the_preview(
    editor,
):
    content = moodle_file(OLDER, delimiter=";", line_end="\r\n", bom=True)
    assert content.startswith(b"\xef\xbb\xbf") and b";" in content and b"\r\n" in content
    assert b'"<p>Reads' in content and b"\r\n<script>" not in content  # newline stays LF inside
    staged, result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="fr.csv", content=content
    )
    _expected_plan(result)
    db.session.commit()
    framework = import_services.commit_import(db.session, staged, actor=editor)
    db.session.commit()
    stored = db.session.scalar(sa.select(Competency).where(Competency.code == "T1"))
    assert stored.framework_id == framework.id
    assert "<script>" not in stored.description and "stolen" not in stored.description
    assert "steal" not in stored.description and stored.description.startswith("Reads customs")


def test_multi_line_fields_and_crlf_keep_their_lines_and_count_rows_as_records():
    records = [
        RECORDS[0],
        {"idnumber": "T1", "shortname": "Lines", "description": "First line\r\nsecond line"},
        {"parentidnumber": "NOPE", "idnumber": "T2", "shortname": "Orphan"},
    ]
    result = parse_moodle_csv(moodle_file(OLDER, line_end="\r\n", records=records))
    # The bad competency is the fourth record (row 4), though it starts on line 5.
    assert [str(p) for p in result.problems] == ["row 4: unknown parent NOPE"]
    result = parse_moodle_csv(moodle_file(OLDER, line_end="\r\n", records=records[:2]))
    assert result.plan.competencies[0].description == "First line\nsecond line"


def test_our_own_export_round_trips_through_a_semicolon_spreadsheet(make_framework, editor):
    fw = make_framework()
    before = describe(fw)
    rows = list(csv.reader(io.StringIO(export_moodle_csv(db.session, fw), newline="")))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    fw.code = "OLD"  # free the code for the re-import
    db.session.commit()
    result = parse_moodle_csv(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    assert result.ok, [str(p) for p in result.problems]
    imported = import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.commit()
    assert {**describe(imported), "code": "DATA"} == before


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Parent ID number", "parentidnumber"),
        ("parent_id_number", "parentidnumber"),
        ("PARENT-ID-NUMBER", "parentidnumber"),
        ("Id number", "idnumber"),
        ("ID Number", "idnumber"),
        ("Short name", "shortname"),
        ("Shortname", "shortname"),
        ("Cross-referenced competency ID numbers", "relatedidnumbers"),
        ("Cross referenced competency id numbers (optional)", "relatedidnumbers"),
        ("crossreferencedcompetencies", "relatedidnumbers"),
        ("relatedidnumbers", "relatedidnumbers"),
        ("Exported ID (optional)", "exportid"),
        ("Exported id (optional)", "exportid"),
        ("exportid", "exportid"),
        ("Is framework", "isframework"),
        ("Taxonomies", "taxonomy"),
        ("Descripton", "description"),  # a typo still finds its column
        ("Scale configuation", "scaleconfiguration"),
        ("\ufeffParent ID number", "parentidnumber"),
        ("Comments", None),  # a column of somebody else's is ignored
        ("Rule", None),  # too far from any one field to guess
    ],
)
def test_headers_are_matched_whatever_the_spelling(header, field):
    assert field_for(header) == field


def test_the_delimiter_is_the_one_the_header_row_is_written_with():
    assert sniff_delimiter("Parent ID number;ID number;Short name;Is framework\n,A,B") == ";"
    assert sniff_delimiter('"Parent ID number","ID number","Short name; long"\n') == ","
    assert sniff_delimiter("Parent ID number\tID number\tShort name\n") == "\t"


def test_a_missing_required_column_is_named_and_nothing_is_imported(editor):
    headers = {k: v for k, v in OLDER.items() if k != "shortname"}
    content = moodle_file(headers, delimiter=";")
    staged, result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="x.csv", content=content
    )
    db.session.commit()
    assert staged is None
    assert [(p.location, p.message.split(" (")[0]) for p in result.problems] == [
        ("row 1", "missing required column(s): “Short name”")
    ]
    assert _count(Framework) == 0 and _count(Competency) == 0


def test_two_columns_for_one_field_are_refused():
    headers = dict(OLDER)
    order = [*headers, "shortname"]
    content = moodle_file(headers, order=order)
    text = content.decode().replace("Taxonomy,Shortname", "Taxonomy,Short name", 1)
    result = parse_moodle_csv(text)
    assert not result.ok
    assert "columns “Shortname” and “Short name” both read as “Short name”" in str(
        result.problems[0]
    )


def test_a_bad_row_names_its_row_and_nothing_half_imported(editor):
    records = [*RECORDS, {"parentidnumber": "T1", "idnumber": "T1.c", "shortname": ""}]
    content = moodle_file(NEWER, delimiter=";", line_end="\r\n", bom=True, records=records)
    staged, result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="x.csv", content=content
    )
    db.session.commit()
    assert staged is None
    assert [str(p) for p in result.problems] == ["row 6: competency T1.c has an empty short name"]
    assert _count(Framework) == 0 and _count(Competency) == 0


def test_html_is_sanitised_into_text_and_scripts_go_with_their_code():
    html = (
        '<h2>Goal</h2><p onmouseover="x()">Use <a href="javascript:alert(1)">data</a></p>'
        "<style>p{color:red}</style><img src=x onerror=alert(1)><p>a<br>b &lt; c</p>"
        "<script>\nvar s = document.cookie;\n</script><!-- hidden -->"
    )
    assert html_to_text(html) == "Goal\n\nUse data\n\na\nb < c"
