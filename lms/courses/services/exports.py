"""The courses' list pages as CSV rows (``lms.core.csv_export``): the catalogue (with the
page's own visibility: unpublished courses only for editors) and a trainer's sessions; and
the session roster (``rosters.roster_rows``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.core.i18n import _, format_number, language_name, localised
from lms.courses.models import Course, CourseSession
from lms.frameworks.models import Track


def catalogue_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Code"), _("Title"), _("Status"), _("Delivery mode"), _("Hours")]
    header += [_("Languages"), _("Tracks")]
    courses = list(session.scalars(stmt.options(selectinload(Course.track_links))).unique())
    track_ids = {link.track_id for c in courses for link in c.track_links}
    tracks = (
        {t.id: t for t in session.scalars(sa.select(Track).where(Track.id.in_(track_ids)))}
        if track_ids
        else {}
    )
    rows = []
    for c in courses:
        links = "; ".join(
            f"{localised(tracks[link.track_id], 'name')} "
            f"({_('required') if link.is_required else _('elective')})"
            for link in c.track_links
            if link.track_id in tracks
        )
        rows.append(
            [
                c.code,
                localised(c, "title"),
                c.status.value,
                c.delivery_mode.label,
                format_number(c.hours, 1),
                ", ".join(language_name(code) for code in c.languages),
                links,
            ]
        )
    return header, rows


def sessions_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Course"), _("Title"), _("Starts"), _("Ends"), _("Seats taken"), _("Capacity")]
    header.append(_("Status"))
    rows = [
        [
            s.course.code,
            localised(s.course, "title"),
            s.starts_on,
            s.ends_on,
            s.seats_taken,
            s.capacity,
            s.status.value,
        ]
        for s in session.scalars(stmt.options(joinedload(CourseSession.course))).unique()
    ]
    return header, rows
