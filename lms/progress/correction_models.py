"""Corrections of competency ratings and of claim decisions (``lms.core.corrections``).

A rating is append-only: its correction names it and, when corrected rather than withdrawn,
the rating that replaces it; ``ratings_as_of`` skips every superseded rating. A claim's
decision lives on the claim: its correction keeps the decision it supersedes (``before``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.corrections import CorrectionMixin, correction_checks
from lms.core.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.progress.models import CompetencyRating, PriorLearningClaim


class RatingCorrection(CorrectionMixin, db.Model):
    """A rating corrected (``replacement_id`` names the new one) or withdrawn, with the reason."""

    __tablename__ = "rating_corrections"

    rating_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency_ratings.id", ondelete="RESTRICT"), unique=True
    )
    replacement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competency_ratings.id", ondelete="RESTRICT"), unique=True
    )

    rating: Mapped[CompetencyRating] = relationship(foreign_keys=[rating_id])
    replacement: Mapped[CompetencyRating | None] = relationship(foreign_keys=[replacement_id])
    corrected_by: Mapped[User | None] = relationship()

    __table_args__ = (
        *correction_checks(),
        sa.CheckConstraint(
            "(action = 'corrected') = (replacement_id IS NOT NULL)", name="replacement_if_corrected"
        ),
        sa.CheckConstraint("replacement_id <> rating_id", name="replaces_another_rating"),
    )


class ClaimCorrection(CorrectionMixin, db.Model):
    """A claim decision corrected (accept ↔ reject) or withdrawn (the claim waits again)."""

    __tablename__ = "claim_corrections"

    claim_id: Mapped[int] = mapped_column(
        sa.ForeignKey("prior_learning_claims.id", ondelete="RESTRICT"), index=True
    )

    claim: Mapped[PriorLearningClaim] = relationship()
    corrected_by: Mapped[User | None] = relationship()

    __table_args__ = correction_checks()
