"""What courses contribute to lower features' pages, through their question signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import url_for
from sqlalchemy.orm import Session

from lms.core.i18n import _
from lms.core.signals import RelatedBlock, RelatedLink
from lms.courses.services import courses_developing

if TYPE_CHECKING:
    from lms.frameworks.models import Competency


def courses_developing_competency(
    session: Session, *, competency: Competency, **_kwargs: Any
) -> RelatedBlock:
    """The competency page lists the published courses that develop it; frameworks sits below
    courses and cannot ask for them itself."""
    return RelatedBlock(
        heading=_("Courses that develop it"),
        links=[
            RelatedLink(
                label=f"{link.course.code} {link.course.title}",
                url=url_for("courses.course_detail", course_id=link.course_id),
                note=f"{_('a pass gives %(level)s', level=link.level.name)} ({link.outcome.label})",
            )
            for link in courses_developing(session, competency)
        ],
        empty=_("No published course develops this competency yet."),
        name="developing-courses",
    )
