"""A trainee's learning: dashboard, competency profile, gap analysis, transcript; the trainer's
assessment queue; read-only profiles for directorate staff and project managers; joining a
track, intakes and manager enrolment; each track's certification policy.

Thin views: parse, authorise (``lms.progress.permissions``), call ``lms.progress.services``,
commit through ``commit_or_report``, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role, User
from lms.core import clock, signals
from lms.core.charts import svg_markup
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.faults import commit_unless_read_only
from lms.core.i18n import localised
from lms.core.pagination import paginate
from lms.core.permissions import login_required, require_view, role_required
from lms.core.ratelimit import export_limited
from lms.courses.permissions import EDITORS
from lms.courses.services import recertification_courses
from lms.frameworks.models import Competency, Track
from lms.progress import exports, services
from lms.progress.charts import profile_chart, profile_data
from lms.progress.forms import (
    AddMemberForm,
    CertificationPolicyForm,
    ClaimDecisionForm,
    ClaimForm,
    IntakeForm,
    LevelForm,
    RateForm,
    ReviewForm,
    TrackEnrolForm,
)
from lms.progress.models import (
    ClaimStatus,
    EvidenceFile,
    Intake,
    PriorLearningClaim,
    RatingSource,
)
from lms.progress.permissions import (
    can_rate,
    can_view_evidence_file,
    can_view_trainee,
    is_own_record,
)

bp = Blueprint("progress", __name__)


def _or_404(record: Any) -> Any:
    if record is None:
        abort(404)
    return record


def _trainee_or_403(user_id: int) -> User:
    trainee = _or_404(db.session.get(User, user_id))
    if not can_view_trainee(db.session, current_user, trainee):
        abort(403)
    return trainee


def _charts(progress: list[services.TrackProgress]) -> list[str | None]:
    charts: list[str | None] = []
    for state in progress:
        if not state.targets:
            charts.append(None)
            continue
        levels = [localised(lv, "name") for lv in state.track.framework.scale.levels]
        data = profile_data(state, levels)
        charts.append(
            svg_markup(
                profile_chart(data),
                _(
                    "Competency levels against the targets of %(track)s",
                    track=localised(state.track, "name"),
                ),
                description=_(
                    "For each competency the track targets: a bar to the current level and a "
                    "marker at the target level."
                ),
                table=data.table(),
            )
        )
    return charts


def _profile_context(trainee: User, *, with_competencies: bool = False) -> dict:
    record = services.trainee_record(
        db.session, trainee, on=clock.today(), with_competencies=with_competencies
    )
    return dict(
        trainee=trainee,
        progress=list(zip(record.progress, _charts(record.progress), strict=True)),
        upcoming=record.upcoming,
        transcript=record.transcript,
        certificates=[certificate for certificate, _state in record.certificates],
        certificate_states={c.id: state for c, state in record.certificates},
        competencies=record.competencies,
        today=record.on,
    )


@bp.route("/learning")
@role_required(Role.TRAINEE)
def dashboard():
    return render_template(
        "progress/dashboard.html",
        open_tracks=services.open_tracks(db.session, current_user),
        confirm=ConfirmForm(),
        **_profile_context(current_user),
    )


@bp.route("/trainees/")
@role_required(Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER)
@export_limited
def trainees():
    q = request.args.get("q", "").strip().lower()
    if wants_csv():
        table = exports.trainees_table(db.session, current_user, services.trainees_query(q=q))
        commit_unless_read_only(db.session)  # keeps the summaries the export had to compute
        return csv_response("trainees", *table)
    page = paginate(services.trainees_query(q=q))
    visible = services.trainees_in_remit(db.session, current_user, page.items)
    summaries = services.track_progress_summaries(db.session, visible)
    tracks: dict[int, list] = {}
    for (user_id, _track_id), summary in summaries.items():
        tracks.setdefault(user_id, []).append(summary)
    html = render_template("progress/trainees.html", page=page, q=q, visible=visible, tracks=tracks)
    commit_unless_read_only(db.session)  # keeps the progress summaries the page computed
    return html


@bp.route("/trainees/<int:user_id>")
@login_required
def profile(user_id: int):
    trainee = _trainee_or_403(user_id)
    # What the features above progress show on the record (badges): a question signal.
    blocks = signals.values_from_signal(
        signals.trainee_record_related.send(db.session, trainee=trainee)
    )
    return render_template(
        "progress/profile.html",
        blocks=blocks,
        **_profile_context(trainee, with_competencies=True),
    )


@bp.route("/trainees/<int:user_id>/tracks/<int:track_id>/gaps")
@login_required
def gaps(user_id: int, track_id: int):
    trainee = _trainee_or_403(user_id)
    track = _or_404(db.session.get(Track, track_id))
    return render_template(
        "progress/gaps.html",
        trainee=trainee,
        track=track,
        gaps=services.gap_analysis(db.session, trainee, track, today=clock.today()),
        progress=services.track_progress(db.session, trainee, track),
    )


def _level_choices(competency: Competency) -> list[tuple[int, str]]:
    return [("", _("— choose a level —"))] + [
        (lv.id, f"{lv.position} — {lv.name}") for lv in competency.framework.scale.levels
    ]


def _competency_forms(competency: Competency) -> dict[str, Any]:
    forms = {
        "rate": RateForm(prefix="rate"),
        "self": LevelForm(prefix="self"),
        "claim": ClaimForm(prefix="claim"),
        "review": ReviewForm(prefix="review"),
    }
    for name in ("rate", "self", "claim"):
        forms[name].level_id.choices = _level_choices(competency)
    return forms


def _evidence_store() -> services.EvidenceStore:
    return services.EvidenceStore.from_config(current_app.config)


def _with_file(form: Any, record: Any) -> Any:
    """The rating or claim just recorded, with the evidence file uploaded with it (if any)."""
    upload = form.evidence_file.data
    uploaded = bool(upload and getattr(upload, "filename", ""))
    return services.attach_evidence_file(
        db.session,
        record,
        store=_evidence_store(),
        uploaded_by=current_user,
        filename=upload.filename if uploaded else "",
        stream=upload.stream if uploaded else None,
    )


def _competency_action(action: str, trainee: User, item: Competency, form: Any) -> Callable:
    """The service call behind each form of the competency page, and its success message."""
    levels = {lv.id: lv for lv in item.framework.scale.levels}
    level = levels.get(form.level_id.data) if hasattr(form, "level_id") else None
    calls = {
        "rate": lambda: _with_file(
            form,
            services.rate_competency(
                db.session,
                user=trainee,
                competency=item,
                level=level,
                source=RatingSource.ASSESSOR,
                actor=current_user,
                comment=form.comment.data or "",
                evidence_url=form.evidence_url.data or "",
            ),
        ),
        "self": lambda: services.add_self_assessment(
            db.session, user=trainee, competency=item, level=level, comment=form.comment.data or ""
        ),
        "claim": lambda: _with_file(
            form,
            services.claim_prior_learning(
                db.session,
                user=trainee,
                competency=item,
                level=level,
                description=form.description.data,
                evidence_url=form.evidence_url.data or "",
            ),
        ),
        "review": lambda: services.request_review(
            db.session, user=trainee, competency=item, note=form.note.data or ""
        ),
    }
    return calls[action]


_COMPETENCY_MESSAGES = {
    "rate": lambda: _("Rating recorded."),
    "self": lambda: _("Self-assessment saved."),
    "claim": lambda: _("Claim sent to the trainers."),
    "review": lambda: _("Review requested; it is in the trainers' queue."),
}


@bp.route("/trainees/<int:user_id>/competencies/<int:competency_id>", methods=["GET", "POST"])
@login_required
def competency(user_id: int, competency_id: int):
    trainee = _trainee_or_403(user_id)
    item = _or_404(db.session.get(Competency, competency_id))
    is_self, is_assessor = is_own_record(current_user, trainee), can_rate(current_user, trainee)
    forms, action = _competency_forms(item), request.form.get("action")
    if request.method == "POST" and action in forms:
        if not (is_assessor if action == "rate" else is_self):
            abort(403)
        form = forms[action]
        if form.validate_on_submit():
            ok, _result = commit_or_report(
                _competency_action(action, trainee, item, form),
                success=_COMPETENCY_MESSAGES[action](),
            )
            if ok:
                return redirect(url_for(".competency", user_id=trainee.id, competency_id=item.id))
    return render_template(
        "progress/competency.html",
        trainee=trainee,
        competency=item,
        **services.competency_record(db.session, trainee, item),
        is_self=is_self,
        is_assessor=is_assessor,
        **{f"{name}_form": form for name, form in forms.items()},
    )


@bp.route("/evidence/<int:file_id>")
@login_required
def evidence_file(file_id: int):
    """An evidence file, to those who may read the record; always downloaded, never shown."""
    evidence = _or_404(db.session.get(EvidenceFile, file_id))
    if not can_view_evidence_file(db.session, current_user, evidence):
        abort(403)
    path = _or_404(services.evidence_path(_evidence_store(), evidence))
    response = send_file(
        path,
        mimetype=services.mime_type(evidence),
        as_attachment=True,
        download_name=services.download_name(evidence),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/assessments/")
@role_required(Role.TRAINER)
@export_limited
def queue():
    if wants_csv():
        if request.args.get("list") == "claims":
            table = exports.claims_table(db.session, services.pending_claims_query())
            return csv_response("prior-learning-claims", *table)
        table = exports.review_requests_table(db.session, services.open_review_requests_query())
        return csv_response("review-requests", *table)
    return render_template(
        "progress/queue.html",
        requests=paginate(services.open_review_requests_query()),
        claims=paginate(services.pending_claims_query(), arg="claims_page"),
        decision_form=ClaimDecisionForm(),  # one form, one CSRF token for every row
    )


@bp.route("/assessments/claims/<int:claim_id>", methods=["POST"])
@role_required(Role.TRAINER)
def decide_claim(claim_id: int):
    claim = _or_404(db.session.get(PriorLearningClaim, claim_id))
    form = ClaimDecisionForm()
    if not form.validate_on_submit():
        for message in form.decision.errors or [_("The form expired; try again.")]:
            flash(message, "danger")
        return redirect(url_for("progress.queue"))
    commit_or_report(
        lambda: services.review_claim(
            db.session,
            claim,
            accept=form.decision.data == "accept",
            actor=current_user,
            comment=form.comment.data or "",
        ),
        success=lambda _result: (
            _("Claim accepted and rated.")
            if claim.status == ClaimStatus.ACCEPTED
            else _("Claim rejected.")
        ),
    )
    return redirect(url_for("progress.queue"))


# Tracks: joining, manager enrolment, intakes, certification policy ---------------------------


@bp.route("/tracks/<int:track_id>/certification", methods=["GET", "POST"])
@role_required(*EDITORS)
def certification_policy(track_id: int):
    track = _or_404(db.session.get(Track, track_id))
    form = CertificationPolicyForm(obj=services.certification_policy(db.session, track))
    if form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: services.set_certification_policy(
                db.session,
                track,
                actor=current_user,
                validity_months=form.validity_months.data,
                reminder_days_before=form.reminder_days_before.data,
                recertification_note=form.recertification_note.data or "",
            ),
            form=form,
            success=_("Certification policy of %(track)s saved.", track=localised(track, "name")),
        )
        if ok:
            return redirect(url_for("frameworks.track", track_id=track.id))
    return render_template(
        "progress/certification_policy.html",
        form=form,
        track=track,
        recertification=recertification_courses(db.session, track),
    )


@bp.route("/tracks/<int:track_id>/join", methods=["POST"])
@role_required(Role.TRAINEE)
def join_track(track_id: int):
    track = _or_404(db.session.get(Track, track_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: services.enrol_in_track(db.session, current_user, track, actor=current_user),
        success=_("You have joined the %(name)s track.", name=localised(track, "name")),
    )
    return redirect(url_for("progress.dashboard"))


def _trainee_choices(member_administration_id: int | None = None) -> list[tuple[int, str]]:
    stmt = services.trainees_query(
        active_only=True, member_administration_id=member_administration_id
    )
    return [(t.id, f"{t.full_name} <{t.email}>") for t in db.session.scalars(stmt)]


def _intake_forms() -> tuple[IntakeForm, TrackEnrolForm]:
    tracks, members = services.intake_form_options(db.session)
    form = IntakeForm()
    form.track_id.choices = [(t.id, localised(t, "name")) for t in tracks]
    form.member_administration_id.choices = [(None, _("— any —"))] + [
        (m.id, m.name) for m in members
    ]
    enrol_form = TrackEnrolForm(prefix="enrol")
    enrol_form.user_id.choices = _trainee_choices()
    enrol_form.track_id.choices = form.track_id.choices
    return form, enrol_form


def _create_intake(form: IntakeForm) -> Any:
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
    return redirect(url_for("progress.intake_detail", intake_id=intake.id)) if ok else None


def _enrol_trainee(form: TrackEnrolForm) -> Any:
    ok, _result = commit_or_report(
        lambda: services.enrol_in_track(
            db.session,
            db.session.get(User, form.user_id.data),
            db.session.get(Track, form.track_id.data),
            actor=current_user,
        ),
        success=_("Trainee enrolled in the track."),
    )
    return redirect(url_for("progress.intakes")) if ok else None


@bp.route("/intakes/", methods=["GET", "POST"])
@role_required(*EDITORS)
@export_limited
def intakes():
    """Intakes, a new intake, and enrolling one trainee in a track (two forms, one page)."""
    if request.method == "GET" and wants_csv():
        return csv_response("intakes", *exports.intakes_table(db.session, services.intakes_query()))
    form, enrol_form = _intake_forms()
    enrolling = "enrol-user_id" in request.form
    done = None
    if not enrolling and form.validate_on_submit():
        done = _create_intake(form)
    elif enrolling and enrol_form.validate_on_submit():
        done = _enrol_trainee(enrol_form)
    return done or render_template(
        "progress/intakes.html",
        page=paginate(services.intakes_query()),
        form=form,
        enrol_form=enrol_form,
        counts=services.intake_enrolment_counts(db.session),
    )


@bp.route("/intakes/<int:intake_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def intake_detail(intake_id: int):
    intake = require_view(db.session.get(Intake, intake_id))
    form = AddMemberForm()
    form.user_id.choices = _trainee_choices(intake.member_administration_id)
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
            return redirect(url_for("progress.intake_detail", intake_id=intake.id))
    members = services.intake_enrolments(db.session, intake)
    return render_template("progress/intake.html", intake=intake, form=form, members=members)
