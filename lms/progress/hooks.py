"""What progress answers to lower features' question signals."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from lms.progress.services.certificates import recertification_due

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.courses.models import Course


def retake_for_recertification(
    session: Session, *, user: User, course: Course, today: date, **_kwargs: Any
) -> bool:
    """A passed course may be taken again when it renews a certificate that is due."""
    return recertification_due(session, user, course.id, on=today)
