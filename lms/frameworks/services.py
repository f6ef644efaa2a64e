"""Business rules for scales, frameworks, competencies and versions (tracks: ``tracks``;
imports: ``imports``).

Plain functions over a SQLAlchemy session; the caller commits. Every change to a framework's
content goes through ``require_draft``: published and archived versions are frozen, and the
way to change one is ``create_new_version``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import Session, selectinload

from lms.core import signals
from lms.core.audit import record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.frameworks.models import (
    TAXONOMY_TERMS,
    Competency,
    CompetencyMapping,
    CompetencyRelation,
    Framework,
    FrameworkStatus,
    LevelIndicator,
    ProficiencyScale,
    RollupRule,
    ScaleLevel,
    Track,
    TrackTarget,
)

FRAMEWORK_FIELDS = (
    "name",
    "code",
    "version",
    "description",
    "source_document",
    "language",
    "scale_id",
    "status",
    "taxonomy",
)
COMPETENCY_FIELDS = (
    "code",
    "short_name",
    "description",
    "parent_id",
    "sort_order",
    "rule",
    "rule_threshold",
    "rule_points",
    "rule_required",
)
LANGUAGES = ("en", "fr", "es", "ar", "pt", "ru")

DEFAULT_SCALE_NAME = "Capacity-building proficiency scale"
DEFAULT_SCALE_LEVELS = (
    ("Awareness", "Knows the concepts and vocabulary and recognises where they apply."),
    ("Practitioner", "Applies the competency independently in routine work."),
    ("Advanced", "Handles complex or novel cases and improves how the work is done."),
    ("Expert", "Sets direction, trains and advises others, and is recognised as a reference."),
)
DEFAULT_LEVEL_POSITION = 2
PROFICIENT_FROM_POSITION = 2


class FrameworkFrozen(ConflictError):
    """A published or archived framework was asked to change."""


def _clean(text: str | None) -> str:
    return (text or "").strip()


def one_line(text: str | None) -> str:
    """Indicators are one line each, so they survive the CSV and CASE round trips unchanged."""
    return " ".join((text or "").split())


# Scales ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelSpec:
    name: str
    descriptor: str = ""
    is_default: bool = False
    is_proficient: bool = False
    uuid: str | None = None


def check_levels(levels: Sequence[LevelSpec]) -> None:
    """Moodle's scale configuration needs exactly one default and at least one proficient
    level; names must be distinct so imports can refer to levels by name."""
    if len(levels) < 2:
        raise ValidationError(_("A scale needs at least two levels."), field="levels")
    names = [_clean(lv.name) for lv in levels]
    if any(not n for n in names):
        raise ValidationError(_("Every level needs a name."), field="levels")
    if len({n.lower() for n in names}) != len(names):
        raise ValidationError(_("Level names must be different."), field="levels")
    if any("," in n for n in names):
        raise ValidationError(
            _("Level names cannot contain commas (Moodle separates levels with commas)."),
            field="levels",
        )
    if sum(1 for lv in levels if lv.is_default) != 1:
        raise ValidationError(_("Exactly one level must be the default."), field="levels")
    if not any(lv.is_proficient for lv in levels):
        raise ValidationError(_("At least one level must count as proficient."), field="levels")


def create_scale(
    session: Session,
    *,
    actor: Any,
    name: str,
    levels: Sequence[LevelSpec],
    description: str = "",
    uuid: str | None = None,
) -> ProficiencyScale:
    name = _clean(name)
    if not name:
        raise ValidationError(_("Give the scale a name."), field="name")
    check_levels(levels)
    if session.scalar(sa.select(ProficiencyScale.id).where(ProficiencyScale.name == name)):
        raise ConflictError(_("A scale named “%(name)s” already exists.", name=name), field="name")
    scale = ProficiencyScale(name=name, description=_clean(description))
    if uuid:
        scale.uuid = uuid
    for position, spec in enumerate(levels, start=1):
        level = ScaleLevel(
            position=position,
            name=_clean(spec.name),
            descriptor=_clean(spec.descriptor),
            is_default=spec.is_default,
            is_proficient=spec.is_proficient,
        )
        if spec.uuid:
            level.uuid = spec.uuid
        scale.levels.append(level)
    session.add(scale)
    record_change(
        session,
        actor=actor,
        action="scale.created",
        entity=scale,
        after={"name": name, "levels": [lv.name for lv in levels]},
    )
    return scale


def default_scale(session: Session, *, actor: Any = None) -> ProficiencyScale:
    """The four-level scale (Awareness → Expert, proficient from Practitioner), created once."""
    scale = session.scalar(
        sa.select(ProficiencyScale).where(ProficiencyScale.name == DEFAULT_SCALE_NAME)
    )
    if scale is not None:
        return scale
    levels = [
        LevelSpec(
            name,
            descriptor,
            is_default=position == DEFAULT_LEVEL_POSITION,
            is_proficient=position >= PROFICIENT_FROM_POSITION,
        )
        for position, (name, descriptor) in enumerate(DEFAULT_SCALE_LEVELS, start=1)
    ]
    return create_scale(
        session,
        actor=actor,
        name=DEFAULT_SCALE_NAME,
        levels=levels,
        description="Four levels, from knowing the concepts to leading and teaching others.",
    )


def scale_signature(levels: Iterable[Any]) -> tuple:
    return tuple((lv.name, bool(lv.is_default), bool(lv.is_proficient)) for lv in levels)


# Frameworks --------------------------------------------------------------------------------


def require_draft(framework: Framework) -> None:
    """Published versions are what ratings, course mappings and targets were made against;
    changing them in place would rewrite history, so changes go into a new version."""
    if framework.is_frozen:
        raise FrameworkFrozen(
            _(
                "%(name)s version %(version)s is %(status)s and cannot be changed. "
                "Create a new version to change it.",
                name=framework.name,
                version=framework.version,
                status=str(framework.status.label).lower()
                if has_request_context()
                else framework.status.value,
            )
        )


def check_taxonomy(taxonomy: Sequence[str]) -> list[str]:
    terms = [t.strip().lower() for t in taxonomy if t.strip()]
    unknown = [t for t in terms if t not in TAXONOMY_TERMS]
    if unknown:
        raise ValidationError(
            _(
                "Unknown taxonomy term(s): %(terms)s. Use: %(known)s.",
                terms=", ".join(unknown),
                known=", ".join(TAXONOMY_TERMS),
            ),
            field="taxonomy",
        )
    return terms


def _check_framework_fields(name: str, code: str, language: str) -> None:
    if not name:
        raise ValidationError(_("Give the framework a name."), field="name")
    if not code:
        raise ValidationError(_("Give the framework a short code."), field="code")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", code) or len(code) > 60:
        raise ValidationError(
            _("The code may contain letters, digits, dots, dashes and underscores only."),
            field="code",
        )
    if language not in LANGUAGES:
        raise ValidationError(_("Unknown language."), field="language")


def create_framework(
    session: Session,
    *,
    actor: Any,
    name: str,
    code: str,
    scale: ProficiencyScale,
    description: str = "",
    source_document: str = "",
    language: str = "en",
    taxonomy: Sequence[str] = (),
    version: int = 1,
    uuid: str | None = None,
) -> Framework:
    name, code = _clean(name), _clean(code)
    _check_framework_fields(name, code, language)
    if session.scalar(
        sa.select(Framework.id).where(Framework.code == code, Framework.version == version)
    ):
        raise ConflictError(
            _(
                "A framework with code %(code)s version %(version)s already exists.",
                code=code,
                version=version,
            ),
            field="code",
        )
    framework = Framework(
        name=name,
        code=code,
        version=version,
        scale=scale,
        description=_clean(description),
        source_document=_clean(source_document),
        language=language,
        taxonomy=check_taxonomy(taxonomy),
        status=FrameworkStatus.DRAFT,
    )
    if uuid:
        framework.uuid = uuid
    session.add(framework)
    record_change(
        session,
        actor=actor,
        action="framework.created",
        entity=framework,
        after=snapshot(framework, FRAMEWORK_FIELDS),
    )
    return framework


def update_framework(
    session: Session,
    framework: Framework,
    *,
    actor: Any,
    name: str,
    description: str,
    source_document: str,
    language: str,
    taxonomy: Sequence[str],
    scale: ProficiencyScale | None = None,
) -> Framework:
    require_draft(framework)
    before = snapshot(framework, FRAMEWORK_FIELDS)
    name = _clean(name)
    _check_framework_fields(name, framework.code, language)
    if scale is not None and scale.id != framework.scale_id:
        has_levels_in_use = session.scalar(
            sa.select(sa.func.count())
            .select_from(LevelIndicator)
            .join(Competency)
            .where(Competency.framework_id == framework.id)
        )
        if has_levels_in_use:
            raise ConflictError(
                _("The scale cannot change once competencies have level indicators."),
                field="scale_id",
            )
        framework.scale = scale
    framework.name = name
    framework.description = _clean(description)
    framework.source_document = _clean(source_document)
    framework.language = language
    framework.taxonomy = check_taxonomy(taxonomy)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="framework.updated",
        entity=framework,
        before=before,
        after=snapshot(framework, FRAMEWORK_FIELDS),
    )
    return framework


def publish_framework(session: Session, framework: Framework, *, actor: Any) -> Framework:
    """Freeze the draft. Any earlier published version of the same code is archived, so one
    version of a framework is current at a time."""
    require_draft(framework)
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(Competency)
        .where(Competency.framework_id == framework.id)
    )
    if not count:
        raise ValidationError(_("A framework needs at least one competency to be published."))
    for other in session.scalars(
        sa.select(Framework).where(
            Framework.code == framework.code,
            Framework.status == FrameworkStatus.PUBLISHED,
            Framework.id != framework.id,
        )
    ):
        other.status = FrameworkStatus.ARCHIVED
        other.archived_at = utcnow()
        record_change(
            session,
            actor=actor,
            action="framework.archived",
            entity=other,
            summary=f"superseded by version {framework.version}",
        )
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = utcnow()
    record_change(session, actor=actor, action="framework.published", entity=framework)
    session.flush()
    # Later features act on it (progress carries ratings over) without frameworks knowing them.
    signals.framework_version_published.send(session, framework=framework, actor=actor)
    return framework


def archive_framework(session: Session, framework: Framework, *, actor: Any) -> Framework:
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ConflictError(_("Only a published framework can be archived."))
    framework.status = FrameworkStatus.ARCHIVED
    framework.archived_at = utcnow()
    record_change(session, actor=actor, action="framework.archived", entity=framework)
    return framework


def delete_framework(session: Session, framework: Framework, *, actor: Any) -> None:
    """Only drafts go; published versions are history (ratings and targets point at them)."""
    if framework.status != FrameworkStatus.DRAFT:
        raise ConflictError(
            _("A published or archived framework is kept for its history; archive it instead.")
        )
    tracks = session.scalars(sa.select(Track.name).where(Track.framework_id == framework.id)).all()
    if tracks:
        raise ConflictError(
            _(
                "Tracks use this draft (%(tracks)s); move them to another version first.",
                tracks=", ".join(tracks),
            )
        )
    record_change(
        session,
        actor=actor,
        action="framework.deleted",
        entity=framework,
        before=snapshot(framework, FRAMEWORK_FIELDS),
    )
    session.execute(
        sa.delete(CompetencyRelation).where(
            CompetencyRelation.competency_id.in_(
                sa.select(Competency.id).where(Competency.framework_id == framework.id)
            )
        )
    )
    session.delete(framework)
    session.flush()


def create_new_version(session: Session, framework: Framework, *, actor: Any) -> Framework:
    """Copy a frozen framework into a new draft (version + 1) and map every competency to its
    copy, so progress recorded against the old version carries over."""
    if framework.status == FrameworkStatus.DRAFT:
        raise ConflictError(_("This version is still a draft: edit it directly."))
    existing = session.scalar(
        sa.select(Framework).where(
            Framework.code == framework.code, Framework.status == FrameworkStatus.DRAFT
        )
    )
    if existing is not None:
        raise ConflictError(
            _(
                "Version %(version)s of this framework is already in draft; edit that one.",
                version=existing.version,
            )
        )
    latest = session.scalar(
        sa.select(sa.func.max(Framework.version)).where(Framework.code == framework.code)
    )
    copy = Framework(
        name=framework.name,
        code=framework.code,
        version=latest + 1,
        description=framework.description,
        source_document=framework.source_document,
        language=framework.language,
        scale_id=framework.scale_id,
        taxonomy=list(framework.taxonomy or []),
        previous_version_id=framework.id,
        status=FrameworkStatus.DRAFT,
    )
    session.add(copy)
    session.flush()
    originals = load_competencies(session, framework)
    copies: dict[int, Competency] = {}
    # Parents first, so each copy can point at its parent's copy.
    for old in sorted(originals, key=lambda c: depth_of(c, originals)):
        new = Competency(
            framework_id=copy.id,
            parent=copies[old.parent_id] if old.parent_id else None,
            code=old.code,
            short_name=old.short_name,
            description=old.description,
            sort_order=old.sort_order,
            rule=old.rule,
            rule_threshold=old.rule_threshold,
            rule_points=old.rule_points,
            rule_required=old.rule_required,
            indicators=[LevelIndicator(level_id=i.level_id, text=i.text) for i in old.indicators],
        )
        session.add(new)
        copies[old.id] = new
    session.flush()
    for old_id, new in copies.items():
        session.add(CompetencyMapping(old_competency_id=old_id, new_competency_id=new.id))
    for relation in session.scalars(
        sa.select(CompetencyRelation).where(
            CompetencyRelation.competency_id.in_([c.id for c in originals])
        )
    ):
        a, b = copies[relation.competency_id].id, copies[relation.related_id].id
        session.add(CompetencyRelation(competency_id=min(a, b), related_id=max(a, b)))
    record_change(
        session,
        actor=actor,
        action="framework.version_created",
        entity=copy,
        summary=f"{framework.code} v{framework.version} → v{copy.version}",
    )
    session.flush()
    return copy


def map_competency(
    session: Session, old_competency: Competency, new_version: Framework
) -> Competency | None:
    """The competency of ``new_version`` that ``old_competency`` became, following the
    mappings across as many versions as lie between; ``None`` when it was dropped.

    Ratings, course mappings and track targets use this to carry progress over to a new
    version. Where a competency was split, the first mapping (lowest id) wins.
    """
    if old_competency.framework_id == new_version.id:
        return old_competency
    frontier = [old_competency.id]
    seen = set(frontier)
    while frontier:
        rows = session.execute(
            sa.select(CompetencyMapping.new_competency_id, Competency.framework_id)
            .join(Competency, Competency.id == CompetencyMapping.new_competency_id)
            .where(CompetencyMapping.old_competency_id.in_(frontier))
            .order_by(CompetencyMapping.id)
        ).all()
        for new_id, framework_id in rows:
            if framework_id == new_version.id:
                return session.get(Competency, new_id)
        frontier = [new_id for new_id, _fw in rows if new_id not in seen]
        seen.update(frontier)
    return None


def mapped_from(session: Session, competency: Competency) -> list[Competency]:
    """The competencies of the previous version that map to ``competency``."""
    return list(
        session.scalars(
            sa.select(Competency)
            .join(CompetencyMapping, CompetencyMapping.old_competency_id == Competency.id)
            .where(CompetencyMapping.new_competency_id == competency.id)
            .order_by(Competency.code)
        )
    )


# Competencies ------------------------------------------------------------------------------


def load_competencies(session: Session, framework: Framework) -> list[Competency]:
    """Every competency of a framework with indicators, in one query (plus one for indicators)."""
    return list(
        session.scalars(
            sa.select(Competency)
            .where(Competency.framework_id == framework.id)
            .options(selectinload(Competency.indicators))
            .order_by(Competency.sort_order, Competency.id)
        )
    )


def depth_of(competency: Competency, within: Sequence[Competency]) -> int:
    by_id = {c.id: c for c in within}
    depth, node = 1, competency
    while node.parent_id is not None:
        depth += 1
        node = by_id[node.parent_id]
    return depth


@dataclass
class TreeNode:
    competency: Competency
    depth: int
    children: list[TreeNode] = field(default_factory=list)
    matches: bool = True


def build_tree(competencies: Sequence[Competency], query: str = "") -> list[TreeNode]:
    """The hierarchy as nested nodes. With a query, only matching competencies and their
    ancestors remain (so a hit is shown in its place)."""
    children: dict[int | None, list[Competency]] = {}
    for c in competencies:
        children.setdefault(c.parent_id, []).append(c)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.sort_order, c.id))
    q = query.strip().lower()

    def matches(c: Competency) -> bool:
        return (
            not q
            or q in c.code.lower()
            or q in c.short_name.lower()
            or (q in c.description.lower())
        )

    def build(c: Competency, depth: int) -> TreeNode | None:
        kids = [n for k in children.get(c.id, []) if (n := build(k, depth + 1))]
        hit = matches(c)
        if q and not hit and not kids:
            return None
        return TreeNode(c, depth, kids, hit)

    return [n for c in children.get(None, []) if (n := build(c, 1))]


def flatten(nodes: Sequence[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def descendant_ids(session: Session, competency: Competency) -> set[int]:
    rows = session.execute(
        sa.select(Competency.id, Competency.parent_id).where(
            Competency.framework_id == competency.framework_id
        )
    ).all()
    kids: dict[int, list[int]] = {}
    for cid, pid in rows:
        if pid is not None:
            kids.setdefault(pid, []).append(cid)
    found: set[int] = set()
    stack = [competency.id]
    while stack:
        for child in kids.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _check_competency_fields(
    session: Session, framework: Framework, code: str, short_name: str, exclude_id: int | None
) -> None:
    if not code:
        raise ValidationError(_("Give the competency a code."), field="code")
    if len(code) > 100:
        raise ValidationError(_("The code is too long (100 characters at most)."), field="code")
    if not short_name:
        raise ValidationError(_("Give the competency a short name."), field="short_name")
    clash = session.scalar(
        sa.select(Competency.id).where(
            Competency.framework_id == framework.id,
            Competency.code == code,
            Competency.id != (exclude_id or 0),
        )
    )
    if clash:
        raise ConflictError(
            _("Code %(code)s is already used in this framework.", code=code), field="code"
        )


def _check_rule(rule: RollupRule, threshold: int | None) -> int | None:
    if rule == RollupRule.POINTS:
        if not threshold or threshold < 1:
            raise ValidationError(
                _("A points rule needs a threshold of at least 1."), field="rule_threshold"
            )
        return threshold
    return None


def _next_sort_order(session: Session, framework: Framework, parent: Competency | None) -> int:
    current = session.scalar(
        sa.select(sa.func.max(Competency.sort_order)).where(
            Competency.framework_id == framework.id,
            Competency.parent_id == parent.id if parent else Competency.parent_id.is_(None),
        )
    )
    return 0 if current is None else current + 1


def set_indicators(
    competency: Competency, scale: ProficiencyScale, indicators: dict[int, str]
) -> None:
    """Replace the level indicators: ``{level_id: text}``, blank texts dropped."""
    known = {lv.id for lv in scale.levels}
    unknown = set(indicators) - known
    if unknown:
        raise ValidationError(_("Unknown level in the indicators."), field="indicators")
    wanted = {lid: one_line(text) for lid, text in indicators.items() if one_line(text)}
    for indicator in list(competency.indicators):
        if indicator.level_id not in wanted:
            competency.indicators.remove(indicator)
        else:
            indicator.text = wanted.pop(indicator.level_id)
    for level_id, text in wanted.items():
        competency.indicators.append(LevelIndicator(level_id=level_id, text=text))


def create_competency(
    session: Session,
    framework: Framework,
    *,
    actor: Any,
    code: str,
    short_name: str,
    parent: Competency | None = None,
    description: str = "",
    indicators: dict[int, str] | None = None,
    rule: RollupRule = RollupRule.NONE,
    rule_threshold: int | None = None,
    rule_points: int = 0,
    rule_required: bool = False,
    uuid: str | None = None,
) -> Competency:
    require_draft(framework)
    code, short_name = _clean(code), _clean(short_name)
    _check_competency_fields(session, framework, code, short_name, None)
    if parent is not None and parent.framework_id != framework.id:
        raise ValidationError(_("The parent belongs to another framework."), field="parent_id")
    competency = Competency(
        framework=framework,
        parent=parent,
        code=code,
        short_name=short_name,
        description=_clean(description),
        sort_order=_next_sort_order(session, framework, parent),
        rule=rule,
        rule_threshold=_check_rule(rule, rule_threshold),
        rule_points=max(rule_points or 0, 0),
        rule_required=rule_required,
    )
    if uuid:
        competency.uuid = uuid
    set_indicators(competency, framework.scale, indicators or {})
    session.add(competency)
    record_change(
        session,
        actor=actor,
        action="competency.created",
        entity=competency,
        after=snapshot(competency, COMPETENCY_FIELDS),
    )
    return competency


def update_competency(
    session: Session,
    competency: Competency,
    *,
    actor: Any,
    code: str,
    short_name: str,
    description: str,
    indicators: dict[int, str],
    rule: RollupRule = RollupRule.NONE,
    rule_threshold: int | None = None,
    rule_points: int = 0,
    rule_required: bool = False,
) -> Competency:
    framework = competency.framework
    require_draft(framework)
    before = snapshot(competency, COMPETENCY_FIELDS)
    code, short_name = _clean(code), _clean(short_name)
    _check_competency_fields(session, framework, code, short_name, competency.id)
    competency.code = code
    competency.short_name = short_name
    competency.description = _clean(description)
    competency.rule = rule
    competency.rule_threshold = _check_rule(rule, rule_threshold)
    competency.rule_points = max(rule_points or 0, 0)
    competency.rule_required = rule_required
    set_indicators(competency, framework.scale, indicators)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="competency.updated",
        entity=competency,
        before=before,
        after=snapshot(competency, COMPETENCY_FIELDS),
    )
    return competency


def move_competency(
    session: Session, competency: Competency, new_parent: Competency | None, *, actor: Any
) -> Competency:
    """Move a branch under another parent (or to the top). A competency cannot move under
    itself or its own descendants: that would make a cycle."""
    framework = competency.framework
    require_draft(framework)
    if new_parent is not None:
        if new_parent.framework_id != framework.id:
            raise ValidationError(_("The new parent belongs to another framework."))
        if new_parent.id == competency.id or new_parent.id in descendant_ids(session, competency):
            raise ValidationError(
                _(
                    "%(code)s cannot move under itself or one of its own sub-competencies.",
                    code=competency.code,
                ),
                field="parent_id",
            )
    if (new_parent.id if new_parent else None) == competency.parent_id:
        return competency
    before = snapshot(competency, COMPETENCY_FIELDS)
    competency.sort_order = _next_sort_order(session, framework, new_parent)
    competency.parent = new_parent
    session.flush()
    record_change(
        session,
        actor=actor,
        action="competency.moved",
        entity=competency,
        before=before,
        after=snapshot(competency, COMPETENCY_FIELDS),
    )
    return competency


def shift_competency(
    session: Session, competency: Competency, offset: int, *, actor: Any
) -> Competency:
    """Move a competency up (-1) or down (+1) among its siblings."""
    require_draft(competency.framework)
    siblings = list(
        session.scalars(
            sa.select(Competency)
            .where(
                Competency.framework_id == competency.framework_id,
                Competency.parent_id == competency.parent_id
                if competency.parent_id
                else Competency.parent_id.is_(None),
            )
            .order_by(Competency.sort_order, Competency.id)
        )
    )
    index = siblings.index(competency)
    target = index + offset
    if not 0 <= target < len(siblings):
        return competency
    siblings.insert(target, siblings.pop(index))
    for order, sibling in enumerate(siblings):
        sibling.sort_order = order
    record_change(
        session,
        actor=actor,
        action="competency.reordered",
        entity=competency,
        after={"sort_order": target},
    )
    return competency


def delete_competency(session: Session, competency: Competency, *, actor: Any) -> None:
    framework = competency.framework
    require_draft(framework)
    if session.scalar(sa.select(Competency.id).where(Competency.parent_id == competency.id)):
        raise ConflictError(
            _("%(code)s has sub-competencies; move or delete them first.", code=competency.code)
        )
    targets = session.scalars(
        sa.select(Track.name).join(TrackTarget).where(TrackTarget.competency_id == competency.id)
    ).all()
    if targets:
        raise ConflictError(
            _(
                "%(code)s is a target of track(s) %(tracks)s; remove the targets first.",
                code=competency.code,
                tracks=", ".join(targets),
            )
        )
    record_change(
        session,
        actor=actor,
        action="competency.deleted",
        entity=competency,
        before=snapshot(competency, COMPETENCY_FIELDS),
    )
    session.execute(
        sa.delete(CompetencyRelation).where(
            sa.or_(
                CompetencyRelation.competency_id == competency.id,
                CompetencyRelation.related_id == competency.id,
            )
        )
    )
    session.execute(
        sa.delete(CompetencyMapping).where(CompetencyMapping.new_competency_id == competency.id)
    )
    session.delete(competency)
    session.flush()


def related_competencies(session: Session, competency: Competency) -> list[Competency]:
    ids = sa.union(
        sa.select(CompetencyRelation.related_id).where(
            CompetencyRelation.competency_id == competency.id
        ),
        sa.select(CompetencyRelation.competency_id).where(
            CompetencyRelation.related_id == competency.id
        ),
    )
    return list(
        session.scalars(
            sa.select(Competency).where(Competency.id.in_(ids)).order_by(Competency.code)
        )
    )


def relation_pairs(session: Session, framework: Framework) -> list[tuple[int, int]]:
    return list(
        session.execute(
            sa.select(CompetencyRelation.competency_id, CompetencyRelation.related_id)
            .join(Competency, Competency.id == CompetencyRelation.competency_id)
            .where(Competency.framework_id == framework.id)
        )
    )


def set_related(
    session: Session, competency: Competency, codes: Iterable[str], *, actor: Any
) -> list[Competency]:
    """Replace the cross-references of ``competency`` by the competencies with ``codes``."""
    framework = competency.framework
    require_draft(framework)
    wanted = {c.strip() for c in codes if c.strip()}
    found = {
        c.code: c
        for c in session.scalars(
            sa.select(Competency).where(
                Competency.framework_id == framework.id, Competency.code.in_(wanted)
            )
        )
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise ValidationError(
            _("No competency with code(s) %(codes)s here.", codes=", ".join(missing)),
            field="related",
        )
    if competency.code in wanted:
        raise ValidationError(_("A competency cannot refer to itself."), field="related")
    session.execute(
        sa.delete(CompetencyRelation).where(
            sa.or_(
                CompetencyRelation.competency_id == competency.id,
                CompetencyRelation.related_id == competency.id,
            )
        )
    )
    session.flush()
    for other in found.values():
        a, b = sorted((competency.id, other.id))
        session.add(CompetencyRelation(competency_id=a, related_id=b))
    record_change(
        session,
        actor=actor,
        action="competency.related_set",
        entity=competency,
        after={"related": sorted(wanted)},
    )
    return sorted(found.values(), key=lambda c: c.code)


def rollup_met(parent: Competency, proficient_child_ids: Iterable[int]) -> bool:
    """Whether ``parent``'s roll-up rule is met by the children a person is proficient in.

    The ratings feature calls this after each rating and, when it is met, rates the parent
    with the rule as the evidence. ``all``: every child proficient. ``points``: every required
    child proficient and the points of the proficient children reach the threshold.
    """
    proficient = set(proficient_child_ids)
    children = parent.children
    if parent.rule == RollupRule.NONE or not children:
        return False
    if parent.rule == RollupRule.ALL:
        return all(c.id in proficient for c in children)
    if any(c.rule_required and c.id not in proficient for c in children):
        return False
    points = sum(c.rule_points for c in children if c.id in proficient)
    return points >= (parent.rule_threshold or 0)


def parse_levels(text: str, default_position: int, proficient_position: int) -> list[LevelSpec]:
    """Scale levels from the editor's textarea: one ``Name | descriptor`` a line, lowest first."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    for number in (default_position, proficient_position):
        if not 1 <= number <= len(lines):
            raise ValidationError(
                _("Level numbers go from 1 to %(n)s.", n=len(lines)), field="default_position"
            )
    specs = []
    for position, line in enumerate(lines, start=1):
        name, _sep, descriptor = line.partition("|")
        specs.append(
            LevelSpec(
                name.strip(),
                descriptor.strip(),
                is_default=position == default_position,
                is_proficient=position >= proficient_position,
            )
        )
    return specs
