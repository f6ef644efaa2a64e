"""Catalogue, course and session pages, the enrolment workflow, results entry and intakes.

Thin views: parse, authorise (``lms.core.permissions``), call ``lms.courses.services``, commit
once, render.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.core import clock
from lms.core.errors import DomainError, ValidationError, commit_or_report, flash_error
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import (
    can_edit,
    login_required,
    require_edit,
    require_view,
    role_required,
)
from lms.courses import services
from lms.courses.forms import (
    AddMemberForm,
    CertificationPolicyForm,
    CourseForm,
    IntakeForm,
    NoteForm,
    ResultForm,
    ResultsUploadForm,
    SessionForm,
    TrackEnrolForm,
)
from lms.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    DeliveryMode,
    EnrolmentStatus,
    Intake,
    SessionEnrolment,
    TrackCourse,
    TrackEnrolment,
)
from lms.courses.permissions import (
    EDITORS,
    can_approve,
    can_edit_enrolment,
    is_editor,
    is_session_approver,
    is_session_manager,
)
from lms.frameworks.models import Competency, Framework, FrameworkStatus, Track

bp = Blueprint("courses", __name__)

# Catalogue ---------------------------------------------------------------------------------


@bp.route("/courses/")
@login_required
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
    )
    if editor and args.get("status") in {s.value for s in CourseStatus}:
        stmt = stmt.where(Course.status == args["status"])
    page = paginate(stmt.options(selectinload(Course.track_links)))
    tracks = db.session.scalars(sa.select(Track).order_by(Track.name)).all()
    competencies = db.session.scalars(
        sa.select(Competency)
        .join(Framework)
        .where(Framework.status == FrameworkStatus.PUBLISHED)
        .order_by(Competency.code)
    ).all()
    upcoming = services.next_open_sessions(db.session, [c.id for c in page.items], clock.today())
    return render_template(
        "courses/catalogue.html",
        page=page,
        tracks=tracks,
        competencies=competencies,
        modes=list(DeliveryMode),
        upcoming=upcoming,
        editor=editor,
        track_names={t.id: t.name for t in tracks},
    )


@bp.route("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = require_view(db.session.get(Course, course_id))
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .order_by(CourseSession.starts_on.desc())
    ).all()
    mine = {}
    if current_user.has_role(Role.TRAINEE):
        mine = {
            e.session_id: e
            for e in db.session.scalars(
                sa.select(SessionEnrolment).where(
                    SessionEnrolment.user_id == current_user.id,
                    SessionEnrolment.session_id.in_([s.id for s in sessions]),
                )
            )
        }
    return render_template(
        "courses/course.html",
        course=course,
        sessions=sessions,
        mine=mine,
        today=clock.today(),
        confirm=ConfirmForm(),
    )


def _course_form_choices(form: CourseForm, course: Course | None) -> list[Competency]:
    courses = db.session.scalars(sa.select(Course).order_by(Course.code)).all()
    form.prerequisites.choices = [
        (c.id, f"{c.code} {c.title}") for c in courses if course is None or c.id != course.id
    ]
    tracks = db.session.scalars(sa.select(Track).order_by(Track.name)).all()
    track_choices = [(t.id, t.name) for t in tracks]
    form.required_tracks.choices = track_choices
    form.elective_tracks.choices = track_choices
    form.recertification_tracks.choices = track_choices
    competencies = db.session.scalars(
        sa.select(Competency)
        .join(Framework)
        .options(joinedload(Competency.framework))
        .where(Framework.status != FrameworkStatus.ARCHIVED)
        .order_by(Framework.code, Competency.code)
    ).all()
    choices = [(None, "—")] + [
        (c.id, f"{c.code} {c.short_name} ({c.framework.code} v{c.framework.version})")
        for c in competencies
    ]
    positions = sorted(
        {lv.position: lv.name for c in competencies for lv in c.framework.scale.levels}.items()
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


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_course(course_id: int):
    course = require_edit(db.session.get(Course, course_id))
    form = CourseForm(obj=course)
    if request.method == "GET":
        form.delivery_mode.data = course.delivery_mode.value
        form.status.data = course.status.value
        form.prerequisites.data = [p.id for p in course.prerequisites]
        form.required_tracks.data = [t.track_id for t in course.track_links if t.is_required]
        form.elective_tracks.data = [
            t.track_id
            for t in course.track_links
            if not t.is_required and not t.for_recertification
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
    trainers = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.TRAINER, User.is_active.is_(True))
        .order_by(User.full_name)
    ).all()
    form.trainer_ids.choices = [(t.id, t.full_name) for t in trainers]
    members = db.session.scalars(
        sa.select(MemberAdministration)
        .where(MemberAdministration.is_active.is_(True))
        .order_by(MemberAdministration.name)
    ).all()
    form.restricted_member_ids.choices = [(m.id, f"{m.name} ({m.country_code})") for m in members]


def _session_values(form: SessionForm) -> dict:
    return dict(
        actor=current_user,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        capacity=form.capacity.data,
        timezone=form.timezone.data.strip(),
        venue=form.venue.data or "",
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
    mine = db.session.scalar(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.session_id == course_session.id,
            SessionEnrolment.user_id == current_user.id,
        )
    )
    enrolments = services.roster(db.session, course_session) if manager else []
    project_manager = is_session_approver(db.session, current_user, course_session)
    if project_manager and not manager:
        enrolments = [
            e
            for e in services.roster(db.session, course_session)
            if e.status == EnrolmentStatus.REQUESTED
        ]
    return render_template(
        "courses/session.html",
        course_session=course_session,
        manager=manager,
        mine=mine,
        enrolments=enrolments,
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
        request.form.get("next")
        or url_for("courses.session_detail", session_id=enrolment.session_id)
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
            db.session, e, attended=state == "present", actor=current_user
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
    try:
        rows = services.parse_results_csv(db.session, course_session, form.file.data.read())
        count = services.apply_results(db.session, rows, actor=current_user, today=clock.today())
    except services.ResultsUploadError as error:
        db.session.rollback()
        return render_template(
            "courses/results_errors.html", course_session=course_session, errors=error.errors
        ), 422
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("%(n)s result(s) recorded.", n=count), "success")
    return redirect(url_for("courses.session_detail", session_id=session_id))


@bp.route("/trainer/sessions")
@role_required(Role.TRAINER)
def my_sessions():
    page = paginate(services.sessions_trained_by(current_user))
    return render_template("courses/my_sessions.html", page=page, today=clock.today())


# Tracks: joining, manager enrolment, intakes -------------------------------------------------


@bp.route("/tracks/<int:track_id>/certification", methods=["GET", "POST"])
@role_required(*EDITORS)
def certification_policy(track_id: int):
    from lms.progress import services as progress
    from lms.progress.models import TrackCertificationPolicy

    track = db.session.get(Track, track_id)
    if track is None:
        abort(404)
    policy = db.session.get(TrackCertificationPolicy, track.id)
    form = CertificationPolicyForm(obj=policy)
    if form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: progress.set_certification_policy(
                db.session,
                track,
                actor=current_user,
                validity_months=form.validity_months.data,
                reminder_days_before=form.reminder_days_before.data,
                recertification_note=form.recertification_note.data or "",
            ),
            form=form,
            success=_("Certification policy of %(track)s saved.", track=track.name),
        )
        if ok:
            return redirect(url_for("frameworks.track", track_id=track.id))
    recertification = db.session.scalars(
        sa.select(Course)
        .join(TrackCourse)
        .where(TrackCourse.track_id == track.id, TrackCourse.for_recertification.is_(True))
        .order_by(Course.code)
    ).all()
    return render_template(
        "courses/certification_policy.html", form=form, track=track, recertification=recertification
    )


@bp.route("/tracks/<int:track_id>/join", methods=["POST"])
@role_required(Role.TRAINEE)
def join_track(track_id: int):
    track = db.session.get(Track, track_id)
    if track is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: services.enrol_in_track(db.session, current_user, track, actor=current_user),
        success=_("You have joined the %(name)s track.", name=track.name),
    )
    return redirect(url_for("progress.dashboard"))


def _trainee_choices() -> list[tuple[int, str]]:
    trainees = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.TRAINEE, User.is_active.is_(True))
        .order_by(User.full_name)
    ).all()
    return [(t.id, f"{t.full_name} <{t.email}>") for t in trainees]


@bp.route("/intakes/", methods=["GET", "POST"])
@role_required(*EDITORS)
def intakes():
    form = IntakeForm()
    form.track_id.choices = [
        (t.id, t.name)
        for t in db.session.scalars(
            sa.select(Track).where(Track.is_active.is_(True)).order_by(Track.name)
        )
    ]
    form.member_administration_id.choices = [(None, _("— any —"))] + [
        (m.id, m.name)
        for m in db.session.scalars(
            sa.select(MemberAdministration).order_by(MemberAdministration.name)
        )
    ]
    enrol_form = TrackEnrolForm(prefix="enrol")
    enrol_form.user_id.choices = _trainee_choices()
    enrol_form.track_id.choices = form.track_id.choices
    enrolling = "enrol-user_id" in request.form
    if not enrolling and form.validate_on_submit():
        ok, intake = commit_or_report(
            lambda: services.create_intake(
                db.session,
                actor=current_user,
                name=form.name.data,
                track=db.session.get(Track, form.track_id.data),
                year=form.year.data,
                member_administration_id=form.member_administration_id.data,
            ),
            form=form,
            success=_("Intake created; add its members."),
        )
        if ok:
            return redirect(url_for("courses.intake_detail", intake_id=intake.id))
    if enrolling and enrol_form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: services.enrol_in_track(
                db.session,
                db.session.get(User, enrol_form.user_id.data),
                db.session.get(Track, enrol_form.track_id.data),
                actor=current_user,
            ),
            success=_("Trainee enrolled in the track."),
        )
        if ok:
            return redirect(url_for("courses.intakes"))
    counts = dict(
        db.session.execute(
            sa.select(TrackEnrolment.intake_id, sa.func.count())
            .where(TrackEnrolment.intake_id.is_not(None))
            .group_by(TrackEnrolment.intake_id)
        ).all()
    )
    page = paginate(sa.select(Intake).order_by(Intake.year.desc(), Intake.name))
    return render_template(
        "courses/intakes.html", page=page, form=form, enrol_form=enrol_form, counts=counts
    )


@bp.route("/intakes/<int:intake_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def intake_detail(intake_id: int):
    intake = require_view(db.session.get(Intake, intake_id))
    form = AddMemberForm()
    choices = _trainee_choices()
    if intake.member_administration_id:
        allowed = set(
            db.session.scalars(
                sa.select(User.id).where(
                    User.member_administration_id == intake.member_administration_id
                )
            )
        )
        choices = [c for c in choices if c[0] in allowed]
    form.user_id.choices = choices
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        ok, _result = commit_or_report(
            lambda: services.add_to_intake(db.session, intake, user, actor=current_user),
            success=_(
                "%(name)s joined the intake and is enrolled in %(track)s.",
                name=user.full_name,
                track=intake.track.name,
            ),
        )
        if ok:
            return redirect(url_for("courses.intake_detail", intake_id=intake.id))
    members = db.session.scalars(
        sa.select(TrackEnrolment)
        .options(joinedload(TrackEnrolment.user))
        .where(TrackEnrolment.intake_id == intake.id)
    ).all()
    return render_template("courses/intake.html", intake=intake, form=form, members=members)
