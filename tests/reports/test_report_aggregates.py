"""The directorate's figures are SQL aggregates; the latest level they count per trainee and
competency is progress's "latest rating wins" rule (``ratings_as_of``) to the row: the
latest ``rated_at``, the last recorded of ratings given at the same instant, never a
corrected or withdrawn one, nothing given after the day asked about."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.corrections import CorrectionAction
from lms.core.extensions import db
from lms.progress import services as progress
from lms.progress.correction_models import RatingCorrection
from lms.progress.models import CompetencyRating, RatingSource
from lms.reports.data import directorate_data
from lms.reports.data.aggregates import current_ratings

DAY = date(2025, 3, 14)
NOON = datetime(2025, 3, 14, 12, tzinfo=UTC)


@pytest.fixture
def tied_ratings(world, make_user):
    """Three trainees rated on two competencies, with ratings given at the same instant,
    corrections that keep the corrected rating's instant, a withdrawal and a rating given
    after the day the figures are read for."""
    levels = world.levels
    ana, ben, cleo = (make_user(Role.TRAINEE, full_name=n) for n in ("Ana", "Ben", "Cléo"))

    def rate(user, competency, level, at):
        rating = CompetencyRating(
            user_id=user.id,
            competency_id=competency.id,
            level_id=levels[level].id,
            source=RatingSource.ROLLUP,
            rated_at=at,
        )
        db.session.add(rating)
        db.session.flush()
        return rating

    def supersede(rating, replacement=None):
        db.session.add(
            RatingCorrection(
                rating_id=rating.id,
                replacement_id=replacement.id if replacement else None,
                action=CorrectionAction.CORRECTED if replacement else CorrectionAction.WITHDRAWN,
                reason="Entered for the wrong trainee",
                corrected_by_id=world.manager.id,
            )
        )
        db.session.flush()

    names = sorted(levels, key=lambda name: levels[name].position)
    low, high = names[0], names[-1]
    # Ana, quality: two ratings at noon, the later-recorded (lower level) wins the tie.
    rate(ana, world.quality, high, NOON)
    rate(ana, world.quality, low, NOON)
    # Ana, stats: a later rating the next day does not count on DAY.
    rate(ana, world.stats, low, NOON - timedelta(days=3))
    rate(ana, world.stats, high, NOON + timedelta(days=1))
    # Ben, quality: corrected at the same instant (the replacement counts); a later one is
    # withdrawn, so the replacement stays current.
    original = rate(ben, world.quality, low, NOON - timedelta(hours=2))
    replacement = rate(ben, world.quality, high, NOON - timedelta(hours=2))
    supersede(original, replacement)
    withdrawn = rate(ben, world.quality, low, NOON)
    supersede(withdrawn)
    # Cléo, stats: her only rating is withdrawn: no current rating at all.
    supersede(rate(cleo, world.stats, high, NOON))
    db.session.commit()
    return {
        (ana.id, world.quality.id): levels[low].id,
        (ana.id, world.stats.id): levels[low].id,
        (ben.id, world.quality.id): levels[high].id,
    }


def _sql_current(on: date) -> dict[tuple[int, int], int]:
    current = current_ratings(on)
    rows = db.session.execute(
        sa.select(current.c.user_id, current.c.competency_id, current.c.level_id)
    ).all()
    assert len(rows) == len({(u, c) for u, c, _l in rows}), "one row per trainee and competency"
    return {(u, c): level for u, c, level in rows}


def test_latest_level_in_sql_is_progress_rule_on_ties_and_corrections(app, tied_ratings):
    by_rule = {key: r.level_id for key, r in progress.ratings_as_of(db.session, on=DAY).items()}
    assert by_rule == tied_ratings  # the scenario as meant
    assert _sql_current(DAY) == tied_ratings
    # The next day Ana's later stats rating is current, in both.
    later = DAY + timedelta(days=1)
    by_rule = {key: r.level_id for key, r in progress.ratings_as_of(db.session, on=later).items()}
    assert _sql_current(later) == by_rule != tied_ratings


def test_level_distribution_counts_the_current_ratings(app, world, tied_ratings):
    data = directorate_data(db.session, date(DAY.year, 1, 1), DAY, DAY)
    names = {level.id: level.name for level in world.levels.values()}
    positions = {level.name: level.position for level in world.levels.values()}
    expected = Counter(names[level_id] for level_id in tied_ratings.values())
    assert data.level_distribution == sorted(expected.items(), key=lambda i: positions[i[0]])
