"""Competency frameworks: proficiency scales, versioned frameworks holding a hierarchy of
competencies, the old→new competency mapping between versions, tracks with their targets, and
the staged imports waiting for an editor's confirmation.

What later features rely on:

- ``Competency`` rows belong to exactly one ``Framework`` version and never move between
  versions. Course mappings, ratings and track targets point at a competency of the version
  they were made against; ``services.map_competency`` follows ``CompetencyMapping`` rows to the
  corresponding competency in a later version.
- A level is a ``ScaleLevel`` of the framework's ``ProficiencyScale``; compare levels by
  ``position`` (1 = lowest). ``ScaleLevel.is_proficient`` and ``ProficiencyScale.default_level``
  follow Moodle's scale configuration.
- Published and archived frameworks are frozen: the services refuse every change to them.
"""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.extensions import db
from lms.core.i18n import localised
from lms.core.model_base import LabelledEnum, enum_column, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User  # lower layer: no back-reference from accounts


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class FrameworkStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    __labels__ = {"draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived")}


class RollupRule(LabelledEnum):
    """How a parent competency is rated from its children (Moodle's competency rules)."""

    NONE = "none"
    ALL = "all"  # every child proficient
    POINTS = "points"  # children worth points, some required, a threshold

    __labels__ = {"none": _l("None"), "all": _l("All children proficient"), "points": _l("Points")}


# Moodle's taxonomy terms (core_competency\competency_framework::get_taxonomies_list); a
# framework names each depth with one of them so the CSV moves to Moodle unchanged.
TAXONOMY_TERMS = (
    "behaviour",
    "competency",
    "concept",
    "domain",
    "indicator",
    "level",
    "outcome",
    "practice",
    "proficiency",
    "skill",
    "value",
)


class ImportFormat(LabelledEnum):
    MOODLE_CSV = "moodle_csv"
    CASE_JSON = "case_json"

    __labels__ = {"moodle_csv": "Moodle CSV", "case_json": "CASE JSON"}  # names, not translated


class ImportStatus(enum.StrEnum):
    PENDING = "pending"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class ProficiencyScale(db.Model):
    """An ordered list of levels shared by frameworks. Levels are numbered from 1 (lowest)."""

    __tablename__ = "proficiency_scales"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # French text (``lms.core.i18n.localised`` shows the reader's language, else the other).
    name_fr: Mapped[str | None] = mapped_column(sa.String(160))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    levels: Mapped[list[ScaleLevel]] = relationship(
        back_populates="scale",
        order_by="ScaleLevel.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    @property
    def default_level(self) -> ScaleLevel | None:
        """The level given when a course is completed."""
        return next((lv for lv in self.levels if lv.is_default), None)

    @property
    def proficient_from(self) -> ScaleLevel | None:
        """The lowest level that counts as proficient."""
        return next((lv for lv in self.levels if lv.is_proficient), None)

    def level_at(self, position: int) -> ScaleLevel | None:
        return next((lv for lv in self.levels if lv.position == position), None)

    def __repr__(self) -> str:
        return f"<ProficiencyScale {self.name}>"


class ScaleLevel(db.Model):
    """One level of a scale. ``is_proficient`` is true from the proficient level upwards."""

    __tablename__ = "scale_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    scale_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proficiency_scales.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(80))
    descriptor: Mapped[str] = mapped_column(sa.Text, default="")
    name_fr: Mapped[str | None] = mapped_column(sa.String(80))
    descriptor_fr: Mapped[str | None] = mapped_column(sa.Text)
    is_default: Mapped[bool] = mapped_column(default=False)
    is_proficient: Mapped[bool] = mapped_column(default=False)

    scale: Mapped[ProficiencyScale] = relationship(back_populates="levels")

    __table_args__ = (
        sa.UniqueConstraint("scale_id", "position"),
        sa.UniqueConstraint("scale_id", "name"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    def __repr__(self) -> str:
        return f"<ScaleLevel {self.position} {self.name}>"


class Framework(db.Model):
    """One version of a competency framework. ``code`` + ``version`` identify it."""

    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(200))
    code: Mapped[str] = mapped_column(sa.String(60))
    version: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    name_fr: Mapped[str | None] = mapped_column(sa.String(200))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    source_document: Mapped[str] = mapped_column(sa.String(300), default="")
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    scale_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proficiency_scales.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[FrameworkStatus] = mapped_column(
        enum_column(FrameworkStatus, "framework_status"), default=FrameworkStatus.DRAFT
    )
    # Names of the depths, from the top: ["domain", "competency", "skill"].
    taxonomy: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # NO ACTION rather than RESTRICT: still refuses deleting a version a later one was made
    # from, but checked at the end of the statement, so a bulk delete of a table can pass.
    previous_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("frameworks.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]

    scale: Mapped[ProficiencyScale] = relationship(lazy="joined")
    previous_version: Mapped[Framework | None] = relationship(remote_side=[id])
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="framework",
        order_by="(Competency.sort_order, Competency.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("code", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
        sa.CheckConstraint(
            "(status = 'draft') OR (published_at IS NOT NULL)", name="published_has_date"
        ),
    )

    @property
    def is_frozen(self) -> bool:
        return self.status != FrameworkStatus.DRAFT

    @property
    def label(self) -> str:
        """The name in the reader's language, with the version."""
        return f"{localised(self, 'name')} (v{self.version})"

    def taxonomy_term(self, depth: int) -> str:
        """The name of a depth (1 = top level), or "competency" beyond the taxonomy."""
        if 1 <= depth <= len(self.taxonomy or []):
            return self.taxonomy[depth - 1]
        return "competency"

    def __repr__(self) -> str:
        return f"<Framework {self.code} v{self.version} {self.status}>"


class Competency(db.Model):
    """A node of a framework's hierarchy (domain, competency, sub-competency…).

    Roll-up: ``rule`` on a parent says when the parent is rated automatically from its children;
    for ``points`` each child carries ``rule_points`` and ``rule_required`` and the parent
    ``rule_threshold``.
    """

    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    framework_id: Mapped[int] = mapped_column(
        sa.ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    # CASCADE only matters when a whole draft framework is deleted; the services refuse to
    # delete a competency that still has children.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(100))
    short_name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    short_name_fr: Mapped[str | None] = mapped_column(sa.String(200))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    sort_order: Mapped[int] = mapped_column(default=0)
    rule: Mapped[RollupRule] = mapped_column(
        enum_column(RollupRule, "rollup_rule"), default=RollupRule.NONE
    )
    rule_threshold: Mapped[int | None]
    rule_points: Mapped[int] = mapped_column(default=0)
    rule_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[Framework] = relationship(back_populates="competencies")
    parent: Mapped[Competency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Competency]] = relationship(
        back_populates="parent", order_by="(Competency.sort_order, Competency.id)"
    )
    indicators: Mapped[list[LevelIndicator]] = relationship(
        back_populates="competency", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("framework_id", "code"),
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
        sa.CheckConstraint("length(trim(short_name)) > 0", name="short_name_not_blank"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint("rule_points >= 0", name="rule_points_not_negative"),
        sa.CheckConstraint(
            "(rule = 'points') = (rule_threshold IS NOT NULL)", name="threshold_with_points"
        ),
        sa.CheckConstraint(
            "rule_threshold IS NULL OR rule_threshold >= 1", name="threshold_positive"
        ),
    )

    def indicator_for(self, level: ScaleLevel) -> str:
        """The indicator's text at ``level`` in the reader's language (else the other one)."""
        found = next((i for i in self.indicators if i.level_id == level.id), None)
        return localised(found, "text")

    def __repr__(self) -> str:
        return f"<Competency {self.code}>"


class LevelIndicator(db.Model):
    """What a person shows at one level of the scale for one competency."""

    __tablename__ = "level_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(sa.ForeignKey("competencies.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(sa.Text)
    text_fr: Mapped[str | None] = mapped_column(sa.Text)

    competency: Mapped[Competency] = relationship(back_populates="indicators")
    level: Mapped[ScaleLevel] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("competency_id", "level_id"),
        sa.CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
    )


class CompetencyRelation(db.Model):
    """A cross-reference between two competencies of one framework. Symmetric: stored once,
    lower id first."""

    __tablename__ = "competency_relations"

    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    __table_args__ = (sa.CheckConstraint("competency_id < related_id", name="ordered_pair"),)


class CompetencyMapping(db.Model):
    """``old`` (in an earlier version) corresponds to ``new`` (in the next version).

    Written when a new version is created; progress carries over through it. History: neither
    side may be deleted while the mapping exists, except a competency of a draft, whose mappings
    go with it.
    """

    __tablename__ = "competency_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT"), index=True
    )
    new_competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )

    old_competency: Mapped[Competency] = relationship(foreign_keys=[old_competency_id])
    new_competency: Mapped[Competency] = relationship(foreign_keys=[new_competency_id])

    __table_args__ = (
        sa.UniqueConstraint("old_competency_id", "new_competency_id"),
        sa.CheckConstraint("old_competency_id <> new_competency_id", name="distinct_sides"),
    )


class Track(db.Model):
    """A learning track (Leaders, Data specialists, Experts…) against one framework version."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    name_fr: Mapped[str | None] = mapped_column(sa.String(160))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)
    target_audience: Mapped[str] = mapped_column(sa.Text, default="")
    expected_duration_weeks: Mapped[int | None]
    entry_requirements: Mapped[str] = mapped_column(sa.Text, default="")
    target_audience_fr: Mapped[str | None] = mapped_column(sa.Text)
    entry_requirements_fr: Mapped[str | None] = mapped_column(sa.Text)
    prerequisite_track_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tracks.id"), index=True
    )
    framework_id: Mapped[int] = mapped_column(
        sa.ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[Framework] = relationship(lazy="joined")
    prerequisite_track: Mapped[Track | None] = relationship(remote_side=[id])
    stages: Mapped[list[TrackStage]] = relationship(
        back_populates="track",
        order_by="TrackStage.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    targets: Mapped[list[TrackTarget]] = relationship(
        back_populates="track", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_blank"),
        sa.CheckConstraint(
            "expected_duration_weeks IS NULL OR expected_duration_weeks > 0",
            name="duration_positive",
        ),
        sa.CheckConstraint(
            "prerequisite_track_id IS NULL OR prerequisite_track_id <> id",
            name="not_own_prerequisite",
        ),
    )

    def __repr__(self) -> str:
        return f"<Track {self.code}>"


class TrackStage(db.Model):
    __tablename__ = "track_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    name_fr: Mapped[str | None] = mapped_column(sa.String(160))
    description_fr: Mapped[str | None] = mapped_column(sa.Text)

    track: Mapped[Track] = relationship(back_populates="stages")

    __table_args__ = (
        sa.UniqueConstraint("track_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )


class TrackTarget(db.Model):
    """The level a track expects for one competency of the track's framework version."""

    __tablename__ = "track_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competencies.id", ondelete="RESTRICT"), index=True
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("scale_levels.id", ondelete="RESTRICT"))

    track: Mapped[Track] = relationship(back_populates="targets")
    competency: Mapped[Competency] = relationship()
    level: Mapped[ScaleLevel] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("track_id", "competency_id"),)


class FrameworkImport(db.Model):
    """An uploaded file kept server-side between the preview and the commit."""

    __tablename__ = "framework_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[ImportFormat] = mapped_column(enum_column(ImportFormat, "import_format"))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status"), default=ImportStatus.PENDING
    )
    uploaded_by_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    framework_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("frameworks.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    framework: Mapped[Framework | None] = relationship()
