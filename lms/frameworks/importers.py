"""Pure parsers for the two interchange formats. Each returns a ``ParseResult``: a
``FrameworkPlan`` of what would be created, or the list of problems, each naming its row or
item. Nothing here touches the database; ``services.apply_plan`` does, in one transaction.

Moodle CSV: the columns of Moodle's ``tool_lpimportcsv`` (see ``MOODLE_HEADERS``), matched by
name in any order and in any of the spellings Moodle versions have used, with a comma,
semicolon or tab delimiter (``csv_columns``); HTML descriptions are sanitised with nh3 and
stored as plain text (``lms.core.html_text``). The first row whose "Is framework" is 1 is the
framework; a version above 1 travels in the ID number as
``CODE-v2``. Level indicators, which Moodle has no field for, travel at the end of the
competency's Markdown description under a ``Level indicators:`` line.

CASE: a 1EdTech CASE 1.0 CFPackage as written by ``exporters.export_case_package``.
"""

from __future__ import annotations

import csv
import json
import re
from typing import Any

from lms.core.bounds import MAX_JSON_DEPTH, json_too_deep
from lms.core.html_text import html_to_text, looks_like_html
from lms.core.i18n import _
from lms.core.spreadsheet import restore_formula
from lms.frameworks.csv_columns import ALL_FIELDS, FIELD_HEADERS, Columns, map_columns, read_rows
from lms.frameworks.models import RollupRule
from lms.frameworks.plan import (
    CompetencyPlan,
    FrameworkPlan,
    ImportProblem,
    LevelPlan,
    ParseResult,
    ScalePlan,
    check_plan,
)

MOODLE_HEADERS = tuple(FIELD_HEADERS.values())
MOODLE_RULE_ALL = "core_competency\\competency_rule_all"
MOODLE_RULE_POINTS = "core_competency\\competency_rule_points"
MOODLE_OUTCOME_NONE = 0
MOODLE_OUTCOME_COMPLETE = 2  # "Mark as complete": the parent is rated with the rule as evidence
MOODLE_FORMAT_MARKDOWN = 4
MOODLE_HTML_FORMATS = (0, 1)  # FORMAT_MOODLE and FORMAT_HTML: the text is HTML
INDICATORS_HEADING = "Level indicators:"
_INDICATOR_LINE = re.compile(r"^- \*\*(?P<level>.+?)\*\*: (?P<text>.*)$")
_VERSIONED_CODE = re.compile(r"^(?P<code>.+)-v(?P<version>[0-9]+)$")
CASE_CHILD = "isChildOf"
CASE_RELATED = "isRelatedTo"


def decode(content: bytes | str) -> tuple[str | None, ImportProblem | None]:
    """UTF-8 (with or without a byte-order mark), or a problem naming the first bad byte."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff"), None
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, ImportProblem(
            "file",
            _(
                "wrong encoding: the file is not UTF-8 (invalid byte at position %(at)s); "
                "save it as “CSV UTF-8” or UTF-8 JSON",
                at=error.start,
            ),
        )


def split_description(text: str) -> tuple[str, dict[str, str], list[str]]:
    """Split a description into its own text and the level indicators appended to it."""
    marker = text.rfind(INDICATORS_HEADING)
    if marker == -1 or (marker > 0 and not text[:marker].endswith("\n")):
        return text.strip(), {}, []
    own = text[:marker].strip()
    indicators: dict[str, str] = {}
    bad: list[str] = []
    for line in text[marker + len(INDICATORS_HEADING) :].splitlines():
        if not line.strip():
            continue
        match = _INDICATOR_LINE.match(line.strip())
        if match is None:
            bad.append(line.strip())
        else:
            indicators[match["level"].strip()] = match["text"].strip()
    return own, indicators, bad


def join_description(description: str, indicators: list[tuple[str, str]]) -> str:
    if not indicators:
        return description
    lines = [f"- **{level}**: {text}" for level, text in indicators]
    head = f"{description}\n\n" if description else ""
    return head + INDICATORS_HEADING + "\n\n" + "\n".join(lines)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


def _split_related(value: str) -> list[str]:
    return [part.replace("%2C", ",").strip() for part in value.split(",") if part.strip()]


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _parse_scale(
    values: str, configuration: str, where: str, problems: list[ImportProblem]
) -> ScalePlan | None:
    names = [v.strip() for v in values.split(",")] if values.strip() else []
    if not names:
        problems.append(ImportProblem(where, _("the framework row has no scale values")))
        return None
    try:
        if json_too_deep(configuration):
            raise json.JSONDecodeError(_("nested too deep"), configuration, 0)
        config = json.loads(configuration) if configuration.strip() else None
    except json.JSONDecodeError as error:
        problems.append(
            ImportProblem(
                where, _("the scale configuration is not JSON (%(error)s)", error=error.msg)
            )
        )
        return None
    if not isinstance(config, list) or not config or not isinstance(config[0], dict):
        problems.append(
            ImportProblem(
                where,
                _(
                    "the scale configuration must look like %(example)s",
                    example='[{"scaleid":N},{"id":1,"scaledefault":1,"proficient":1},…]',
                ),
            )
        )
        return None
    levels = [LevelPlan(name=n) for n in names]
    for entry in config[1:]:
        position = _int(entry.get("id")) if isinstance(entry, dict) else None
        if position is None or not 1 <= position <= len(levels):
            problems.append(
                ImportProblem(
                    where,
                    _(
                        "unknown level %(level)s in the scale configuration "
                        "(the scale has %(n)s levels)",
                        level=repr(entry.get("id") if isinstance(entry, dict) else entry),
                        n=len(levels),
                    ),
                )
            )
            continue
        levels[position - 1].is_default = bool(_int(entry.get("scaledefault")))
        levels[position - 1].is_proficient = bool(_int(entry.get("proficient")))
    return ScalePlan(levels=levels)


def moodle_description(text: str, format_value: str) -> str:
    """A description as stored here: plain text. Moodle's HTML formats (and HTML in a file
    that does not say its format) are sanitised with nh3 and flattened into text."""
    text = text.replace("\r\n", "\n")
    declared = _int(format_value) if format_value.strip() else None
    if declared in MOODLE_HTML_FORMATS or (declared is None and looks_like_html(text)):
        return html_to_text(text)
    return text


def _read_moodle_rows(
    content: bytes | str,
) -> tuple[Columns | None, list[tuple[int, list[str]]], list[ImportProblem]]:
    """The column map and the numbered data rows, or the problems that stop the parse."""
    text, problem = decode(content)
    if problem is not None:
        return None, [], [problem]
    assert text is not None  # nosec B101  # narrows the type: no problem means text
    try:
        records, _delimiter = read_rows(text)
        rows = [[restore_formula(cell) for cell in row] for row in records]
    except csv.Error as error:
        return (
            None,
            [],
            [ImportProblem("file", _("not readable as CSV (%(error)s)", error=str(error)))],
        )
    if not rows:
        return None, [], [ImportProblem("file", _("the file is empty"))]
    columns, problems = map_columns(rows[0])
    if columns is None:
        return None, [], problems
    numbered = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != columns.width:
            problems.append(
                ImportProblem(
                    f"row {number}",
                    _(
                        "%(n)s columns instead of %(expected)s",
                        n=len(row),
                        expected=columns.width,
                    ),
                )
            )
            continue
        numbered.append((number, row))
    return columns, numbered, problems


def _french_description(row: dict[str, str]) -> str:
    return moodle_description(row["descriptionfr"], row["descriptionformat"]).strip()


def parse_moodle_csv(content: bytes | str) -> ParseResult:
    columns, numbered, problems = _read_moodle_rows(content)
    if columns is None:
        return ParseResult(None, problems)
    framework_row: tuple[int, dict[str, str]] | None = None
    competency_rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in numbered:
        row = {key: columns.cell(cells, key) for key in ALL_FIELDS}
        if _truthy(row["isframework"]):
            if framework_row is None:
                framework_row = (number, row)
            else:
                problems.append(
                    ImportProblem(f"row {number}", _("a second framework row (Is framework = 1)"))
                )
            continue
        competency_rows.append((number, row))
    if framework_row is None:
        problems.append(ImportProblem("file", _("no framework row (a row with Is framework = 1)")))
        return ParseResult(None, problems)

    number, row = framework_row
    where = f"row {number}"
    scale = _parse_scale(row["scalevalues"], row["scaleconfiguration"], where, problems)
    code, version = row["idnumber"].strip(), 1
    if match := _VERSIONED_CODE.match(code):
        code, version = match["code"], int(match["version"])
    plan = FrameworkPlan(
        name=row["shortname"].strip(),
        code=code,
        version=version,
        description=moodle_description(row["description"], row["descriptionformat"]).strip(),
        taxonomy=[t.strip().lower() for t in row["taxonomy"].split(",") if t.strip()],
        scale=scale or ScalePlan(levels=[]),
        name_fr=row["shortnamefr"].strip() or None,
        description_fr=_french_description(row) or None,
    )

    export_ids: dict[str, str] = {}  # exported ID → code
    sibling_counts: dict[str, int] = {}
    points_configs: list[tuple[CompetencyPlan, dict]] = []
    level_names = [lv.name for lv in plan.scale.levels]
    for number, row in competency_rows:
        where = f"row {number}"
        parent = row["parentidnumber"].strip() or None
        description, indicators, bad_lines = split_description(
            moodle_description(row["description"], row["descriptionformat"])
        )
        for line in bad_lines:
            problems.append(
                ImportProblem(where, _("unreadable level indicator line “%(line)s”", line=line))
            )
        if row["scalevalues"].strip():
            own = [v.strip() for v in row["scalevalues"].split(",")]
            if own != level_names:
                problems.append(
                    ImportProblem(where, _("a competency with its own scale is not supported here"))
                )
        rule_type = row["ruletype"].strip()
        raw_outcome = row["ruleoutcome"]
        outcome = _int(raw_outcome) if raw_outcome.strip() else MOODLE_OUTCOME_NONE
        if raw_outcome.strip() and outcome is None:
            problems.append(
                ImportProblem(
                    where, _("rule outcome “%(value)s” is not a number", value=raw_outcome)
                )
            )
        description_fr, indicators_fr, bad_fr = split_description(_french_description(row))
        for line in bad_fr:
            problems.append(
                ImportProblem(where, _("unreadable level indicator line “%(line)s”", line=line))
            )
        competency = CompetencyPlan(
            location=where,
            code=row["idnumber"].strip(),
            short_name=row["shortname"].strip(),
            short_name_fr=row["shortnamefr"].strip() or None,
            description_fr=description_fr or None,
            indicators_fr=indicators_fr,
            parent_code=parent,
            description=description,
            sort_order=sibling_counts.get(parent or "", 0),
            related_codes=_split_related(row["relatedidnumbers"]),
            indicators=indicators,
        )
        sibling_counts[parent or ""] = competency.sort_order + 1
        # In Moodle a rule whose outcome is "do nothing" (0) has no effect: import it as none.
        if rule_type in ("", "null") or outcome == MOODLE_OUTCOME_NONE:
            competency.rule = RollupRule.NONE
        elif rule_type == MOODLE_RULE_ALL:
            competency.rule = RollupRule.ALL
        elif rule_type == MOODLE_RULE_POINTS:
            competency.rule = RollupRule.POINTS
            try:
                if json_too_deep(row["ruleconfig"]):
                    raise json.JSONDecodeError(_("nested too deep"), row["ruleconfig"], 0)
                config = json.loads(row["ruleconfig"])
                competency.rule_threshold = _int(config["base"]["points"])
                points_configs.append((competency, config))
            except (json.JSONDecodeError, KeyError, TypeError):
                problems.append(
                    ImportProblem(
                        where,
                        _(
                            "the points rule config must look like %(example)s",
                            example='{"base":{"points":N},'
                            '"competencies":[{"id":…,"points":N,"required":0}]}',
                        ),
                    )
                )
        else:
            problems.append(ImportProblem(where, _("unknown rule type “%(rule)s”", rule=rule_type)))
        if row["exportid"].strip():
            export_ids[row["exportid"].strip()] = competency.code
        plan.competencies.append(competency)

    by_code = {c.code: c for c in plan.competencies}
    for parent, config in points_configs:
        for entry in config.get("competencies") or []:
            child_code = export_ids.get(str(entry.get("id", "")).strip())
            child = by_code.get(child_code or "")
            if child is None or child.parent_code != parent.code:
                problems.append(
                    ImportProblem(
                        parent.location,
                        _(
                            "the points rule refers to %(id)s, "
                            "which is not the exported ID of one of its children",
                            id=repr(entry.get("id")),
                        ),
                    )
                )
                continue
            child.rule_points = _int(entry.get("points")) or 0
            child.rule_required = bool(_int(entry.get("required")))

    problems.extend(check_plan(plan))
    return ParseResult(None if problems else plan, problems)


# CASE --------------------------------------------------------------------------------------


def _uuid_of(node: Any) -> str | None:
    if isinstance(node, dict):
        value = node.get("identifier")
        return str(value) if value else None
    return None


def _french(extensions: Any, field: str) -> str | None:
    """A field's French text from ``extensions.translations.fr`` (see the exporter)."""
    translations = extensions.get("translations") if isinstance(extensions, dict) else None
    french = translations.get("fr") if isinstance(translations, dict) else None
    value = french.get(field) if isinstance(french, dict) else None
    return str(value).strip() or None if value else None


def _french_of(rubric_fr: dict, identifier: str | None, field: str) -> str | None:
    entry = rubric_fr.get(identifier or "")
    return _french({"translations": {"fr": entry}}, field) if isinstance(entry, dict) else None


def parse_case_json(content: bytes | str) -> ParseResult:
    text, problem = decode(content)
    if problem is not None:
        return ParseResult(None, [problem])
    assert text is not None  # nosec B101  # narrows the type: no problem means text
    if json_too_deep(text):
        return ParseResult(
            None,
            [
                ImportProblem(
                    "file",
                    _(
                        "the JSON nests more than %(depth)s levels deep; a CASE package "
                        "needs only a few",
                        depth=MAX_JSON_DEPTH,
                    ),
                )
            ],
        )
    try:
        package = json.loads(text)
    except json.JSONDecodeError as error:
        return ParseResult(
            None,
            [
                ImportProblem(
                    "file",
                    _(
                        "not valid JSON (line %(line)s: %(error)s)",
                        line=error.lineno,
                        error=error.msg,
                    ),
                )
            ],
        )
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        return ParseResult(None, [ImportProblem("file", _("no CFDocument: not a CASE CFPackage"))])
    problems: list[ImportProblem] = []
    document = package["CFDocument"]
    extensions = document.get("extensions") or {}
    doc_id = _uuid_of(document)
    if not doc_id:
        problems.append(ImportProblem("CFDocument", _("no identifier")))
    version = _int(document.get("version")) or 1
    plan = FrameworkPlan(
        name=str(document.get("title") or "").strip(),
        code=str(extensions.get("code") or "").strip(),
        version=version,
        description=str(document.get("description") or "").strip(),
        source_document=str(document.get("notes") or "").strip(),
        language=str(document.get("language") or "en").strip()[:5] or "en",
        taxonomy=[str(t).lower() for t in extensions.get("taxonomy") or []],
        uuid=doc_id,
        scale=ScalePlan(levels=[]),
        name_fr=_french(extensions, "title"),
        description_fr=_french(extensions, "description"),
    )
    rubric_fr = (extensions.get("rubricTranslations") or {}).get("fr") or {}
    if not isinstance(rubric_fr, dict):
        rubric_fr = {}

    items = package.get("CFItems") or []
    by_id: dict[str, CompetencyPlan] = {}
    for index, item in enumerate(items):
        item_id = _uuid_of(item)
        where = f"item {item_id or f'#{index + 1}'}"
        if not item_id:
            problems.append(ImportProblem(where, _("no identifier")))
            continue
        if item_id in by_id:
            problems.append(ImportProblem(where, _("the identifier is used twice")))
            continue
        ext = item.get("extensions") or {}
        rule_value = str(ext.get("rule") or RollupRule.NONE.value)
        try:
            rule = RollupRule(rule_value)
        except ValueError:
            problems.append(
                ImportProblem(where, _("unknown roll-up rule “%(rule)s”", rule=rule_value))
            )
            rule = RollupRule.NONE
        code = str(item.get("humanCodingScheme") or "").strip()
        by_id[item_id] = CompetencyPlan(
            location=where if not code else f"item {code} ({item_id})",
            code=code,
            short_name=str(item.get("fullStatement") or "").strip(),
            description=str(item.get("notes") or "").strip(),
            sort_order=(_int(item.get("listEnumeration")) or index + 1) - 1,
            rule=rule,
            rule_threshold=_int(ext.get("ruleThreshold")),
            rule_points=_int(ext.get("rulePoints")) or 0,
            rule_required=bool(ext.get("ruleRequired")),
            uuid=item_id,
            short_name_fr=_french(ext, "fullStatement"),
            description_fr=_french(ext, "notes"),
        )

    for index, association in enumerate(package.get("CFAssociations") or []):
        where = f"association {_uuid_of(association) or f'#{index + 1}'}"
        kind = association.get("associationType")
        origin = _uuid_of(association.get("originNodeURI"))
        destination = _uuid_of(association.get("destinationNodeURI"))
        if kind not in (CASE_CHILD, CASE_RELATED):
            continue
        if origin not in by_id:
            problems.append(ImportProblem(where, _("unknown item %(id)s", id=origin)))
            continue
        child = by_id[origin]
        if kind == CASE_CHILD:
            if destination == doc_id:
                child.parent_code = None
            elif destination in by_id:
                child.parent_code = by_id[destination].code
            else:
                problems.append(ImportProblem(where, _("unknown parent %(id)s", id=destination)))
                continue
            if (seq := _int(association.get("sequenceNumber"))) is not None:
                child.sort_order = seq - 1
        else:
            if destination not in by_id:
                problems.append(
                    ImportProblem(where, _("unknown related item %(id)s", id=destination))
                )
                continue
            child.related_codes.append(by_id[destination].code)

    rubrics = package.get("CFRubrics") or []
    if not rubrics:
        problems.append(ImportProblem("CFRubrics", _("no rubric: the scale is missing")))
    else:
        rubric = rubrics[0]
        plan.scale = ScalePlan(
            levels=[],
            name=str(rubric.get("title") or "").strip(),
            description=str(rubric.get("description") or "").strip(),
            uuid=_uuid_of(rubric),
            name_fr=_french_of(rubric_fr, _uuid_of(rubric), "title"),
            description_fr=_french_of(rubric_fr, _uuid_of(rubric), "description"),
        )
        for criterion in rubric.get("CFRubricCriteria") or []:
            item_ref = _uuid_of(criterion.get("CFItemURI"))
            levels = sorted(
                criterion.get("CFRubricCriterionLevels") or [],
                key=lambda lv: _int(lv.get("position")) or 0,
            )
            if item_ref is None:  # the scale itself
                for level in levels:
                    flags = str(level.get("feedback") or "").split()
                    plan.scale.levels.append(
                        LevelPlan(
                            name=str(level.get("quality") or "").strip(),
                            descriptor=str(level.get("description") or "").strip(),
                            is_default="default" in flags,
                            is_proficient="proficient" in flags,
                            uuid=_uuid_of(level),
                            name_fr=_french_of(rubric_fr, _uuid_of(level), "quality"),
                            descriptor_fr=_french_of(rubric_fr, _uuid_of(level), "description"),
                        )
                    )
                continue
            target = by_id.get(item_ref)
            if target is None:
                problems.append(
                    ImportProblem(
                        f"rubric criterion {_uuid_of(criterion)}",
                        _("unknown item %(id)s", id=item_ref),
                    )
                )
                continue
            for level in levels:
                text = str(level.get("description") or "").strip()
                quality = str(level.get("quality") or "").strip()
                if text:
                    target.indicators[quality] = text
                french = _french_of(rubric_fr, _uuid_of(level), "description")
                if text and french:
                    target.indicators_fr[quality] = french

    plan.competencies = list(by_id.values())
    problems.extend(check_plan(plan))
    return ParseResult(None if problems else plan, problems)
