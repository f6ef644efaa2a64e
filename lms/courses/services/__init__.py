"""Business rules for the course catalogue, sessions, the session enrolment workflow and
results, by sub-area:

- ``catalogue``: courses, their competencies, tracks and prerequisites, the catalogue search;
- ``sessions``: sessions, their trainers and reservations, rosters;
- ``enrolment``: requests, approval, seats and the waiting list;
- ``results``: attendance and results (one by one or from a file), when they can be true;
- ``rosters``: the sign-in sheet (PDF) and the roster (CSV);
- ``external``: courses as xAPI activities, and courses completed on another platform.

Plain functions over a SQLAlchemy session; the caller commits. ``today`` is passed in where
dates matter, so rules are testable on a fixed date. Public names are re-exported here, so
``lms.courses.services.X`` keeps working. Track enrolment, intakes and completion are the
progress feature's (``lms.progress.services``).
"""

from __future__ import annotations

from lms.courses.services.catalogue import (
    COURSE_FIELDS,
    LANGUAGE_CODES,
    CompetencyLink,
    CourseFormOptions,
    TrackLink,
    catalogue_filter_options,
    catalogue_query,
    course_form_options,
    courses_developing,
    create_course,
    recertification_courses,
    update_course,
)
from lms.courses.services.enrolment import (
    approve_enrolment,
    check_can_request,
    completed_course_ids,
    enrolment_of,
    enrolments_by_session,
    reject_enrolment,
    request_enrolment,
    transcript,
    upcoming_enrolments,
    waitlist_position,
    withdraw_enrolment,
)
from lms.courses.services.external import (
    course_activity_iri,
    course_for_activity,
    external_completions_of,
    record_external_completion,
)
from lms.courses.services.results import (
    RESULT_COLUMNS,
    ResultRow,
    ResultsUploadError,
    apply_results,
    check_attendance_time,
    check_result_time,
    mark_attendance,
    parse_results_csv,
    record_result,
)
from lms.courses.services.rosters import (
    ROSTER_COLUMNS,
    roster_headers,
    roster_table,
    sign_in_sheet_pdf,
)
from lms.courses.services.sessions import (
    SESSION_FIELDS,
    create_session,
    is_trainer_of,
    next_open_sessions,
    roster,
    session_form_options,
    sessions_awaiting_results,
    sessions_of_course,
    sessions_this_week,
    sessions_trained_by,
    update_session,
    visible_roster,
    week_of,
)

__all__ = [
    "COURSE_FIELDS",
    "LANGUAGE_CODES",
    "RESULT_COLUMNS",
    "ROSTER_COLUMNS",
    "SESSION_FIELDS",
    "CompetencyLink",
    "CourseFormOptions",
    "ResultRow",
    "ResultsUploadError",
    "TrackLink",
    "apply_results",
    "approve_enrolment",
    "catalogue_filter_options",
    "catalogue_query",
    "check_attendance_time",
    "check_can_request",
    "check_result_time",
    "completed_course_ids",
    "course_activity_iri",
    "course_for_activity",
    "course_form_options",
    "courses_developing",
    "create_course",
    "create_session",
    "enrolment_of",
    "enrolments_by_session",
    "external_completions_of",
    "is_trainer_of",
    "mark_attendance",
    "next_open_sessions",
    "parse_results_csv",
    "recertification_courses",
    "record_external_completion",
    "record_result",
    "reject_enrolment",
    "request_enrolment",
    "roster",
    "roster_headers",
    "roster_table",
    "session_form_options",
    "sessions_awaiting_results",
    "sessions_of_course",
    "sessions_this_week",
    "sessions_trained_by",
    "sign_in_sheet_pdf",
    "transcript",
    "upcoming_enrolments",
    "update_course",
    "update_session",
    "visible_roster",
    "waitlist_position",
    "week_of",
    "withdraw_enrolment",
]
