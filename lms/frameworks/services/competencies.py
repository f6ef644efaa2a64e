"""Competencies of a draft: create, edit, place in the hierarchy, reorder, delete,
cross-reference, and the roll-up rule that rates a parent from its children."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core import signals
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, apply_french
from lms.frameworks.models import (
    Competency,
    CompetencyMapping,
    CompetencyRelation,
    Framework,
    LevelIndicator,
    ProficiencyScale,
    RollupRule,
    Track,
    TrackTarget,
)
from lms.frameworks.services.common import _clean, one_line, require_draft
from lms.frameworks.services.tree import descendant_ids

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
    "short_name_fr",
    "description_fr",
)
# The French text a competency may carry (``lms.core.i18n.localised``).
FRENCH_FIELDS = ("short_name_fr", "description_fr")


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
    competency: Competency,
    scale: ProficiencyScale,
    indicators: dict[int, str],
    indicators_fr: dict[int, str] | None = None,
) -> None:
    """Replace the level indicators: ``{level_id: text}``, blank texts dropped; the French
    texts likewise when ``indicators_fr`` is given (``None`` keeps them). A French indicator
    needs its English text (the English column is the indicator's own text)."""
    known = {lv.id for lv in scale.levels}
    unknown = (set(indicators) | set(indicators_fr or {})) - known
    if unknown:
        raise ValidationError(_("Unknown level in the indicators."), field="indicators")
    wanted = {lid: one_line(text) for lid, text in indicators.items() if one_line(text)}
    french = None
    if indicators_fr is not None:
        french = {lid: one_line(t) for lid, t in indicators_fr.items() if one_line(t)}
        if set(french) - set(wanted):
            raise ValidationError(
                _("A French indicator needs its English text too."), field="indicators"
            )
    for indicator in list(competency.indicators):
        if indicator.level_id not in wanted:
            competency.indicators.remove(indicator)
        else:
            indicator.text = wanted.pop(indicator.level_id)
            if french is not None:
                indicator.text_fr = french.get(indicator.level_id)
    for level_id, text in wanted.items():
        competency.indicators.append(
            LevelIndicator(level_id=level_id, text=text, text_fr=(french or {}).get(level_id))
        )


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
    french: dict[str, str | None] | None = None,
    indicators_fr: dict[int, str] | None = None,
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
    apply_french(competency, french, FRENCH_FIELDS)
    set_indicators(competency, framework.scale, indicators or {}, indicators_fr)
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
    french: dict[str, str | None] | None = None,
    indicators_fr: dict[int, str] | None = None,
) -> Competency:
    framework = competency.framework
    require_draft(framework)
    with audited(session, competency, COMPETENCY_FIELDS, actor=actor, action="competency.updated"):
        code, short_name = _clean(code), _clean(short_name)
        _check_competency_fields(session, framework, code, short_name, competency.id)
        competency.code = code
        competency.short_name = short_name
        competency.description = _clean(description)
        competency.rule = rule
        competency.rule_threshold = _check_rule(rule, rule_threshold)
        competency.rule_points = max(rule_points or 0, 0)
        competency.rule_required = rule_required
        apply_french(competency, french, FRENCH_FIELDS)
        set_indicators(competency, framework.scale, indicators, indicators_fr)
        session.flush()
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
    with audited(session, competency, COMPETENCY_FIELDS, actor=actor, action="competency.moved"):
        competency.sort_order = _next_sort_order(session, framework, new_parent)
        competency.parent = new_parent
        session.flush()
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


def save_competency(
    session: Session,
    framework: Framework,
    competency: Competency | None,
    *,
    actor: Any,
    parent_id: int | None,
    related: Iterable[str],
    code: str,
    short_name: str,
    description: str,
    indicators: dict[int, str],
    rule: RollupRule = RollupRule.NONE,
    rule_threshold: int | None = None,
    rule_points: int = 0,
    rule_required: bool = False,
    french: dict[str, str | None] | None = None,
    indicators_fr: dict[int, str] | None = None,
) -> Competency:
    """The competency editor in one call (``competency`` ``None`` adds one): the fields, the
    place in the hierarchy and the cross-references, so one refusal rolls the whole form back."""
    parent = session.get(Competency, parent_id) if parent_id else None
    fields: dict[str, Any] = {
        "code": code,
        "short_name": short_name,
        "description": description,
        "indicators": indicators,
        "rule": rule,
        "rule_threshold": rule_threshold,
        "rule_points": rule_points,
        "rule_required": rule_required,
        "french": french,
        "indicators_fr": indicators_fr,
    }
    if competency is None:
        competency = create_competency(session, framework, actor=actor, parent=parent, **fields)
        session.flush()
    else:
        update_competency(session, competency, actor=actor, **fields)
        move_competency(session, competency, parent, actor=actor)
    set_related(session, competency, related, actor=actor)
    return competency


def related_blocks(session: Session, competency: Competency) -> list[signals.RelatedBlock]:
    """What the features above frameworks show on the competency's page (courses that develop
    it...). Asked through a signal: frameworks sits below them and cannot import them."""
    return signals.values_from_signal(
        signals.competency_related.send(session, competency=competency)
    )
