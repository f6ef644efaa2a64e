"""The progress lists as CSV rows (``lms.core.csv_export``): the trainee list (only the
trainees in the reader's remit: the file never holds more than the page lets them open), the
assessment queue's two lists and the intakes; the pages' own SELECTs, whole."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.i18n import _, _p, localised
from lms.progress.permissions import trainees_in_remit
from lms.progress.services.summaries import track_progress_summaries
from lms.progress.services.tracks import intake_enrolment_counts


def trainees_table(session: Session, viewer, stmt: sa.Select) -> tuple[list[str], list[list]]:
    """Name, administration and each current track with its share done."""
    header = [_("Name"), _("Administration"), _("Tracks")]
    users = list(session.scalars(stmt).unique())
    visible = trainees_in_remit(session, viewer, users)
    shown = [u for u in users if u.id in visible]
    tracks: dict[int, list[str]] = {}
    for (user_id, _track_id), summary in track_progress_summaries(
        session, [u.id for u in shown]
    ).items():
        tracks.setdefault(user_id, []).append(
            f"{localised(summary.track, 'name')} ({summary.percent}%)"
        )
    rows = [
        [
            u.full_name,
            u.member_administration.name if u.member_administration else "",
            "; ".join(tracks.get(u.id, [])),
        ]
        for u in shown
    ]
    return header, rows


def review_requests_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Since"), _("Trainee"), _("Competency"), _("Note")]
    rows = [
        [
            r.requested_at,
            r.user.full_name,
            f"{r.competency.code} {localised(r.competency, 'short_name')}",
            r.note or "",
        ]
        for r in session.scalars(stmt).unique()
    ]
    return header, rows


def claims_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Trainee"), _("Competency"), _("Level claimed"), _("Description")]
    header.append(_("Evidence"))
    rows = [
        [
            c.user.full_name,
            c.competency.code,
            localised(c.level, "name"),
            c.description,
            c.evidence_url or "",
        ]
        for c in session.scalars(stmt).unique()
    ]
    return header, rows


def intakes_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [_("Intake"), _("Track"), _("Administration"), _("Year"), _p("count", "Enrolled")]
    counts = intake_enrolment_counts(session)
    rows = [
        [
            i.name,
            localised(i.track, "name"),
            i.member_administration.name if i.member_administration else "",
            i.year,
            counts.get(i.id, 0),
        ]
        for i in session.scalars(stmt).unique()
    ]
    return header, rows
