"""Proficiency scales: the ordered levels frameworks rate against, checked the way Moodle's
scale configuration needs them (one default, at least one proficient level)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, apply_french
from lms.frameworks.models import ProficiencyScale, ScaleLevel
from lms.frameworks.services.common import _clean

DEFAULT_SCALE_NAME = "Capacity-building proficiency scale"
DEFAULT_SCALE_LEVELS = (
    ("Awareness", "Knows the concepts and vocabulary and recognises where they apply."),
    ("Practitioner", "Applies the competency independently in routine work."),
    ("Advanced", "Handles complex or novel cases and improves how the work is done."),
    ("Expert", "Sets direction, trains and advises others, and is recognised as a reference."),
)
# The default scale's levels in French, in the same order (TERMINOLOGY.md: Awareness is
# *Sensibilisation*).
DEFAULT_SCALE_LEVELS_FR = (
    ("Sensibilisation", "Connaît les notions et le vocabulaire et repère où ils s'appliquent."),
    ("Praticien", "Applique la compétence de manière autonome dans le travail courant."),
    ("Avancé", "Traite les cas complexes ou nouveaux et améliore la façon de travailler."),
    (
        "Expert",
        "Fixe les orientations, forme et conseille les autres, et fait référence.",
    ),
)
LEVEL_FRENCH = ("name_fr", "descriptor_fr")
DEFAULT_LEVEL_POSITION = 2
PROFICIENT_FROM_POSITION = 2


@dataclass(frozen=True)
class LevelSpec:
    name: str
    descriptor: str = ""
    is_default: bool = False
    is_proficient: bool = False
    uuid: str | None = None
    name_fr: str | None = None
    descriptor_fr: str | None = None


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
    french: dict[str, str | None] | None = None,
) -> ProficiencyScale:
    name = _clean(name)
    if not name:
        raise ValidationError(_("Give the scale a name."), field="name")
    check_levels(levels)
    if session.scalar(sa.select(ProficiencyScale.id).where(ProficiencyScale.name == name)):
        raise ConflictError(_("A scale named “%(name)s” already exists.", name=name), field="name")
    scale = ProficiencyScale(name=name, description=_clean(description))
    apply_french(scale, french, ("name_fr", "description_fr"))
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
        apply_french(
            level, {"name_fr": spec.name_fr, "descriptor_fr": spec.descriptor_fr}, LEVEL_FRENCH
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
            name_fr=name_fr,
            descriptor_fr=descriptor_fr,
        )
        for position, ((name, descriptor), (name_fr, descriptor_fr)) in enumerate(
            zip(DEFAULT_SCALE_LEVELS, DEFAULT_SCALE_LEVELS_FR, strict=True), start=1
        )
    ]
    return create_scale(
        session,
        actor=actor,
        name=DEFAULT_SCALE_NAME,
        levels=levels,
        description="Four levels, from knowing the concepts to leading and teaching others.",
        french={
            "name_fr": "Échelle de maîtrise du renforcement des capacités",
            "description_fr": (
                "Quatre niveaux, de la connaissance des notions à la direction et à la "
                "formation des autres."
            ),
        },
    )


def scale_signature(levels: Iterable[Any]) -> tuple:
    return tuple((lv.name, bool(lv.is_default), bool(lv.is_proficient)) for lv in levels)


def parse_levels(
    text: str, default_position: int, proficient_position: int, french_text: str = ""
) -> list[LevelSpec]:
    """Scale levels from the editor's textarea: one ``Name | descriptor`` a line, lowest first;
    ``french_text`` the same levels in French, in the same order (optional, may stop early)."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    french = [line for line in (french_text or "").splitlines() if line.strip()]
    if len(french) > len(lines):
        raise ValidationError(_("There are more French levels than levels."), field="levels_fr")
    for number in (default_position, proficient_position):
        if not 1 <= number <= len(lines):
            raise ValidationError(
                _("Level numbers go from 1 to %(n)s.", n=len(lines)), field="default_position"
            )
    specs = []
    for position, line in enumerate(lines, start=1):
        name, _sep, descriptor = line.partition("|")
        name_fr, _sep, descriptor_fr = (
            french[position - 1] if position <= len(french) else ""
        ).partition("|")
        specs.append(
            LevelSpec(
                name.strip(),
                descriptor.strip(),
                is_default=position == default_position,
                is_proficient=position >= proficient_position,
                name_fr=name_fr.strip() or None,
                descriptor_fr=descriptor_fr.strip() or None,
            )
        )
    return specs


def scales_query() -> sa.Select:
    """Every scale, by name (few enough to page through, never capped)."""
    return sa.select(ProficiencyScale).order_by(ProficiencyScale.name)


def all_scales(session: Session) -> list[ProficiencyScale]:
    return list(session.scalars(scales_query()))
