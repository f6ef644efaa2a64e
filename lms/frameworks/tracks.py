"""Business rules for tracks: the programme's learning tracks on a framework version, their
stages and their target levels, and moving a track to a later version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.core import signals
from lms.core.audit import record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, apply_french
from lms.frameworks.models import (
    Competency,
    Framework,
    FrameworkStatus,
    Track,
    TrackStage,
    TrackTarget,
)
from lms.frameworks.services.common import _clean
from lms.frameworks.services.mappings import map_competency

TRACK_FIELDS = (
    "code",
    "name",
    "description",
    "target_audience",
    "expected_duration_weeks",
    "entry_requirements",
    "prerequisite_track_id",
    "framework_id",
    "is_active",
    "name_fr",
    "description_fr",
    "target_audience_fr",
    "entry_requirements_fr",
)
# The French text a track may carry (``lms.core.i18n.localised``).
FRENCH_FIELDS = ("name_fr", "description_fr", "target_audience_fr", "entry_requirements_fr")


def _check_track(
    session: Session,
    *,
    code: str,
    name: str,
    framework: Framework,
    prerequisite: Track | None,
    track: Track | None,
    expected_duration_weeks: int | None,
) -> None:
    if not code:
        raise ValidationError(_("Give the track a code."), field="code")
    if not name:
        raise ValidationError(_("Give the track a name."), field="name")
    exclude = track.id if track else 0
    if session.scalar(sa.select(Track.id).where(Track.code == code, Track.id != exclude)):
        raise ConflictError(_("Track code %(code)s is taken.", code=code), field="code")
    if session.scalar(sa.select(Track.id).where(Track.name == name, Track.id != exclude)):
        raise ConflictError(_("A track named “%(name)s” exists.", name=name), field="name")
    if framework.status == FrameworkStatus.ARCHIVED:
        raise ValidationError(
            _("Choose a current framework version, not an archived one."), field="framework_id"
        )
    if expected_duration_weeks is not None and expected_duration_weeks < 1:
        raise ValidationError(
            _("The duration is a number of weeks, at least 1."), field="expected_duration_weeks"
        )
    if prerequisite is not None and track is not None:
        node: Track | None = prerequisite
        while node is not None:
            if node.id == track.id:
                raise ValidationError(
                    _("A track cannot require itself, even through other tracks."),
                    field="prerequisite_track_id",
                )
            node = node.prerequisite_track


def create_track(
    session: Session,
    *,
    actor: Any,
    code: str,
    name: str,
    framework: Framework,
    description: str = "",
    target_audience: str = "",
    expected_duration_weeks: int | None = None,
    entry_requirements: str = "",
    prerequisite: Track | None = None,
    french: dict[str, str | None] | None = None,
) -> Track:
    code, name = _clean(code), _clean(name)
    _check_track(
        session,
        code=code,
        name=name,
        framework=framework,
        prerequisite=prerequisite,
        track=None,
        expected_duration_weeks=expected_duration_weeks,
    )
    track = Track(
        code=code,
        name=name,
        framework=framework,
        description=_clean(description),
        target_audience=_clean(target_audience),
        expected_duration_weeks=expected_duration_weeks,
        entry_requirements=_clean(entry_requirements),
        prerequisite_track=prerequisite,
    )
    apply_french(track, french, FRENCH_FIELDS)
    session.add(track)
    record_change(
        session,
        actor=actor,
        action="track.created",
        entity=track,
        after=snapshot(track, TRACK_FIELDS),
    )
    return track


def update_track(
    session: Session,
    track: Track,
    *,
    actor: Any,
    code: str,
    name: str,
    description: str,
    target_audience: str,
    expected_duration_weeks: int | None,
    entry_requirements: str,
    prerequisite: Track | None,
    is_active: bool = True,
    french: dict[str, str | None] | None = None,
) -> Track:
    before = snapshot(track, TRACK_FIELDS)
    code, name = _clean(code), _clean(name)
    _check_track(
        session,
        code=code,
        name=name,
        framework=track.framework,
        prerequisite=prerequisite,
        track=track,
        expected_duration_weeks=expected_duration_weeks,
    )
    track.code = code
    track.name = name
    track.description = _clean(description)
    track.target_audience = _clean(target_audience)
    track.expected_duration_weeks = expected_duration_weeks
    track.entry_requirements = _clean(entry_requirements)
    track.prerequisite_track = prerequisite
    track.is_active = is_active
    apply_french(track, french, FRENCH_FIELDS)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.updated",
        entity=track,
        before=before,
        after=snapshot(track, TRACK_FIELDS),
    )
    return track


def parse_stages(text: str, field: str = "stages") -> list[tuple[str, str]]:
    """One stage a line: ``Name: description`` (the description is optional)."""
    stages = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _sep, description = line.partition(":")
        if not name.strip():
            raise ValidationError(_("Every stage needs a name before the colon."), field=field)
        stages.append((name.strip(), description.strip()))
    return stages


def set_stages(
    session: Session,
    track: Track,
    stages: Sequence[tuple[str, str]],
    *,
    actor: Any,
    french: Sequence[tuple[str, str]] = (),
) -> Track:
    """Replace the stages; ``french``: the stages' French names and descriptions in the same
    order (fewer lines leave the last stages in English only, more are refused)."""
    if len(french) > len(stages):
        raise ValidationError(
            _("There are more French stages than stages: give one French line per stage."),
            field="stages_fr",
        )
    before = [s.name for s in track.stages]
    track.stages.clear()
    session.flush()
    for position, (name, description) in enumerate(stages, start=1):
        name_fr, description_fr = french[position - 1] if position <= len(french) else ("", "")
        track.stages.append(
            TrackStage(
                position=position,
                name=name[:160],
                description=description,
                name_fr=name_fr[:160] or None,
                description_fr=description_fr or None,
            )
        )
    record_change(
        session,
        actor=actor,
        action="track.stages_set",
        entity=track,
        before={"stages": before},
        after={"stages": [name for name, _d in stages]},
    )
    return track


def set_targets(
    session: Session, track: Track, targets: dict[int, int | None], *, actor: Any
) -> Track:
    """Replace the targets: ``{competency_id: level_id or None}`` for the competencies of the
    track's framework version."""
    framework = track.framework
    competency_ids = set(
        session.scalars(sa.select(Competency.id).where(Competency.framework_id == framework.id))
    )
    level_ids = {lv.id for lv in framework.scale.levels}
    for competency_id, level_id in targets.items():
        if competency_id not in competency_ids:
            raise ValidationError(_("A target names a competency of another framework."))
        if level_id is not None and level_id not in level_ids:
            raise ValidationError(_("A target names a level that is not on the scale."))
    before = {str(t.competency_id): t.level_id for t in track.targets}
    wanted = {cid: lid for cid, lid in targets.items() if lid is not None}
    for target in list(track.targets):
        if target.competency_id not in wanted:
            track.targets.remove(target)
        else:
            target.level_id = wanted.pop(target.competency_id)
    for competency_id, level_id in wanted.items():
        track.targets.append(TrackTarget(competency_id=competency_id, level_id=level_id))
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.targets_set",
        entity=track,
        before=before,
        after={str(cid): lid for cid, lid in targets.items() if lid is not None},
    )
    signals.track_requirements_changed.send(session, track_ids=[track.id])
    return track


def move_track_to_version(
    session: Session, track: Track, new_version: Framework, *, actor: Any
) -> list[str]:
    """Point a track at another version of its framework, carrying each target over through
    the competency mapping. Returns the codes of targets that could not be carried over."""
    old = track.framework
    if new_version.code != old.code:
        raise ValidationError(_("Choose a version of the same framework."), field="framework_id")
    if new_version.status == FrameworkStatus.ARCHIVED:
        raise ValidationError(_("Choose a current version, not an archived one."))
    dropped: list[str] = []
    carried: dict[int, int] = {}
    for target in list(track.targets):
        mapped = map_competency(session, target.competency, new_version)
        if mapped is None:
            dropped.append(target.competency.code)
        else:
            level = new_version.scale.level_at(target.level.position)
            if level is not None:
                carried[mapped.id] = level.id
    track.targets.clear()
    session.flush()
    track.framework = new_version
    for competency_id, level_id in carried.items():
        track.targets.append(TrackTarget(competency_id=competency_id, level_id=level_id))
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.moved_to_version",
        entity=track,
        before={"framework_id": old.id},
        after={"framework_id": new_version.id, "dropped": dropped},
    )
    signals.track_requirements_changed.send(session, track_ids=[track.id])
    return dropped


def tracks_targeting(session: Session, competency: Competency) -> list[TrackTarget]:
    return list(
        session.scalars(
            sa.select(TrackTarget)
            .join(Track)
            .where(TrackTarget.competency_id == competency.id)
            .options(selectinload(TrackTarget.track))
            .order_by(Track.name)
        )
    )


def save_track(
    session: Session,
    track: Track | None,
    *,
    actor: Any,
    framework_id: int | None = None,
    prerequisite_id: int | None,
    stages: str | None,
    stages_fr: str | None = None,
    is_active: bool = True,
    **fields: Any,
) -> Track:
    """The track editor in one call (``track`` ``None`` creates one on ``framework_id``): the
    fields, then the stages, so one refusal rolls the whole form back."""
    prerequisite = session.get(Track, prerequisite_id) if prerequisite_id else None
    if track is None:
        framework = session.get(Framework, framework_id) if framework_id else None
        if framework is None:
            raise ValidationError(_("Choose a framework version."), field="framework_id")
        track = create_track(
            session, actor=actor, framework=framework, prerequisite=prerequisite, **fields
        )
        session.flush()
    else:
        update_track(
            session, track, actor=actor, prerequisite=prerequisite, is_active=is_active, **fields
        )
    set_stages(
        session,
        track,
        parse_stages(stages or ""),
        actor=actor,
        french=parse_stages(stages_fr or "", field="stages_fr"),
    )
    return track


def parse_targets(
    posted: Mapping[str, str], competency_ids: Sequence[int], level_ids: set[int]
) -> dict[int, int | None]:
    """The targets matrix as posted (``target_<competency id>`` → level id or blank): every
    competency of the framework gets a level or ``None``; unknown levels count as blank."""
    wanted: dict[int, int | None] = {}
    for competency_id in competency_ids:
        raw = posted.get(f"target_{competency_id}", "")
        level_id = int(raw) if raw.isdigit() else None
        wanted[competency_id] = level_id if level_id in level_ids else None
    return wanted


# Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackFilters:
    """``include_hidden`` is for editors: inactive tracks and tracks on a draft framework."""

    include_hidden: bool = False


def tracks_query(filters: TrackFilters) -> sa.Select:
    """Tracks by name, with their stages loaded."""
    stmt = sa.select(Track).join(Framework).options(selectinload(Track.stages))
    if not filters.include_hidden:
        stmt = stmt.where(Track.is_active.is_(True), Framework.status != FrameworkStatus.DRAFT)
    return stmt.order_by(Track.name)


def target_counts(session: Session, track_ids: Sequence[int]) -> dict[int, int]:
    """How many targets each track has, in one query for a page of tracks."""
    return dict(
        session.execute(
            sa.select(Track.id, sa.func.count())
            .join(Track.targets)
            .where(Track.id.in_(track_ids))
            .group_by(Track.id)
        ).all()
    )


def tracks_on(session: Session, framework: Framework) -> list[Track]:
    """The tracks set against one framework version, by name."""
    return list(
        session.scalars(
            sa.select(Track).where(Track.framework_id == framework.id).order_by(Track.name)
        )
    )


def all_tracks(session: Session) -> list[Track]:
    """Every track by name: the choices for "track to complete first"."""
    return list(session.scalars(sa.select(Track).order_by(Track.name)))
