"""Roll-up ratings: a parent with the "all children" rule is rated only when every child is
rated at a proficient level; a child rated below proficiency does not count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress import services
from lms.progress.models import CompetencyRating, RatingSource


def _rate(world, trainee, competency, level_name):
    services.rate_competency(
        db.session,
        user=trainee,
        competency=competency,
        level=world.levels[level_name],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    db.session.commit()


def _ratings_of(trainee, competency):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(CompetencyRating).where(
            CompetencyRating.user_id == trainee.id,
            CompetencyRating.competency_id == competency.id,
        )
    ).all()


@pytest.mark.parametrize(
    "awareness_first", [True, False], ids=["awareness-first", "awareness-last"]
)
def test_a_child_at_awareness_keeps_the_parent_unrated(world, make_user, awareness_first):
    trainee = make_user(Role.TRAINEE)
    # Data management (rule: all children) has two children: Data quality and Statistics.
    ratings = [(world.quality, "Awareness"), (world.stats, "Practitioner")]
    for competency, level in ratings if awareness_first else reversed(ratings):
        _rate(world, trainee, competency, level)

    assert _ratings_of(trainee, world.domain) == []

    # The control: once Data quality is proficient too, the rule is met and the parent is
    # rated by roll-up, at the default scale's default level (Practitioner).
    _rate(world, trainee, world.quality, "Advanced")
    [rollup] = _ratings_of(trainee, world.domain)
    assert (rollup.source, rollup.level.name) == (RatingSource.ROLLUP, "Practitioner")
