"""Frameworks, competencies, tracks, courses, sessions and session enrolments.

Lists use the SQL twin of each record's view rule (the pages' rule: drafts for editors
only); single records go through ``require_view`` / ``require_edit``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.api.boundary import PageQuery, committed, page_of, page_schema, require_write, token_auth
from lms.api.operations import change_enrolment
from lms.api.schemas import (
    CompetencyOut,
    CourseIn,
    CourseOut,
    CourseQuery,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentPatch,
    FrameworkOut,
    SessionIn,
    SessionOut,
    SessionQuery,
    TrackEnrolmentOut,
    TrackOut,
)
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.permissions import require_edit, require_view, role_required
from lms.courses import services as courses
from lms.courses.models import Course, CourseSession, PassOutcome, SessionEnrolment
from lms.courses.permissions import (
    EDITORS,
    can_approve,
    can_edit_enrolment,
    is_editor,
    is_session_manager,
)
from lms.frameworks.models import Competency, Framework, FrameworkStatus, Track
from lms.progress import services as progress
from lms.progress.models import TrackEnrolment

NOT_FOUND = {404: "No such record"}
REFUSED = {403: "Not the caller's to see or change", 404: "No such record"}


@bp.get("/frameworks")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(FrameworkOut))
@bp.doc(summary="Competency frameworks (drafts for editors only)")
def frameworks(query: dict):
    stmt = sa.select(Framework).order_by(Framework.code, Framework.id)
    if not is_editor(current_user):
        stmt = stmt.where(Framework.status != FrameworkStatus.DRAFT)
    return page_of(stmt)


@bp.get("/frameworks/<int:framework_id>/competencies")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(CompetencyOut))
@bp.doc(summary="A framework's competencies", responses=REFUSED)
def competencies(framework_id: int, query: dict):
    framework = require_view(db.session.get(Framework, framework_id))
    return page_of(
        sa.select(Competency)
        .where(Competency.framework_id == framework.id)
        .order_by(Competency.sort_order, Competency.code, Competency.id)
    )


@bp.get("/tracks")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(TrackOut))
@bp.doc(summary="Tracks (inactive ones and drafts for editors only)")
def tracks(query: dict):
    stmt = sa.select(Track).order_by(Track.code, Track.id)
    if not is_editor(current_user):
        stmt = stmt.join(Framework, Track.framework_id == Framework.id).where(
            Track.is_active.is_(True), Framework.status != FrameworkStatus.DRAFT
        )
    return page_of(stmt)


@bp.get("/tracks/<int:track_id>/enrolments")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(TrackEnrolmentOut))
@bp.doc(summary="Who is on a track: all for editors, one's own otherwise", responses=REFUSED)
def track_enrolments(track_id: int, query: dict):
    track = require_view(db.session.get(Track, track_id))
    stmt = (
        sa.select(TrackEnrolment)
        .where(TrackEnrolment.track_id == track.id)
        .order_by(TrackEnrolment.enrolled_at, TrackEnrolment.id)
    )
    if not is_editor(current_user):
        stmt = stmt.where(TrackEnrolment.user_id == current_user.id)
    return page_of(stmt)


@bp.post("/tracks/<int:track_id>/enrolments")
@bp.auth_required(token_auth)
@bp.input(EnrolmentIn, location="json", arg_name="body")
@bp.output(TrackEnrolmentOut, status_code=201)
@bp.doc(
    summary="Join a track: a trainee herself, or a trainee by an editor (as on the intakes page)",
    responses={**REFUSED, 400: "Refused by a rule (entry requirements, inactive track)"},
)
def join_track(track_id: int, body: dict):
    require_write()
    track = require_view(db.session.get(Track, track_id))
    trainee = current_user
    if body.get("user_id") and body["user_id"] != current_user.id:
        if not is_editor(current_user):
            abort(403)
        trainee = db.session.get(User, body["user_id"])
        if trainee is None:
            abort(404)
    return committed(
        lambda: progress.enrol_in_track(db.session, trainee, track, actor=current_user)
    )


@bp.get("/courses")
@bp.auth_required(token_auth)
@bp.input(CourseQuery, location="query", arg_name="query")
@bp.output(page_schema(CourseOut))
@bp.doc(summary="The catalogue (drafts and retired courses for editors only)")
def course_list(query: dict):
    stmt = courses.catalogue_query(
        mode=query.get("delivery_mode", ""),
        include_unpublished=is_editor(current_user),
        status=query.get("status", ""),
    )
    if query.get("status") and not is_editor(current_user):
        stmt = stmt.where(Course.status == query["status"])
    return page_of(stmt)


@bp.get("/courses/<int:course_id>")
@bp.auth_required(token_auth)
@bp.output(CourseOut)
@bp.doc(summary="One course", responses=REFUSED)
def course(course_id: int):
    return require_view(db.session.get(Course, course_id))


@bp.post("/courses")
@bp.auth_required(token_auth)
@role_required(*EDITORS)
@bp.input(CourseIn, location="json", arg_name="body")
@bp.output(CourseOut, status_code=201)
@bp.doc(summary="Create a course (editors)", responses={403: "Not an editor", 409: "Code taken"})
def create_course(body: dict):
    require_write()
    body["competencies"] = [
        courses.CompetencyLink(
            link["competency_id"], link["level_id"], PassOutcome(link["outcome"])
        )
        for link in body["competencies"]
    ]
    body["tracks"] = [courses.TrackLink(**link) for link in body["tracks"]]
    return committed(lambda: courses.create_course(db.session, actor=current_user, **body))


def _visible_sessions() -> sa.Select:
    stmt = sa.select(CourseSession).options(selectinload(CourseSession.trainers))
    if not is_editor(current_user):
        stmt = stmt.join(Course, CourseSession.course_id == Course.id).where(
            Course.status == "published"
        )
    return stmt.order_by(CourseSession.starts_on.desc(), CourseSession.id.desc())


@bp.get("/sessions")
@bp.auth_required(token_auth)
@bp.input(SessionQuery, location="query", arg_name="query")
@bp.output(page_schema(SessionOut))
@bp.doc(summary="Sessions of the courses the caller may see")
def sessions(query: dict):
    stmt = _visible_sessions()
    if query.get("course_id"):
        stmt = stmt.where(CourseSession.course_id == query["course_id"])
    if query.get("status"):
        stmt = stmt.where(CourseSession.status == query["status"])
    return page_of(stmt)


@bp.get("/sessions/<int:session_id>")
@bp.auth_required(token_auth)
@bp.output(SessionOut)
@bp.doc(summary="One session", responses=REFUSED)
def session(session_id: int):
    return require_view(db.session.get(CourseSession, session_id))


@bp.post("/sessions")
@bp.auth_required(token_auth)
@role_required(*EDITORS)
@bp.input(SessionIn, location="json", arg_name="body")
@bp.output(SessionOut, status_code=201)
@bp.doc(summary="Schedule a session of a course (editors)", responses=REFUSED)
def create_session(body: dict):
    require_write()
    course = require_edit(db.session.get(Course, body.pop("course_id")))
    return committed(lambda: courses.create_session(db.session, course, actor=current_user, **body))


@bp.get("/sessions/<int:session_id>/enrolments")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(EnrolmentOut))
@bp.doc(summary="A session's enrolments: its trainers and editors", responses=REFUSED)
def session_enrolments(session_id: int, query: dict):
    course_session = require_edit(db.session.get(CourseSession, session_id))
    return page_of(
        sa.select(SessionEnrolment)
        .where(SessionEnrolment.session_id == course_session.id)
        .order_by(SessionEnrolment.requested_at, SessionEnrolment.id)
    )


@bp.post("/sessions/<int:session_id>/enrolments")
@bp.auth_required(token_auth)
@bp.input(EnrolmentIn, location="json", arg_name="body")
@bp.output(EnrolmentOut, status_code=201)
@bp.doc(
    summary="Enrol: a trainee herself, or a trainee by the session's trainers and editors",
    responses={**REFUSED, 400: "Enrolment refused by a rule (closed, full, prerequisites...)"},
)
def enrol(session_id: int, body: dict):
    require_write()
    course_session = require_view(db.session.get(CourseSession, session_id))
    trainee = current_user
    if body.get("user_id") and body["user_id"] != current_user.id:
        if not is_session_manager(current_user, course_session):
            abort(403)
        trainee = db.session.get(User, body["user_id"])
        if trainee is None:
            abort(404)
    if not trainee.has_role(Role.TRAINEE):
        abort(403, description="Only trainees enrol in sessions.")
    return committed(
        lambda: courses.request_enrolment(
            db.session, course_session, trainee, actor=current_user, today=clock.today()
        )
    )


@bp.get("/enrolments/<int:enrolment_id>")
@bp.auth_required(token_auth)
@bp.output(EnrolmentOut)
@bp.doc(summary="One enrolment: the trainee's own, or her session's trainers'", responses=REFUSED)
def enrolment(enrolment_id: int):
    return require_view(db.session.get(SessionEnrolment, enrolment_id))


@bp.patch("/enrolments/<int:enrolment_id>")
@bp.auth_required(token_auth)
@bp.input(EnrolmentPatch, location="json", arg_name="body")
@bp.output(EnrolmentOut)
@bp.doc(
    summary="Approve, reject, withdraw, mark attendance, record the result",
    responses={**REFUSED, 400: "Refused by a rule", 422: "Invalid input"},
)
def update_enrolment(enrolment_id: int, body: dict):
    require_write()
    # Seen first: a patch that changes nothing (no status, no result) must not show the
    # enrolment to someone the read refuses.
    record = require_view(db.session.get(SessionEnrolment, enrolment_id))
    status, result = body.get("status"), body.get("result")
    allowed = {
        "enrolled": can_approve,
        "rejected": can_approve,
        "withdrawn": lambda user, e: e.user_id == user.id or is_session_manager(user, e.session),
        "attended": can_edit_enrolment,
        "no_show": can_edit_enrolment,
    }
    if status and not allowed[status](current_user, record):
        abort(403)
    if result is not None:
        require_edit(record)
    return committed(
        lambda: change_enrolment(
            db.session,
            record,
            status=status,
            result=result,
            note=body["note"],
            actor=current_user,
            today=clock.today(),
            now=clock.now(),
        )
    )
