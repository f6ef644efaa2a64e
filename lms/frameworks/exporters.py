"""Writers for the two interchange formats; ``importers`` reads what these write.

Identifiers: CASE identifiers are the stored UUIDs of the framework, competencies, scale and
levels. Associations and rubric criteria have no row of their own, so their identifiers are
UUID5s derived from the stored ones: the same framework always exports the same identifiers.
"""

from __future__ import annotations

import csv
import io
import json
import uuid as uuid_module
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lms.core.i18n import localised
from lms.core.model_base import utcnow
from lms.core.spreadsheet import neutralise_formula
from lms.frameworks import services
from lms.frameworks.importers import (
    CASE_CHILD,
    CASE_RELATED,
    MOODLE_FORMAT_MARKDOWN,
    MOODLE_HEADERS,
    MOODLE_OUTCOME_COMPLETE,
    MOODLE_OUTCOME_NONE,
    MOODLE_RULE_ALL,
    MOODLE_RULE_POINTS,
    join_description,
)
from lms.frameworks.models import Competency, Framework, FrameworkStatus, RollupRule

CASE_ADOPTION = {
    FrameworkStatus.DRAFT: "Draft",
    FrameworkStatus.PUBLISHED: "Adopted",
    FrameworkStatus.ARCHIVED: "Deprecated",
}
CREATOR = "Capacity LMS"


def moodle_id_number(framework: Framework) -> str:
    return framework.code if framework.version == 1 else f"{framework.code}-v{framework.version}"


def _indicator_pairs(
    competency: Competency, framework: Framework, language: str = "en"
) -> list[tuple[str, str]]:
    texts = {i.level_id: localised(i, "text", language) for i in competency.indicators}
    return [
        (localised(lv, "name", language), texts[lv.id])
        for lv in framework.scale.levels
        if lv.id in texts
    ]


# A CASE 1.0 package holds one language per document and item (``language``); the French text
# travels beside it, tagged with its language, in ``extensions.translations`` (documents and
# items accept extensions; rubric parts do not, so the scale's and the indicators' French text
# is carried in the document's extensions, keyed by their identifiers).
TRANSLATED = ("fr",)


def _translations(**fields: str | None) -> dict[str, dict[str, str]]:
    present = {key: value for key, value in fields.items() if value and value.strip()}
    return {"fr": present} if present else {}


class _SafeWriter:
    """A CSV writer whose every cell goes through ``neutralise_formula`` (names, descriptions
    and codes are typed by editors or imported); the importer restores them."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([neutralise_formula(cell) for cell in row])


def export_moodle_csv(session: Session, framework: Framework, language: str = "en") -> str:
    """The framework as Moodle's ``tool_lpimportcsv`` reads it: framework row first, then the
    competencies depth-first so every parent comes before its children. Moodle holds one
    language: names, descriptions, levels and indicators are written in ``language`` (the
    other language where that text is empty)."""
    scale = framework.scale

    def text(obj: Any, field: str) -> str:
        return localised(obj, field, language)

    buffer = io.StringIO(newline="")
    writer = _SafeWriter(csv.writer(buffer, lineterminator="\r\n"))
    writer.writerow(MOODLE_HEADERS)
    scale_values = ",".join(text(lv, "name").replace(",", " ") for lv in scale.levels)
    scale_config = json.dumps(
        [{"scaleid": scale.id}]
        + [
            {
                "id": lv.position,
                "scaledefault": int(lv.is_default),
                "proficient": int(lv.is_proficient),
            }
            for lv in scale.levels
        ],
        separators=(",", ":"),
    )
    writer.writerow(
        [
            "",
            moodle_id_number(framework),
            text(framework, "name"),
            text(framework, "description"),
            MOODLE_FORMAT_MARKDOWN,
            scale_values,
            scale_config,
            "",
            "",
            "",
            "",
            "",
            1,
            ",".join(framework.taxonomy or []),
        ]
    )
    competencies = services.load_competencies(session, framework)
    by_id = {c.id: c for c in competencies}
    related: dict[int, list[str]] = {}
    for a, b in services.relation_pairs(session, framework):
        related.setdefault(a, []).append(by_id[b].code)
        related.setdefault(b, []).append(by_id[a].code)
    children: dict[int, list[Competency]] = {}
    for c in competencies:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    for node in services.flatten(services.build_tree(competencies)):
        c = node.competency
        if c.rule == RollupRule.POINTS:
            rule_type = MOODLE_RULE_POINTS
            rule_config = json.dumps(
                {
                    "base": {"points": c.rule_threshold},
                    "competencies": [
                        {"id": k.id, "points": k.rule_points, "required": int(k.rule_required)}
                        for k in children.get(c.id, [])
                    ],
                },
                separators=(",", ":"),
            )
        elif c.rule == RollupRule.ALL:
            rule_type, rule_config = MOODLE_RULE_ALL, "null"
        else:
            rule_type, rule_config = "", "null"
        writer.writerow(
            [
                by_id[c.parent_id].code if c.parent_id else "",
                c.code,
                text(c, "short_name"),
                join_description(text(c, "description"), _indicator_pairs(c, framework, language)),
                MOODLE_FORMAT_MARKDOWN,
                "",
                "",
                rule_type,
                MOODLE_OUTCOME_NONE if c.rule == RollupRule.NONE else MOODLE_OUTCOME_COMPLETE,
                rule_config,
                ",".join(code.replace(",", "%2C") for code in sorted(related.get(c.id, []))),
                c.id,
                "",
                "",
            ]
        )
    return buffer.getvalue()


def _derived(base: str, name: str) -> str:
    return str(uuid_module.uuid5(uuid_module.UUID(base), name))


def _urn(identifier: str) -> str:
    return f"urn:uuid:{identifier}"


def _when(value: datetime | None) -> str:
    return (value or utcnow()).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _link(title: str, identifier: str) -> dict[str, str]:
    return {"title": title, "identifier": identifier, "uri": _urn(identifier)}


def export_case_package(session: Session, framework: Framework) -> dict[str, Any]:
    """The framework as a CASE 1.0 CFPackage: CFDocument, CFItems, CFAssociations (isChildOf,
    isRelatedTo) and the scale as a CFRubric whose first criterion defines the levels and whose
    other criteria carry each competency's level indicators."""
    scale = framework.scale
    changed = _when(framework.published_at or framework.created_at)
    doc_link = _link(framework.name, framework.uuid)
    document: dict[str, Any] = {
        "identifier": framework.uuid,
        "uri": _urn(framework.uuid),
        "creator": CREATOR,
        "title": framework.name,
        "lastChangeDateTime": changed,
        "description": framework.description,
        "language": framework.language,
        "version": str(framework.version),
        "adoptionStatus": CASE_ADOPTION[framework.status],
        "notes": framework.source_document,
        "extensions": {"code": framework.code, "taxonomy": list(framework.taxonomy or [])},
    }
    document_fr = _translations(title=framework.name_fr, description=framework.description_fr)
    if document_fr:
        document["extensions"]["translations"] = document_fr
    competencies = services.load_competencies(session, framework)
    by_id = {c.id: c for c in competencies}
    items, associations = [], []
    for node in services.flatten(services.build_tree(competencies)):
        c = node.competency
        item: dict[str, Any] = {
            "identifier": c.uuid,
            "uri": _urn(c.uuid),
            "fullStatement": c.short_name,
            "humanCodingScheme": c.code,
            "CFItemType": framework.taxonomy_term(node.depth).capitalize(),
            "listEnumeration": str(c.sort_order + 1),
            "language": framework.language,
            "lastChangeDateTime": changed,
            "CFDocumentURI": doc_link,
        }
        if c.description:
            item["notes"] = c.description
        item_fr = _translations(fullStatement=c.short_name_fr, notes=c.description_fr)
        if item_fr:
            item.setdefault("extensions", {})["translations"] = item_fr
        if c.rule != RollupRule.NONE or c.rule_points or c.rule_required:
            item["extensions"] = item.get("extensions", {}) | {
                "rule": c.rule.value,
                "ruleThreshold": c.rule_threshold,
                "rulePoints": c.rule_points,
                "ruleRequired": c.rule_required,
            }
        items.append(item)
        parent = by_id.get(c.parent_id) if c.parent_id else None
        associations.append(
            {
                "identifier": _derived(
                    c.uuid, f"isChildOf:{parent.uuid if parent else framework.uuid}"
                ),
                "associationType": CASE_CHILD,
                "sequenceNumber": c.sort_order + 1,
                "uri": _urn(
                    _derived(c.uuid, f"isChildOf:{parent.uuid if parent else framework.uuid}")
                ),
                "originNodeURI": _link(c.short_name, c.uuid),
                "destinationNodeURI": _link(parent.short_name, parent.uuid) if parent else doc_link,
                "lastChangeDateTime": changed,
                "CFDocumentURI": doc_link,
            }
        )
    for a, b in sorted(services.relation_pairs(session, framework)):
        origin, destination = by_id[a], by_id[b]
        identifier = _derived(origin.uuid, f"isRelatedTo:{destination.uuid}")
        associations.append(
            {
                "identifier": identifier,
                "associationType": CASE_RELATED,
                "uri": _urn(identifier),
                "originNodeURI": _link(origin.short_name, origin.uuid),
                "destinationNodeURI": _link(destination.short_name, destination.uuid),
                "lastChangeDateTime": changed,
                "CFDocumentURI": doc_link,
            }
        )
    scale_changed = _when(scale.created_at)
    scale_criterion_id = _derived(scale.uuid, "levels")
    criteria: list[dict[str, Any]] = [
        {
            "identifier": scale_criterion_id,
            "uri": _urn(scale_criterion_id),
            "category": "Proficiency scale",
            "description": scale.description,
            "position": 0,
            "rubricId": scale.uuid,
            "lastChangeDateTime": scale_changed,
            "CFRubricCriterionLevels": [
                {
                    "identifier": lv.uuid,
                    "uri": _urn(lv.uuid),
                    "quality": lv.name,
                    "description": lv.descriptor,
                    "score": lv.position,
                    "position": lv.position,
                    "feedback": " ".join(
                        flag
                        for flag, on in (
                            ("default", lv.is_default),
                            ("proficient", lv.is_proficient),
                        )
                        if on
                    ),
                    "rubricCriterionId": scale_criterion_id,
                    "lastChangeDateTime": scale_changed,
                }
                for lv in scale.levels
            ],
        }
    ]
    for position, node in enumerate(services.flatten(services.build_tree(competencies)), start=1):
        c = node.competency
        pairs = {i.level_id: i.text for i in c.indicators}
        if not pairs:
            continue
        criterion_id = _derived(c.uuid, f"indicators:{scale.uuid}")
        criteria.append(
            {
                "identifier": criterion_id,
                "uri": _urn(criterion_id),
                "category": "Level indicators",
                "CFItemURI": _link(c.short_name, c.uuid),
                "position": position,
                "rubricId": scale.uuid,
                "lastChangeDateTime": changed,
                "CFRubricCriterionLevels": [
                    {
                        "identifier": _derived(c.uuid, f"indicator:{lv.uuid}"),
                        "uri": _urn(_derived(c.uuid, f"indicator:{lv.uuid}")),
                        "quality": lv.name,
                        "description": pairs[lv.id],
                        "score": lv.position,
                        "position": lv.position,
                        "rubricCriterionId": criterion_id,
                        "lastChangeDateTime": changed,
                    }
                    for lv in scale.levels
                    if lv.id in pairs
                ],
            }
        )
    rubric_fr: dict[str, dict[str, str]] = {}
    scale_fr = _translations(title=scale.name_fr, description=scale.description_fr)
    if scale_fr:
        rubric_fr[scale.uuid] = scale_fr["fr"]
    for lv in scale.levels:
        level_fr = _translations(quality=lv.name_fr, description=lv.descriptor_fr)
        if level_fr:
            rubric_fr[lv.uuid] = level_fr["fr"]
    for c in competencies:
        for indicator in c.indicators:
            if indicator.text_fr and indicator.level:
                identifier = _derived(c.uuid, f"indicator:{indicator.level.uuid}")
                rubric_fr[identifier] = {"description": indicator.text_fr}
    if rubric_fr:
        document["extensions"]["rubricTranslations"] = {"fr": rubric_fr}
    rubric = {
        "identifier": scale.uuid,
        "uri": _urn(scale.uuid),
        "title": scale.name,
        "description": scale.description,
        "lastChangeDateTime": scale_changed,
        "CFRubricCriteria": criteria,
    }
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [rubric],
    }
