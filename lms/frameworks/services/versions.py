"""Frameworks and their versions: create, edit a draft, publish (archiving the version it
supersedes), archive, delete a draft, and copy a frozen version into the next draft."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core import signals
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, apply_french
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
    Track,
)
from lms.frameworks.services.common import _clean, require_draft
from lms.frameworks.services.tree import depth_of, load_competencies

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
    "name_fr",
    "description_fr",
)
# The French text a framework may carry (``lms.core.i18n.localised``).
FRENCH_FIELDS = ("name_fr", "description_fr")

LANGUAGES = ("en", "fr", "es", "ar", "pt", "ru")


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
    french: dict[str, str | None] | None = None,
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
    apply_french(framework, french, FRENCH_FIELDS)
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
    french: dict[str, str | None] | None = None,
) -> Framework:
    require_draft(framework)
    with audited(session, framework, FRAMEWORK_FIELDS, actor=actor, action="framework.updated"):
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
        apply_french(framework, french, FRENCH_FIELDS)
        session.flush()
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
        name_fr=framework.name_fr,
        description_fr=framework.description_fr,
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
            short_name_fr=old.short_name_fr,
            description_fr=old.description_fr,
            sort_order=old.sort_order,
            rule=old.rule,
            rule_threshold=old.rule_threshold,
            rule_points=old.rule_points,
            rule_required=old.rule_required,
            indicators=[
                LevelIndicator(level_id=i.level_id, text=i.text, text_fr=i.text_fr)
                for i in old.indicators
            ],
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


# Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkFilters:
    """The framework list's filters. ``include_drafts`` is for editors: drafts are work in
    progress nobody else rates against."""

    q: str = ""
    status: str = ""
    include_drafts: bool = False


def frameworks_query(filters: FrameworkFilters) -> sa.Select:
    """Frameworks matching the filters, by code then newest version first."""
    stmt = sa.select(Framework)
    if not filters.include_drafts:
        stmt = stmt.where(Framework.status != FrameworkStatus.DRAFT)
    if filters.status in {s.value for s in FrameworkStatus}:
        stmt = stmt.where(Framework.status == filters.status)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Framework.name).like(like), sa.func.lower(Framework.code).like(like)
            )
        )
    return stmt.order_by(Framework.code, Framework.version.desc())


def competency_counts(session: Session, framework_ids: Sequence[int]) -> dict[int, int]:
    """How many competencies each framework has, in one query for a page of frameworks."""
    return dict(
        session.execute(
            sa.select(Competency.framework_id, sa.func.count())
            .where(Competency.framework_id.in_(framework_ids))
            .group_by(Competency.framework_id)
        ).all()
    )


def versions_of(session: Session, framework: Framework) -> list[Framework]:
    """Every version of ``framework``'s code, oldest first."""
    return list(
        session.scalars(
            sa.select(Framework).where(Framework.code == framework.code).order_by(Framework.version)
        )
    )


def current_versions(session: Session, code: str | None = None) -> list[Framework]:
    """The versions a track may be put on (not archived), optionally of one code only."""
    stmt = sa.select(Framework).where(Framework.status != FrameworkStatus.ARCHIVED)
    if code:
        stmt = stmt.where(Framework.code == code)
    return list(session.scalars(stmt.order_by(Framework.name, Framework.version)))
