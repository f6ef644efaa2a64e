"""The demo dataset. ``lms demo`` loads it; ``make run`` loads it into an empty database.

Every feature names its step in its registration entry (``Feature.demo``); the steps run
in the features' layer order inside one transaction, so a failure leaves the database as
it was.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import MemberAdministration, User
from lms.core import clock
from lms.core.errors import ConflictError
from lms.core.features import resolve
from lms.core.i18n import _
from lms.features import wire

__all__ = ["DEMO_PASSWORD", "database_is_empty", "load_demo"]


def database_is_empty(session: Session) -> bool:
    return not session.scalar(sa.select(sa.func.count()).select_from(User)) and not session.scalar(
        sa.select(sa.func.count()).select_from(MemberAdministration)
    )


def load_demo(session: Session) -> str:
    real_users = session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.is_demo.is_(False))
    )
    real_members = session.scalar(
        sa.select(sa.func.count())
        .select_from(MemberAdministration)
        .where(MemberAdministration.is_demo.is_(False))
    )
    if real_users or real_members:
        raise ConflictError(
            _(
                "This database holds non-demo data (%(real_users)s user(s), "
                "%(real_members)s member "
                "administration(s)); the demo dataset is only loaded into an empty or demo "
                "database.",
                real_users=real_users,
                real_members=real_members,
            )
        )
    if session.scalar(sa.select(sa.func.count()).select_from(User)):
        return "Demo data is already loaded."
    summaries = []
    with _as_of_today():
        for feature in wire():
            if feature.demo:
                summaries.append(resolve(feature.demo)(session))
    return "\n".join(summaries)


def _as_of_today():
    """When "today" is pinned (``LMS_TODAY``), what the steps record now is dated that day
    (at the current time of day), so the data reads as if loaded then; otherwise nothing
    changes."""
    today = clock.today()
    now = datetime.now(UTC)
    if today == now.date():
        return nullcontext()
    return clock.travel(datetime.combine(today, now.time(), UTC))
