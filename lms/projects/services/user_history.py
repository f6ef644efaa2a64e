"""Why a user cannot be deleted because of what they did in projects.

The projects tables keep who managed a project, who reported a figure, moved a date, wrote an
update or overrode a rating, as history with ``ondelete="RESTRICT"``. Answering the accounts
feature's ``user_history_probe`` question here turns what would be a database error (a 500)
into a clear refusal: "manages a project, so the account cannot be deleted".
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.projects.models import (
    ActivitySession,
    IndicatorActual,
    MilestoneReplan,
    ProgressUpdate,
    RagOverride,
    project_focal_points,
    project_managers,
)

# (reason, the user id columns that hold that kind of history), in the order they are asked.
_HISTORY: tuple[tuple[str, tuple[sa.ColumnElement, ...]], ...] = (
    ("manages a project", (project_managers.c.user_id,)),
    ("is named focal point of a project", (project_focal_points.c.user_id,)),
    ("reported indicator actuals", (IndicatorActual.reported_by_id,)),
    ("re-planned project milestones", (MilestoneReplan.changed_by_id,)),
    ("wrote project progress updates", (ProgressUpdate.author_id,)),
    ("overrode a project rating", (RagOverride.set_by_id, RagOverride.withdrawn_by_id)),
    ("linked course sessions to a project", (ActivitySession.linked_by_id,)),
)


def project_history_reason(session: Session, *, user: User) -> str | None:
    """The first kind of project history ``user`` holds, or ``None``; the listener of
    ``signals.user_history_probe`` (declared in ``lms/projects/feature.py``)."""
    if user.id is None:
        return None
    for reason, columns in _HISTORY:
        for column in columns:
            if session.scalar(sa.select(sa.literal(1)).where(column == user.id).limit(1)):
                return reason
    return None
