"""Read functions other features need from progress, kept apart from ``services`` so that a
report, an export or a page asks progress the question instead of re-deriving the rule.

Written for the reports feature (issue 9); each function states the progress rule it reads.
If ``services`` grows an equivalent (``certificate_status``, latest ratings as of a date),
these should delegate to it or be removed in its favour.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.progress.models import Certificate, CertificateStatus, CompetencyRating

EXPIRED = "expired"


def certificate_status(certificate: Certificate, *, on: date) -> str:
    """The status a certificate has on a day: its stored status (valid, superseded, revoked),
    except that a valid certificate past its expiry date is "expired". It is still valid *on*
    its expiry date (``Certificate.is_current``)."""
    if certificate.status == CertificateStatus.VALID and not certificate.is_current(on):
        return EXPIRED
    return certificate.status.value


def latest_ratings_as_of(
    session: Session, before: datetime
) -> dict[tuple[int, int], CompetencyRating]:
    """Every trainee's current rating per competency as it stood just before ``before``: the
    same rule as ``services.latest_ratings`` (the latest rating wins, ratings are never
    overwritten), keyed by (user id, competency id), for everyone at once."""
    current: dict[tuple[int, int], CompetencyRating] = {}
    for rating in session.scalars(
        sa.select(CompetencyRating)
        .options(joinedload(CompetencyRating.level))
        .where(CompetencyRating.rated_at < before)
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ):
        current[(rating.user_id, rating.competency_id)] = rating
    return current
