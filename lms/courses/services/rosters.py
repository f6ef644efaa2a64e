"""What a trainer takes to the room: a printable sign-in sheet (PDF, one page per day of the
session) and the roster as CSV.

User-entered text goes into ReportLab paragraphs escaped (``lms.core.pdf_text``: a name
like ``<b>Ana</b>`` prints as written, never as markup), and the roster's CSV cells go
through the one CSV helper (``lms.core.csv_export``), which neutralises formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.core.i18n import _, format_number
from lms.core.pdf_text import FONT, FONT_BOLD, paragraph, register_fonts
from lms.courses.models import SEAT_HOLDING, CourseSession, SessionEnrolment

ROSTER_COLUMNS = ("name", "email", "administration", "country", "status", "score", "passed")


def roster_headers() -> list[str]:
    """``ROSTER_COLUMNS`` as the reader reads them (a roster is for people, not re-imported)."""
    names = {
        "name": _("Name"),
        "email": _("Email"),
        "administration": _("Administration"),
        "country": _("Country"),
        "status": _("Status"),
        "score": _("Score"),
        "passed": _("Passed"),
    }
    return [names[column] for column in ROSTER_COLUMNS]


def roster_table(enrolments: Sequence[SessionEnrolment]) -> tuple[list[str], list[list]]:
    """The roster in the reader's language (headers, statuses and yes / no), as the rows the
    one CSV helper (``lms.core.csv_export.csv_response``) writes and neutralises."""
    rows = []
    for e in enrolments:
        member = e.user.member_administration
        rows.append(
            [
                e.user.full_name,
                e.user.email,
                member.name if member else "",
                member.country_code if member else "",
                e.status.label,
                format_number(e.score) if e.score is not None else "",
                "" if e.passed is None else (_("yes") if e.passed else _("no")),
            ]
        )
    return roster_headers(), rows


def sign_in_sheet_pdf(
    course_session: CourseSession, enrolments: Sequence[SessionEnrolment]
) -> bytes:
    """One page per day of the session: the trainees holding a seat, with a signature box."""
    register_fonts()
    body = ParagraphStyle("SheetBody", fontName=FONT, fontSize=9, leading=11)
    title = ParagraphStyle("SheetTitle", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16)
    course = course_session.course
    seated = sorted(
        (e for e in enrolments if e.status in SEAT_HOLDING), key=lambda e: e.user.full_name
    )
    trainers = ", ".join(t.full_name for t in course_session.trainers) or "—"
    story: list = []
    days = course_session.daily_schedule()
    for number, (day, start, end) in enumerate(days, start=1):
        story += [
            paragraph(f"{course.code} {course.title}", title),
            paragraph(
                (
                    _(
                        "Sign-in sheet — day %(n)s of %(total)s: %(day)s, %(start)s–%(end)s "
                        "(%(tz)s)",
                        n=number,
                        total=len(days),
                        day=day.isoformat(),
                        start=start.strftime("%H:%M"),
                        end=end.strftime("%H:%M"),
                        tz=course_session.timezone,
                    )
                ),
                body,
            ),
            paragraph(
                (
                    _(
                        "Venue: %(venue)s · Trainers: %(trainers)s",
                        venue=course_session.venue or "—",
                        trainers=trainers,
                    )
                ),
                body,
            ),
            Spacer(1, 4 * mm),
        ]
        rows = [[_("No."), _("Name"), _("Administration"), _("Signature")]]
        for index, e in enumerate(seated, start=1):
            member = e.user.member_administration
            rows.append(
                [
                    str(index),
                    paragraph(e.user.full_name, body),
                    paragraph(member.name if member else "—", body),
                    "",
                ]
            )
        table = Table(rows, colWidths=[12 * mm, 60 * mm, 60 * mm, 50 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 9),
                    ("TOPPADDING", (0, 1), (-1, -1), 9),
                ]
            )
        )
        story.append(table)
        if number < len(days):
            story.append(PageBreak())
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{course.code} sign-in sheet",
    )
    doc.build(story)
    return out.getvalue()
