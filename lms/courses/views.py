"""Catalogue, course and session pages, the enrolment workflow and results entry.

Thin views: parse, authorise (``lms.core.permissions``, ``lms.courses.permissions``), call
``lms.courses.services``, commit through ``commit_or_report``, render. (Joining a track,
intakes and the certification policy are the progress feature's pages.)
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role
from lms.core import clock
from lms.core.csv_export import csv_response, wants_csv
from lms.core.csv_import import RowErrors
from lms.core.errors import ValidationError, commit_or_report
from lms.core.extensions import db
from lms.core.i18n import localised
from lms.core.pagination import paginate
from lms.core.permissions import (
    can_edit,
    login_required,
    require_edit,
    require_view,
    role_required,
)
from lms.core.ratelimit import export_limited, rate_limited
from lms.core.redirects import redirect_target
from lms.courses import services
from lms.courses.forms import (
    CourseForm,
    EnrolmentsImportForm,
    NoteForm,
    ResultForm,
    ResultsUploadForm,
    SessionForm,
)
from lms.courses.models import (
    Course,
    CourseSession,
    DeliveryMode,
    EnrolmentStatus,
    SessionEnrolment,
)
from lms.courses.permissions import (
    EDITORS,
    can_approve,
    can_edit_enrolment,
    is_editor,
    is_session_approver,
    is_session_manager,
)
from lms.courses.services import exports as course_exports
from lms.courses.services import imports as enrolment_imports
from lms.frameworks.models import Competency

bp = Blueprint("courses", __name__)

# Catalogue ---------------------------------------------------------------------------------


@bp.route("/courses/")
@login_required
@export_limited
def catalogue():
    args = request.args
    editor = is_editor(current_user)
    stmt = services.catalogue_query(
        q=args.get("q", "").strip(),
        track_id=args.get("track", type=int),
        competency_id=args.get("competency", type=int),
        mode=args.get("mode", ""),
        language=args.get("language", ""),
        include_unpublished=editor,
        status=args.get("status", ""),
    )
    if wants_csv():
        return csv_response("courses", *course_exports.catalogue_table(db.session, stmt))
    page = paginate(stmt.options(selectinload(Course.track_links)))
    tracks, competencies = services.catalogue_filter_options(db.session)
    upcoming = services.next_open_sessions(db.session, [c.id for c in page.items], clock.today())
    return render_template(
        "courses/catalogue.html",
        page=page,
        tracks=tracks,
        competencies=competencies,
        modes=list(DeliveryMode),
        upcoming=upcoming,
        editor=editor,
        track_names={t.id: localised(t, "name") for t in tracks},
    )


@bp.route("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = require_view(db.session.get(Course, course_id))
    sessions = services.sessions_of_course(db.session, course)
    mine = {}
    if current_user.has_role(Role.TRAINEE):
        mine = services.enrolments_by_session(db.session, current_user, [s.id for s in sessions])
    return render_template(
        "courses/course.html",
        course=course,
        sessions=sessions,
        mine=mine,
        today=clock.today(),
        confirm=ConfirmForm(),
    )


def _course_form_choices(form: CourseForm, course: Course | None) -> list[Competency]:
    options = services.course_form_options(db.session, course)
    form.prerequisites.choices = [
        (c.id, f"{c.code} {localised(c, 'title')}") for c in options.prerequisites
    ]
    track_choices = [(t.id, localised(t, "name")) for t in options.tracks]
    form.required_tracks.choices = track_choices
    form.elective_tracks.choices = track_choices
    form.recertification_tracks.choices = track_choices
    competencies = options.competencies
    choices = [(None, "—")] + [
        (c.id, f"{c.code} {localised(c, 'short_name')} ({c.framework.code} v{c.framework.version})")
        for c in competencies
    ]
    positions = sorted(
        {
            lv.position: localised(lv, "name")
            for c in competencies
            for lv in c.framework.scale.levels
        }.items()
    )
    for row in form.competencies:
        row.competency_id.choices = choices
        row.level_position.choices = [(None, "—")] + [(p, f"{p} — {n}") for p, n in positions]
    return competencies


def _competency_links(form: CourseForm) -> list[services.CompetencyLink]:
    links = []
    for number, row in enumerate(form.competencies, start=1):
        if not row.competency_id.data:
            continue
        competency = db.session.get(Competency, row.competency_id.data)
        level = competency.framework.scale.level_at(row.level_position.data or 0)
        if level is None:
            raise ValidationError(
                _(
                    "Row %(n)s: choose the level a pass gives for %(code)s.",
                    n=number,
                    code=competency.code,
                ),
                field="competencies",
            )
        links.append(services.CompetencyLink(competency.id, level.id, row.outcome.data))
    return links


def _track_links(form: CourseForm) -> list[services.TrackLink]:
    required, elective = set(form.required_tracks.data or []), set(form.elective_tracks.data or [])
    recert = set(form.recertification_tracks.data or [])
    both = required & elective
    if both:
        raise ValidationError(
            _("A course cannot be both required and elective on the same track."),
            field="elective_tracks",
        )
    return [
        services.TrackLink(tid, tid in required, tid in recert)
        for tid in sorted(required | elective | recert)
    ]


def _save_course(form: CourseForm, course: Course | None) -> Course:
    values = dict(
        actor=current_user,
        code=form.code.data,
        title=form.title.data,
        delivery_mode=form.delivery_mode.data,
        hours=form.hours.data,
        languages=form.languages.data,
        summary=form.summary.data or "",
        objectives=form.objectives.data or "",
        status=form.status.data,
        competencies=_competency_links(form),
        tracks=_track_links(form),
        prerequisite_ids=form.prerequisites.data or [],
        results_from_start=form.results_from_start.data,
        french={
            "title_fr": form.title_fr.data,
            "summary_fr": form.summary_fr.data,
            "objectives_fr": form.objectives_fr.data,
        },
    )
    if course is None:
        return services.create_course(db.session, **values)
    return services.update_course(db.session, course, **values)


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_course():
    form = CourseForm()
    _course_form_choices(form, None)
    if form.validate_on_submit():
        ok, course = commit_or_report(
            lambda: _save_course(form, None),
            form=form,
            success=lambda course: _("Course %(code)s created.", code=course.code),
        )
        if ok:
            return redirect(url_for("courses.course_detail", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=None)


def _fill_course_form(form: CourseForm, course: Course) -> None:
    """Show the course's current values (``obj=`` cannot map links and enums)."""
    form.delivery_mode.data = course.delivery_mode.value
    form.status.data = course.status.value
    form.prerequisites.data = [p.id for p in course.prerequisites]
    form.required_tracks.data = [t.track_id for t in course.track_links if t.is_required]
    form.elective_tracks.data = [
        t.track_id for t in course.track_links if not t.is_required and not t.for_recertification
    ]
    form.recertification_tracks.data = [
        t.track_id for t in course.track_links if t.for_recertification
    ]
    while len(form.competencies) < len(course.competencies) + 3:
        form.competencies.append_entry()
    for row, link in zip(form.competencies, course.competencies, strict=False):
        row.competency_id.data = link.competency_id
        row.level_position.data = link.level.position
        row.outcome.data = link.outcome.value


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_course(course_id: int):
    course = require_edit(db.session.get(Course, course_id))
    form = CourseForm(obj=course)
    if request.method == "GET":
        _fill_course_form(form, course)
    _course_form_choices(form, course)
    if form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: _save_course(form, course),
            form=form,
            success=lambda _result: _("Course %(code)s saved.", code=course.code),
        )
        if ok:
            return redirect(url_for("courses.course_detail", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=course)


# Sessions ----------------------------------------------------------------------------------


def _session_form_choices(form: SessionForm) -> None:
    trainers, members = services.session_form_options(db.session)
    form.trainer_ids.choices = [(t.id, t.full_name) for t in trainers]
    form.restricted_member_ids.choices = [(m.id, f"{m.name} ({m.country_code})") for m in members]


def _session_values(form: SessionForm) -> dict:
    return dict(
        actor=current_user,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        capacity=form.capacity.data,
        timezone=form.timezone.data.strip(),
        venue=form.venue.data or "",
        venue_fr=form.venue_fr.data or "",
        virtual_link=form.virtual_link.data or "",
        enrolment_deadline=form.enrolment_deadline.data,
        language=form.language.data,
        requires_approval=form.requires_approval.data,
        status=form.status.data,
        trainer_ids=form.trainer_ids.data or [],
        restricted_member_ids=form.restricted_member_ids.data or [],
    )


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_session(course_id: int):
    course = require_edit(db.session.get(Course, course_id))
    form = SessionForm()
    _session_form_choices(form)
    if form.validate_on_submit():
        ok, course_session = commit_or_report(
            lambda: services.create_session(db.session, course, **_session_values(form)),
            form=form,
            success=_("Session created."),
        )
        if ok:
            return redirect(url_for("courses.session_detail", session_id=course_session.id))
    return render_template(
        "courses/session_form.html", form=form, course=course, course_session=None
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_session(session_id: int):
    course_session = require_edit(db.session.get(CourseSession, session_id))
    form = SessionForm(obj=course_session)
    _session_form_choices(form)
    if request.method == "GET":
        form.status.data = course_session.status.value
        form.trainer_ids.data = [t.id for t in course_session.trainers]
        form.restricted_member_ids.data = [m.id for m in course_session.restricted_to]
    if form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: services.update_session(db.session, course_session, **_session_values(form)),
            form=form,
            success=_("Session saved."),
        )
        if ok:
            return redirect(url_for("courses.session_detail", session_id=course_session.id))
    return render_template(
        "courses/session_form.html",
        form=form,
        course=course_session.course,
        course_session=course_session,
    )


@bp.route("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    course_session = require_view(db.session.get(CourseSession, session_id))
    manager = can_edit(current_user, course_session)
    project_manager = is_session_approver(db.session, current_user, course_session)
    mine = services.enrolment_of(db.session, course_session, current_user)
    return render_template(
        "courses/session.html",
        course_session=course_session,
        manager=manager,
        mine=mine,
        waitlist_position=mine and services.waitlist_position(db.session, mine),
        enrolments=services.visible_roster(
            db.session, course_session, manager=manager, approver=project_manager
        ),
        confirm=ConfirmForm(),
        result_form=ResultForm(),
        upload_form=ResultsUploadForm(),
        note_form=NoteForm(),
        today=clock.today(),
        can_approve=manager or project_manager,
        statuses=EnrolmentStatus,
    )


@bp.route("/sessions/<int:session_id>/enrol", methods=["POST"])
@role_required(Role.TRAINEE)
def enrol(session_id: int):
    course_session = require_view(db.session.get(CourseSession, session_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, enrolment = commit_or_report(
        lambda: services.request_enrolment(
            db.session, course_session, current_user, actor=current_user, today=clock.today()
        )
    )
    if ok:
        messages = {
            EnrolmentStatus.ENROLLED: _(
                "You are enrolled. See you on %(day)s.", day=course_session.starts_on.isoformat()
            ),
            EnrolmentStatus.WAITLISTED: _(
                "The session is full: you are on the waiting list and will get the first free seat."
            ),
            EnrolmentStatus.REQUESTED: _("Your request was sent; a trainer will approve it."),
        }
        flash(messages[enrolment.status], "success")
    return redirect(url_for("courses.session_detail", session_id=session_id))


def _enrolment_action(enrolment_id: int, allowed, action, message: str):
    enrolment = db.session.get(SessionEnrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    if not allowed(current_user, enrolment):
        abort(403)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_report(lambda: action(enrolment, form.note.data or ""), success=message)
    return redirect(
        redirect_target(
            request.form.get("next"),
            url_for("courses.session_detail", session_id=enrolment.session_id),
        )
    )


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(enrolment_id: int):
    return _enrolment_action(
        enrolment_id,
        lambda user, e: e.user_id == user.id or is_session_manager(user, e.session),
        lambda e, note: services.withdraw_enrolment(db.session, e, actor=current_user, note=note),
        _("The enrolment was withdrawn."),
    )


@bp.route("/enrolments/<int:enrolment_id>/approve", methods=["POST"])
@login_required
def approve(enrolment_id: int):
    return _enrolment_action(
        enrolment_id,
        can_approve,
        lambda e, note: services.approve_enrolment(db.session, e, actor=current_user),
        _("Request approved."),
    )


@bp.route("/enrolments/<int:enrolment_id>/reject", methods=["POST"])
@login_required
def reject(enrolment_id: int):
    return _enrolment_action(
        enrolment_id,
        can_approve,
        lambda e, note: services.reject_enrolment(db.session, e, actor=current_user, note=note),
        _("Request rejected."),
    )


@bp.route("/enrolments/<int:enrolment_id>/attendance/<state>", methods=["POST"])
@login_required
def attendance(enrolment_id: int, state: str):
    if state not in ("present", "absent"):
        abort(404)
    return _enrolment_action(
        enrolment_id,
        can_edit_enrolment,
        lambda e, note: services.mark_attendance(
            db.session, e, attended=state == "present", actor=current_user, now=clock.now()
        ),
        _("Attendance recorded."),
    )


@bp.route("/enrolments/<int:enrolment_id>/result", methods=["POST"])
@login_required
def record_result(enrolment_id: int):
    enrolment = db.session.get(SessionEnrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    require_edit(enrolment)
    form = ResultForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("courses.session_detail", session_id=enrolment.session_id))
    commit_or_report(
        lambda: services.record_result(
            db.session,
            enrolment,
            score=form.score.data,
            passed=form.passed.data == "yes",
            actor=current_user,
            today=clock.today(),
            now=clock.now(),
        ),
        success=_("Result recorded for %(name)s.", name=enrolment.user.full_name),
    )
    return redirect(url_for("courses.session_detail", session_id=enrolment.session_id))


@bp.route("/sessions/<int:session_id>/results", methods=["POST"])
@login_required
def upload_results(session_id: int):
    course_session = require_edit(db.session.get(CourseSession, session_id))
    form = ResultsUploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("courses.session_detail", session_id=session_id))
    try:  # reading the file writes nothing; its errors get a page of their own
        rows = services.parse_results_csv(db.session, course_session, form.file.data.read())
    except services.ResultsUploadError as error:
        return render_template(
            "courses/results_errors.html", course_session=course_session, errors=error.errors
        ), 422
    commit_or_report(
        lambda: services.apply_results(
            db.session, rows, actor=current_user, today=clock.today(), now=clock.now()
        ),
        success=lambda count: _("%(n)s result(s) recorded.", n=count),
    )
    return redirect(url_for("courses.session_detail", session_id=session_id))


@bp.route("/sessions/<int:session_id>/enrolments/import", methods=["GET", "POST"])
@login_required
def import_enrolments(session_id: int):
    """Enrol the trainees of a CSV file, all or nothing (the session's trainers and the
    editors); refused rows are listed with the enrolment services' own messages."""
    course_session = require_edit(db.session.get(CourseSession, session_id))
    form = EnrolmentsImportForm()
    row_errors = []
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: enrolment_imports.import_enrolments(
                db.session,
                course_session,
                form.file.data.read(enrolment_imports.MAX_BYTES + 1),
                actor=current_user,
                today=clock.today(),
            ),
            form=form,
            success=lambda enrolments: ngettext(
                "%(num)s trainee enrolled.", "%(num)s trainees enrolled.", len(enrolments)
            ),
            redirect_to=url_for("courses.session_detail", session_id=session_id),
        )
        if outcome.response:
            return outcome.response
        if isinstance(outcome.error, RowErrors):
            row_errors = outcome.error.errors
    status = 422 if form.errors or row_errors else 200
    return render_template(
        "courses/enrolments_import.html",
        course_session=course_session,
        form=form,
        row_errors=row_errors,
        columns=enrolment_imports.column_help(),
        max_rows=enrolment_imports.MAX_ROWS,
    ), status


@bp.route("/sessions/<int:session_id>/enrolments/import/template.csv")
@login_required
def enrolments_import_template(session_id: int):
    require_edit(db.session.get(CourseSession, session_id))
    header, rows = enrolment_imports.template_csv_rows()
    return csv_response("enrolments-import-template", header, rows, personal=False)


@bp.route("/trainer/sessions")
@role_required(Role.TRAINER)
@export_limited
def my_sessions():
    if wants_csv():
        stmt = services.sessions_trained_by(current_user)
        return csv_response("my-sessions", *course_exports.sessions_table(db.session, stmt))
    page = paginate(services.sessions_trained_by(current_user))
    return render_template("courses/my_sessions.html", page=page, today=clock.today())


@bp.route("/sessions/<int:session_id>/sign-in.pdf")
@login_required
@rate_limited("reports")
def sign_in_sheet(session_id: int):
    course_session = require_edit(db.session.get(CourseSession, session_id))
    pdf = services.sign_in_sheet_pdf(course_session, services.roster(db.session, course_session))
    name = f"{course_session.course.code}-{course_session.starts_on.isoformat()}-sign-in.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.route("/sessions/<int:session_id>/roster.csv")
@login_required
@rate_limited("exports")
def roster_csv(session_id: int):
    course_session = require_edit(db.session.get(CourseSession, session_id))
    header, rows = services.roster_table(services.roster(db.session, course_session))
    name = f"{course_session.course.code}-{course_session.starts_on.isoformat()}-roster.csv"
    return csv_response(name, header, rows)
