"""Synthetic data at a chosen size: ``lms generate --size XS|S|M|L|XL|XXL`` (the size ladder
of Moodle's test generator, in ``sizes.py``), or ``generate(session, size, seed)`` from tests
and benchmarks.

The data has the demo's shape over three years up to today: member administrations over the
regions, the demo accounts (same emails as ``lms demo``, password ``demo-password``) with
their share, the demo framework and tracks, courses and sessions, enrolments with their
history and results, ratings with evidence, track completions with certificates, and
projects with logframes, indicators, milestones and risks. Rows are written with SQLAlchemy
Core in batches, ids assigned here; the same size, seed and day always build the same data.
It only loads into an empty database and never deletes anything.
"""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import history_start
from lms.core import clock
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.generate.bulk import Loader, Progress
from lms.generate.catalogue import build_catalogue
from lms.generate.learning import build_learning
from lms.generate.people import at, build_people
from lms.generate.plan import assign_trainers, plan_learning
from lms.generate.projects import build_projects
from lms.generate.sizes import SIZES, Size, size_named
from lms.progress.services import rebuild_track_summaries
from lms.projects.services.summary import rebuild_project_summaries

__all__ = ["SIZES", "Size", "filled_tables", "generate", "size_named"]


def filled_tables(session: Session) -> list[str]:
    """The tables that hold rows (the generator loads only when there are none)."""
    found = []
    for table in db.metadata.sorted_tables:
        if session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            found.append(table.name)
    return found


def generate(
    session: Session,
    size: str,
    seed: int = 0,
    *,
    progress: Progress | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Fill an empty database; returns the rows written per table. Flushes, never commits."""
    spec = size_named(size)
    filled = filled_tables(session)
    if filled:
        raise ConflictError(
            f"The database is not empty ({', '.join(filled[:5])}"
            f"{' …' if len(filled) > 5 else ''} hold rows); synthetic data is only generated "
            "into an empty, migrated database."
        )
    today = today or clock.today()
    start = history_start(today)
    rng = random.Random(f"lms-generate-{spec.name}-{seed}")  # nosec B311  # reproducible data
    loader = Loader(session, progress)
    people = build_people(loader, rng, spec, start, today)
    catalogue = build_catalogue(session, loader, rng, spec, at(start, 8))
    plan = plan_learning(rng, spec, catalogue, people, start, today)
    assign_trainers(rng, spec, people, plan.sessions)
    build_learning(loader, rng, spec, catalogue, people, plan, today)
    build_projects(loader, rng, spec, people, today)
    loader.finish()
    session.flush()
    # The stored summaries are kept current by the services, which a bulk load bypasses.
    rebuild_track_summaries(session)
    rebuild_project_summaries(session)
    session.flush()
    return _counts(session)


def _counts(session: Session) -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        n = session.scalar(sa.select(sa.func.count()).select_from(table))
        if n:
            counts[table.name] = n
    return counts
