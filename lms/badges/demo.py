"""Demo badges: the demo's certificates are issued through progress's services, so their
badges are awarded as they go; this step awards any certificate still without one (a demo
loaded before badges existed, or a step that wrote certificates directly)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.badges import services
from lms.badges.models import BadgeAward


def load_badges(session: Session) -> str:
    added = services.award_missing_badges(session)
    total = session.scalar(sa.select(sa.func.count(BadgeAward.id)))
    revoked = session.scalar(
        sa.select(sa.func.count(BadgeAward.id)).where(BadgeAward.revoked_at.is_not(None))
    )
    return f"{total} badges ({revoked} revoked; {added} awarded for earlier certificates)"
