"""The old→new competency mapping between versions, which carries progress over."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.frameworks.models import Competency, CompetencyMapping, Framework


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


def successor_of(session: Session, competency: Competency) -> Competency | None:
    """What ``competency`` became in the newest version made from its own, if any: the page
    of an old competency points readers at the current one."""
    later = session.scalar(
        sa.select(Framework)
        .where(Framework.previous_version_id == competency.framework_id)
        .order_by(Framework.version.desc())
    )
    return map_competency(session, competency, later) if later is not None else None
