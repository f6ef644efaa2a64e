"""Moodle CSV and CASE JSON: round trips, the exact formats, and all-or-nothing imports whose
errors name the row or item."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
import sqlalchemy as sa

from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.frameworks import imports as import_services
from lms.frameworks import services
from lms.frameworks.exporters import export_case_package, export_moodle_csv
from lms.frameworks.importers import MOODLE_HEADERS, parse_case_json, parse_moodle_csv
from lms.frameworks.models import Competency, Framework, ImportFormat, ProficiencyScale
from tests.frameworks.conftest import describe
from tests.shared import CASE_SCHEMA, require_shared


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _import(content, fmt, actor) -> Framework:
    result = (parse_moodle_csv if fmt == ImportFormat.MOODLE_CSV else parse_case_json)(content)
    assert result.ok, result.problems
    framework = import_services.apply_plan(db.session, result.plan, actor=actor)
    db.session.commit()
    return framework


def test_moodle_csv_has_moodles_columns_in_order_and_framework_first(make_framework):
    fw = make_framework()
    rows = list(csv.reader(io.StringIO(export_moodle_csv(db.session, fw))))
    assert rows[0] == [
        "Parent ID number",
        "ID number",
        "Short name",
        "Description",
        "Description format",
        "Scale values",
        "Scale configuration",
        "Rule type (optional)",
        "Rule outcome (optional)",
        "Rule config (optional)",
        "Cross-referenced competency ID numbers",
        "Exported ID (optional)",
        "Is framework",
        "Taxonomy",
    ]
    framework_row = rows[1]
    assert framework_row[1:3] == ["DATA", "Customs data analytics"]
    assert framework_row[12] == "1"
    assert framework_row[5] == "Awareness,Practitioner,Advanced,Expert"
    config = json.loads(framework_row[6])
    assert config[0] == {"scaleid": fw.scale.id}
    assert config[1:] == [
        {"id": 1, "scaledefault": 0, "proficient": 0},
        {"id": 2, "scaledefault": 1, "proficient": 1},
        {"id": 3, "scaledefault": 0, "proficient": 1},
        {"id": 4, "scaledefault": 0, "proficient": 1},
    ]
    assert framework_row[13] == "domain,competency,skill"
    by_code = {r[1]: r for r in rows[2:]}
    assert [r[1] for r in rows[2:]] == [
        "GOV",
        "GOV.1",
        "GOV.2",
        "RISK",
        "RISK.1",
        "RISK.1.a",
        "RISK,2",
    ]
    assert by_code["GOV.1"][10] == "RISK%2C2,RISK.1"  # commas inside an ID escaped
    assert by_code["GOV"][7] == "core_competency\\competency_rule_all"
    risk = by_code["RISK"]
    assert risk[7] == "core_competency\\competency_rule_points"
    points = json.loads(risk[9])
    assert points["base"] == {"points": 3}
    assert {(c["id"], c["points"], c["required"]) for c in points["competencies"]} == {
        (int(by_code["RISK.1"][11]), 2, 1),
        (int(by_code["RISK,2"][11]), 1, 0),
    }
    assert by_code["GOV.2"][9] == "null" and by_code["GOV.2"][12] == ""
    assert "Level indicators:" in by_code["GOV.1"][3]


def test_moodle_csv_round_trip_gives_an_identical_framework(make_framework, editor):
    fw = make_framework()
    before = describe(fw)
    exported = export_moodle_csv(db.session, fw)
    services.delete_framework(db.session, fw, actor=editor)
    db.session.commit()
    assert _count(Framework) == 0 and _count(Competency) == 0
    imported = _import(exported.encode("utf-8"), ImportFormat.MOODLE_CSV, editor)
    assert describe(imported) == before
    assert _count(ProficiencyScale) == 1  # the same scale is found and reused


def test_a_later_version_travels_in_the_id_number(make_framework, editor):
    fw = make_framework(publish=True)
    v2 = services.create_new_version(db.session, fw, actor=editor)
    db.session.commit()
    exported = export_moodle_csv(db.session, v2)
    assert list(csv.reader(io.StringIO(exported)))[1][1] == "DATA-v2"
    plan = parse_moodle_csv(exported).plan
    assert (plan.code, plan.version) == ("DATA", 2)


def test_a_file_written_by_moodle_imports(editor):
    moodle = (
        '"Parent ID number","ID number","Short name",Description,"Description format",'
        '"Scale values","Scale configuration","Rule type (optional)","Rule outcome (optional)",'
        '"Rule config (optional)","Cross-referenced competency ID numbers",'
        '"Exported ID (optional)","Is framework",Taxonomy\n'
        ',DIG,"Digital skills","<p>From Moodle</p>",1,"Not yet competent,Competent",'
        '"[{""scaleid"":""2""},{""id"":2,""scaledefault"":1,""proficient"":1}]",,,,,,1,'
        '"domain,skill"\n'
        ',D1,"Data literacy",,1,,,core_competency\\competency_rule_points,2,'
        '"{""base"":{""points"":2},""competencies"":[{""id"":12,""points"":2,""required"":1},'
        '{""id"":13,""points"":1,""required"":0}]}",,11,,\n'
        'D1,"D1,a","Reading tables",,1,,,,0,null,D2,12,,\n'
        'D1,D1b,"Reading charts",,1,,,,0,null,,13,,\n'
        ',D2,"Statistics",,1,,,,0,null,"D1%2Ca",14,,\n'
    )
    result = parse_moodle_csv(moodle.encode("utf-8"))
    assert result.ok, result.problems
    plan = result.plan
    assert [(lv.name, lv.is_default, lv.is_proficient) for lv in plan.scale.levels] == [
        ("Not yet competent", False, False),
        ("Competent", True, True),
    ]
    by_code = {c.code: c for c in plan.competencies}
    assert by_code["D1"].rule_threshold == 2
    assert (by_code["D1,a"].rule_points, by_code["D1,a"].rule_required) == (2, True)
    assert by_code["D2"].related_codes == ["D1,a"]
    fw = import_services.apply_plan(db.session, plan, actor=editor)
    db.session.commit()
    assert describe(fw)["competencies"]["D1,a"]["related"] == ["D2"]
    assert fw.taxonomy == ["domain", "skill"]


def _without_times(node):
    if isinstance(node, dict):
        return {k: _without_times(v) for k, v in node.items() if k != "lastChangeDateTime"}
    if isinstance(node, list):
        return [_without_times(v) for v in node]
    return node


def test_case_round_trip_keeps_the_identifiers(make_framework, editor):
    fw = make_framework()
    before = describe(fw, with_ids=True)
    package = export_case_package(db.session, fw)
    assert export_case_package(db.session, fw) == package  # stable on re-export
    text = json.dumps(package)
    services.delete_framework(db.session, fw, actor=editor)
    db.session.commit()
    imported = _import(text.encode("utf-8"), ImportFormat.CASE_JSON, editor)
    assert describe(imported, with_ids=True) == before
    again = export_case_package(db.session, imported)
    # Same identifiers for document, items, associations and rubric; only the import's own
    # change time differs.
    assert _without_times(again) == _without_times(package)


def test_case_package_shape(make_framework):
    fw = make_framework()
    package = export_case_package(db.session, fw)
    assert package["CFDocument"]["identifier"] == fw.uuid
    items = {i["humanCodingScheme"]: i for i in package["CFItems"]}
    assert items["GOV.1"]["fullStatement"] == "Data ownership"
    assert items["GOV"]["CFItemType"] == "Domain"
    assert items["RISK.1.a"]["CFItemType"] == "Skill"
    kinds = [a["associationType"] for a in package["CFAssociations"]]
    assert kinds.count("isChildOf") == 7 and kinds.count("isRelatedTo") == 2
    rubric = package["CFRubrics"][0]
    assert rubric["identifier"] == fw.scale.uuid
    scale_levels = rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["quality"], lv["feedback"]) for lv in scale_levels] == [
        ("Awareness", ""),
        ("Practitioner", "default proficient"),
        ("Advanced", "proficient"),
        ("Expert", "proficient"),
    ]


def test_case_export_validates_against_the_cfpackage_schema(make_framework):
    schema = json.loads(require_shared(CASE_SCHEMA).read_text(encoding="utf-8"))
    package = export_case_package(db.session, make_framework())
    jsonschema.validate(package, schema)
    jsonschema.validate(json.loads(json.dumps(package)), schema)


# Broken files --------------------------------------------------------------------------------

HEADER = ",".join(f'"{h}"' for h in MOODLE_HEADERS)
FRAMEWORK_ROW = (
    ',FW,"A framework",,4,"Low,High",'
    '"[{""scaleid"":1},{""id"":1,""scaledefault"":1,""proficient"":0},'
    '{""id"":2,""scaledefault"":0,""proficient"":1}]",,,,,,1,domain'
)


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, FRAMEWORK_ROW, *rows]).encode("utf-8")


@pytest.mark.parametrize(
    ("content", "location", "reason"),
    [
        (_csv(",A,Alpha,,4,,,,,null,,,,", "Z,B,Beta,,4,,,,,null,,,,"), "row 4", "unknown parent Z"),
        (_csv(",A,Alpha,,4,,,,,null,,,,", ",A,Again,,4,,,,,null,,,,"), "row 4", "duplicate code A"),
        (
            _csv("B,A,Alpha,,4,,,,,null,,,,", "A,B,Beta,,4,,,,,null,,,,"),
            "row 3",
            "cycle in the hierarchy",
        ),
        (
            _csv(',A,Alpha,"Text\n\nLevel indicators:\n\n- **Medium**: so so",4,,,,,null,,,,'),
            "row 3",
            "unknown level “Medium”",
        ),
        (_csv(",A,,,4,,,,,null,,,,"), "row 3", "empty short name"),
        (_csv(",A,Alpha,,4,,,,,null,NOPE,,,"), "row 3", "unknown cross-referenced"),
        (_csv(",A,Alpha,,4,,,,,null,,,"), "row 3", "13 columns instead of 14"),
        (
            b"Parent ID number,ID number\n",
            "row 1",
            "missing required column(s): “Short name”, “Scale values”",
        ),
        (
            _csv(",A,Alpha,,4,,,,,null,,,,").replace(b"Alpha", "Alpha é".encode("latin-1")),
            "file",
            "wrong encoding",
        ),
        (HEADER.encode() + b"\n,A,Alpha,,4,,,,,null,,,,", "file", "no framework row"),
    ],
    ids=[
        "unknown-parent",
        "duplicate-code",
        "cycle",
        "unknown-level",
        "empty-name",
        "unknown-related",
        "short-row",
        "bad-header",
        "wrong-encoding",
        "no-framework",
    ],
)
def test_broken_csv_names_the_row_and_imports_nothing(app, editor, content, location, reason):
    staged, result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="x.csv", content=content
    )
    db.session.commit()
    assert staged is None and not result.ok
    assert any(p.location == location and reason in p.message for p in result.problems), [
        str(p) for p in result.problems
    ]
    assert _count(Framework) == 0 and _count(Competency) == 0
    assert _count(ProficiencyScale) == 0


def _package(make_framework) -> dict:
    return export_case_package(db.session, make_framework())


@pytest.mark.parametrize(
    ("breaking", "location", "reason"),
    [
        ("unknown-parent", "association", "unknown parent"),
        ("duplicate-code", "item GOV.1", "duplicate code GOV.1"),
        ("unknown-level", "item GOV.1", "unknown level “Guru”"),
        ("empty-name", "item GOV.2", "empty short name"),
        ("duplicate-identifier", "item", "the identifier is used twice"),
        ("cycle", "item", "cycle in the hierarchy"),
    ],
)
def test_broken_case_names_the_item_and_imports_nothing(
    make_framework, editor, breaking, location, reason
):
    package = _package(make_framework)
    items = package["CFItems"]
    by_code = {i["humanCodingScheme"]: i for i in items}
    children = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    if breaking == "unknown-parent":
        children[1]["destinationNodeURI"]["identifier"] = "00000000-0000-0000-0000-000000000000"
    elif breaking == "duplicate-code":
        by_code["GOV.2"]["humanCodingScheme"] = "GOV.1"
    elif breaking == "unknown-level":
        criterion = next(
            c
            for c in package["CFRubrics"][0]["CFRubricCriteria"]
            if c.get("CFItemURI", {}).get("identifier") == by_code["GOV.1"]["identifier"]
        )
        criterion["CFRubricCriterionLevels"][0]["quality"] = "Guru"
    elif breaking == "empty-name":
        by_code["GOV.2"]["fullStatement"] = " "
    elif breaking == "duplicate-identifier":
        items.append(dict(items[0]))
    elif breaking == "cycle":
        gov = next(
            a for a in children if a["originNodeURI"]["identifier"] == by_code["GOV"]["identifier"]
        )
        gov["destinationNodeURI"] = dict(
            next(
                a
                for a in children
                if a["originNodeURI"]["identifier"] == by_code["GOV.1"]["identifier"]
            )["originNodeURI"]
        )
    services.delete_framework(db.session, db.session.scalar(sa.select(Framework)), actor=editor)
    db.session.commit()
    staged, result = import_services.stage_import(
        db.session,
        actor=editor,
        format=ImportFormat.CASE_JSON,
        filename="x.json",
        content=json.dumps(package).encode(),
    )
    db.session.commit()
    assert staged is None
    assert any(p.location.startswith(location) and reason in p.message for p in result.problems), [
        str(p) for p in result.problems
    ]
    assert _count(Framework) == 0 and _count(Competency) == 0


def test_invalid_json_is_reported(app):
    result = parse_case_json(b'{"CFDocument": ')
    assert [(p.location, "not valid JSON" in p.message) for p in result.problems] == [
        ("file", True)
    ]


def test_importing_the_same_case_package_twice_is_refused_whole(make_framework, editor):
    fw = make_framework()
    text = json.dumps(export_case_package(db.session, fw))
    before = _count(Competency)
    result = parse_case_json(text)
    with pytest.raises(ConflictError, match="already been imported"):
        import_services.apply_plan(db.session, result.plan, actor=editor)
    db.session.rollback()
    assert _count(Competency) == before and _count(Framework) == 1


def test_staged_import_is_committed_once(app, make_framework, editor):
    fw = make_framework()
    exported = export_moodle_csv(db.session, fw).encode()
    services.delete_framework(db.session, fw, actor=editor)
    staged, _result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="f.csv", content=exported
    )
    db.session.commit()
    assert staged.summary == {"name": "Customs data analytics", "code": "DATA", "competencies": 7}
    assert _count(Framework) == 0  # the preview creates nothing
    framework = import_services.commit_import(db.session, staged, actor=editor)
    db.session.commit()
    assert staged.framework_id == framework.id
    with pytest.raises(ConflictError, match="already been committed"):
        import_services.commit_import(db.session, staged, actor=editor)


def test_an_upload_clashing_with_an_existing_framework_is_refused_at_once(make_framework, editor):
    fw = make_framework()
    csv_text = export_moodle_csv(db.session, fw).encode()
    staged, result = import_services.stage_import(
        db.session, actor=editor, format=ImportFormat.MOODLE_CSV, filename="f.csv", content=csv_text
    )
    assert staged is None
    assert [str(p) for p in result.problems] == [
        "framework: framework DATA version 1 already exists here"
    ]
    case_text = json.dumps(export_case_package(db.session, fw)).encode()
    staged, result = import_services.stage_import(
        db.session,
        actor=editor,
        format=ImportFormat.CASE_JSON,
        filename="f.json",
        content=case_text,
    )
    assert staged is None
    locations = [p.location for p in result.problems]
    assert locations[:2] == ["framework", "CFDocument"]
    assert "item GOV.1 (" in " ".join(locations)  # each clashing item is named
    assert _count(Framework) == 1


def test_deleting_a_draft_version_keeps_the_published_one_and_its_mapping_rows_go(
    make_framework, editor
):
    from lms.frameworks.models import CompetencyMapping

    v1 = make_framework(publish=True)
    v2 = services.create_new_version(db.session, v1, actor=editor)
    db.session.commit()
    assert _count(CompetencyMapping) == 7
    services.delete_framework(db.session, v2, actor=editor)
    db.session.commit()
    assert _count(CompetencyMapping) == 0
    assert _count(Framework) == 1 and _count(Competency) == 7
