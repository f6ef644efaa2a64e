"""Applying an import: the parsed plan is checked against what is already here and created
in one transaction; uploads wait in ``FrameworkImport`` between the preview and the commit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.frameworks.models import (
    Competency,
    CompetencyRelation,
    Framework,
    FrameworkImport,
    ImportFormat,
    ImportStatus,
    LevelIndicator,
    ProficiencyScale,
    RollupRule,
)
from lms.frameworks.plan import FrameworkPlan, ImportProblem, ParseResult
from lms.frameworks.services import (
    LANGUAGES,
    LevelSpec,
    create_framework,
    create_scale,
    one_line,
    scale_signature,
)


def _scale_for_plan(session: Session, plan: FrameworkPlan, *, actor: Any) -> ProficiencyScale:
    """The scale the imported framework uses: the one with the plan's identifier, else one with
    the same levels (names, default, proficient), else a new one."""
    wanted = scale_signature(plan.scale.levels)
    if plan.scale.uuid:
        existing = session.scalar(
            sa.select(ProficiencyScale).where(ProficiencyScale.uuid == plan.scale.uuid)
        )
        if existing is not None:
            if scale_signature(existing.levels) != wanted:
                raise ConflictError(
                    _(
                        "Scale %(uuid)s exists here with other levels; the import would change it.",
                        uuid=plan.scale.uuid,
                    )
                )
            return existing
    else:
        for scale in session.scalars(sa.select(ProficiencyScale).order_by(ProficiencyScale.id)):
            if scale_signature(scale.levels) == wanted:
                return scale
    base = plan.scale.name or f"{plan.name} scale"
    name, n = base, 1
    while session.scalar(sa.select(ProficiencyScale.id).where(ProficiencyScale.name == name)):
        n += 1
        name = f"{base} ({n})"
    return create_scale(
        session,
        actor=actor,
        name=name,
        description=plan.scale.description,
        uuid=plan.scale.uuid,
        french={"name_fr": plan.scale.name_fr, "description_fr": plan.scale.description_fr},
        levels=[
            LevelSpec(
                lv.name,
                lv.descriptor,
                lv.is_default,
                lv.is_proficient,
                lv.uuid,
                name_fr=lv.name_fr,
                descriptor_fr=lv.descriptor_fr,
            )
            for lv in plan.scale.levels
        ],
    )


def plan_conflicts(session: Session, plan: FrameworkPlan) -> list[ImportProblem]:
    """What in a clean file clashes with what is already here: the same framework code and
    version, or identifiers (framework, competencies, scale) that already exist."""
    problems = []
    if session.scalar(
        sa.select(Framework.id).where(
            Framework.code == plan.code, Framework.version == plan.version
        )
    ):
        problems.append(
            ImportProblem(
                "framework",
                _(
                    "framework %(code)s version %(version)s already exists here",
                    code=plan.code,
                    version=plan.version,
                ),
            )
        )
    if plan.uuid and session.scalar(sa.select(Framework.id).where(Framework.uuid == plan.uuid)):
        problems.append(
            ImportProblem(
                "CFDocument", _("framework %(uuid)s has already been imported", uuid=plan.uuid)
            )
        )
    by_uuid = {c.uuid: c for c in plan.competencies if c.uuid}
    for uuid in session.scalars(
        sa.select(Competency.uuid).where(Competency.uuid.in_(list(by_uuid))).order_by(Competency.id)
    ):
        problems.append(
            ImportProblem(by_uuid[uuid].location, _("this identifier already exists here"))
        )
    if plan.scale.uuid:
        existing = session.scalar(
            sa.select(ProficiencyScale).where(ProficiencyScale.uuid == plan.scale.uuid)
        )
        if existing is not None and scale_signature(existing.levels) != scale_signature(
            plan.scale.levels
        ):
            problems.append(
                ImportProblem(
                    "CFRubrics",
                    _(
                        "scale %(uuid)s exists here with other levels; the import would change it",
                        uuid=plan.scale.uuid,
                    ),
                )
            )
    return problems


def apply_plan(session: Session, plan: FrameworkPlan, *, actor: Any) -> Framework:
    """Create the planned framework as a draft: everything or nothing (the caller commits or
    rolls back). Identifiers in the plan are kept; clashes with what is already here refuse
    the whole import."""
    problems = plan_conflicts(session, plan)
    if problems:
        raise ConflictError("; ".join(str(p) for p in problems))
    scale = _scale_for_plan(session, plan, actor=actor)
    levels = {lv.name: lv for lv in scale.levels}
    # French indicators may name their level in French: read them against the English name.
    english_name = {lv.name_fr: lv.name for lv in scale.levels if lv.name_fr}
    framework = create_framework(
        session,
        actor=actor,
        name=plan.name,
        code=plan.code,
        version=plan.version,
        scale=scale,
        description=plan.description,
        source_document=plan.source_document,
        language=plan.language if plan.language in LANGUAGES else "en",
        taxonomy=plan.taxonomy,
        uuid=plan.uuid,
        french={"name_fr": plan.name_fr, "description_fr": plan.description_fr},
    )
    session.flush()
    created: dict[str, Competency] = {}
    for item, _depth in plan.in_tree_order():
        indicators_fr = {english_name.get(k, k): v for k, v in item.indicators_fr.items()}
        competency = Competency(
            framework_id=framework.id,
            parent=created[item.parent_code] if item.parent_code else None,
            code=item.code,
            short_name=item.short_name,
            description=item.description,
            short_name_fr=(item.short_name_fr or "").strip() or None,
            description_fr=(item.description_fr or "").strip() or None,
            sort_order=item.sort_order,
            rule=item.rule,
            rule_threshold=item.rule_threshold if item.rule == RollupRule.POINTS else None,
            rule_points=item.rule_points,
            rule_required=item.rule_required,
            indicators=[
                LevelIndicator(
                    level_id=levels[name].id,
                    text=one_line(text),
                    text_fr=one_line(indicators_fr.get(name, "")) or None,
                )
                for name, text in item.indicators.items()
                if one_line(text)
            ],
        )
        if item.uuid:
            competency.uuid = item.uuid
        session.add(competency)
        created[item.code] = competency
    session.flush()
    pairs = set()
    for item in plan.competencies:
        for code in item.related_codes:
            a, b = sorted((created[item.code].id, created[code].id))
            pairs.add((a, b))
    for a, b in sorted(pairs):
        session.add(CompetencyRelation(competency_id=a, related_id=b))
    record_change(
        session,
        actor=actor,
        action="framework.imported",
        entity=framework,
        summary=f"{len(created)} competencies",
    )
    session.flush()
    return framework


def parse_import(format: ImportFormat, content: bytes | str) -> ParseResult:
    from lms.frameworks.importers import parse_case_json, parse_moodle_csv

    parser = parse_moodle_csv if format == ImportFormat.MOODLE_CSV else parse_case_json
    return parser(content)


def check_upload(session: Session, format: ImportFormat, content: bytes | str) -> ParseResult:
    """Parse an upload and check it against what is already here; nothing is written, so a
    refused file leaves no trace."""
    result = parse_import(format, content)
    if not result.ok:
        return result
    assert result.plan is not None  # nosec B101  # narrows the type: ok means a plan
    conflicts = plan_conflicts(session, result.plan)
    if conflicts:
        return ParseResult(None, conflicts)
    return result


def keep_upload(
    session: Session,
    *,
    actor: Any,
    format: ImportFormat,
    filename: str,
    content: bytes | str,
    plan: FrameworkPlan,
) -> FrameworkImport:
    """Keep a clean upload server-side: the preview and the commit read it from here, so the
    editor confirms exactly what was checked."""
    staged = FrameworkImport(
        format=format,
        filename=(filename or "")[:255],
        content=content.decode("utf-8-sig") if isinstance(content, bytes) else content,
        uploaded_by_id=actor.id,
        summary={"name": plan.name, "code": plan.code, "competencies": len(plan.competencies)},
    )
    session.add(staged)
    session.flush()
    return staged


def stage_import(
    session: Session, *, actor: Any, format: ImportFormat, filename: str, content: bytes
) -> tuple[FrameworkImport | None, ParseResult]:
    """Parse an upload; when it is clean keep it server-side for the preview and the commit."""
    result = check_upload(session, format, content)
    if not result.ok:
        return None, result
    assert result.plan is not None  # nosec B101  # narrows the type: ok means a plan
    staged = keep_upload(
        session, actor=actor, format=format, filename=filename, content=content, plan=result.plan
    )
    return staged, result


def commit_import(session: Session, staged: FrameworkImport, *, actor: Any) -> Framework:
    if staged.status != ImportStatus.PENDING:
        raise ConflictError(_("This import has already been committed or discarded."))
    result = parse_import(staged.format, staged.content)
    if not result.ok or result.plan is None:
        raise ValidationError("; ".join(str(p) for p in result.problems))
    framework = apply_plan(session, result.plan, actor=actor)
    staged.status = ImportStatus.COMMITTED
    staged.framework = framework
    return framework


def discard_import(session: Session, staged: FrameworkImport, *, actor: Any) -> None:
    if staged.status != ImportStatus.PENDING:
        raise ConflictError(_("This import has already been committed or discarded."))
    staged.status = ImportStatus.DISCARDED
    record_change(session, actor=actor, action="framework_import.discarded", entity=staged)
