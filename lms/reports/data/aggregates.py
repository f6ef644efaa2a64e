"""The SQL the directorate's counts share: each figure is an aggregate the database computes,
so a report over years of records streams a few rows per group, never an object per rating
or enrolment. Plain SQL that SQLite (3.25 and later: window functions) and PostgreSQL both run.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.courses.models import CourseSession, EnrolmentStatus, SessionStatus
from lms.progress.correction_models import RatingCorrection
from lms.progress.models import CompetencyRating
from lms.reports.data.shared import _bounds

TOOK_PART = (EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED)  # a participant's place


def current_ratings(on: date) -> sa.Subquery:
    """Each trainee's current rating per competency as the record stood at the end of ``on``:
    columns ``user_id``, ``competency_id``, ``level_id``, one row per pair.

    Progress's "latest rating wins" rule (``progress.ratings_as_of``), in SQL: of the ratings
    given by the end of that day and never corrected or withdrawn, the one with the latest
    ``rated_at``, and of ratings given at the same instant the one recorded last (highest id).
    """
    _low, high = _bounds(on, on)
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(CompetencyRating.user_id, CompetencyRating.competency_id),
            order_by=(CompetencyRating.rated_at.desc(), CompetencyRating.id.desc()),
        )
        .label("rank")
    )
    conditions = [
        CompetencyRating.rated_at < high,
        ~sa.exists().where(RatingCorrection.rating_id == CompetencyRating.id),
    ]
    ranked = (
        sa.select(
            CompetencyRating.user_id,
            CompetencyRating.competency_id,
            CompetencyRating.level_id,
            rank,
        )
        .where(*conditions)
        .subquery("ranked")
    )
    return (
        sa.select(ranked.c.user_id, ranked.c.competency_id, ranked.c.level_id)
        .where(ranked.c.rank == 1)
        .subquery("current")
    )


def delivered(start: date, end: date, today: date) -> list[sa.ColumnElement[bool]]:
    """The one selection of "sessions delivered": not cancelled, ended in the period and by
    today. The sessions table and the results tables both filter with it."""
    return [
        CourseSession.ends_on >= start,
        CourseSession.ends_on <= end,
        CourseSession.ends_on <= today,
        CourseSession.status != SessionStatus.CANCELLED,
    ]
