"""What badges shows on lower features' pages, through their question signals."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from lms.badges import services
from lms.core import clock
from lms.core.i18n import _, format_day, localised
from lms.core.signals import RelatedBlock, RelatedLink


def _state(award) -> str:
    if award.revoked:
        return _("revoked: %(reason)s", reason=award.revocation_reason)
    if services.is_expired(award, on=clock.today()):
        return _("expired on %(day)s", day=format_day(award.expires_on))
    return _("awarded on %(day)s", day=format_day(award.issued_on))


def badges_on_record(session: Session, *, trainee: Any, **_kwargs: Any) -> RelatedBlock:
    """The trainee's record lists her badges (each linking its public page)."""
    return RelatedBlock(
        heading=_("Open Badges"),
        links=[
            RelatedLink(
                label=localised(award.track, "name"),
                url=url_for("badges.assertion", uuid=award.uuid),
                note=_state(award),
            )
            for award in services.awards_of(session, trainee)
        ],
        empty=_("No badge yet."),
        name="badges",
    )
