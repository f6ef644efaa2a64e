"""The frameworks' list pages as CSV rows (``lms.core.csv_export``): frameworks, tracks and
proficiency scales, from the pages' own SELECTs (drafts and hidden tracks only for editors),
with the counts and levels loaded for the whole list at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.core.i18n import _, localised
from lms.frameworks.models import ProficiencyScale
from lms.frameworks.services.versions import competency_counts
from lms.frameworks.tracks import target_counts


def frameworks_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Name"), _("Code"), _("Version"), _("Scale"), _("Competencies"), _("Status")]
    frameworks = list(session.scalars(stmt).unique())
    counts = competency_counts(session, [f.id for f in frameworks])
    rows = [
        [
            localised(f, "name"),
            f.code,
            f.version,
            localised(f.scale, "name"),
            counts.get(f.id, 0),
            f.status.label,
        ]
        for f in frameworks
    ]
    return header, rows


def tracks_table(
    session: Session, stmt: sa.Select, *, editor: bool
) -> tuple[list[str], list[list]]:
    header = [_("Track"), _("Code"), _("Framework version"), _("Duration (weeks)"), _("Stages")]
    header.append(_("Targets"))
    if editor:
        header.append(_("Status"))
    tracks = list(session.scalars(stmt).unique())
    counts = target_counts(session, [t.id for t in tracks])
    rows = []
    for t in tracks:
        row = [
            localised(t, "name"),
            t.code,
            t.framework.label,
            t.expected_duration_weeks,
            len(t.stages),
            counts.get(t.id, 0),
        ]
        if editor:
            row.append(_("Active") if t.is_active else _("Inactive"))
        rows.append(row)
    return header, rows


def scales_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    """One row per level of each scale (the page shows every scale's levels)."""
    header = [_("Scale"), "#", _("Level"), _("Descriptor"), _("Default on completion")]
    header.append(_("Proficient"))
    rows = []
    for s in session.scalars(stmt.options(selectinload(ProficiencyScale.levels))).unique():
        for lv in s.levels:
            rows.append(
                [
                    localised(s, "name"),
                    lv.position,
                    localised(lv, "name"),
                    localised(lv, "descriptor") or "",
                    _("yes") if lv.is_default else "",
                    _("yes") if lv.is_proficient else "",
                ]
            )
    return header, rows
