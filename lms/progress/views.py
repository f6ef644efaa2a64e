"""A trainee's learning: dashboard, competency profile, gap analysis, transcript; the trainer's
assessment queue; read-only profiles for directorate staff and project managers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Role, User, UserRole
from lms.core import clock
from lms.core.charts import svg_markup
from lms.core.errors import DomainError, commit_or_report, flash_error
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import login_required, role_required
from lms.courses.models import (
    CourseSession,
    EnrolmentStatus,
    SessionEnrolment,
)
from lms.frameworks.models import Competency, Track
from lms.progress import services
from lms.progress.charts import profile_chart, profile_data
from lms.progress.models import ClaimStatus, PriorLearningClaim, RatingSource
from lms.progress.read import certificate_status

bp = Blueprint("progress", __name__)


class LevelForm(FlaskForm):
    level_id = SelectField(_l("Level"), coerce=int)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    evidence_url = StringField(_l("Evidence link"), validators=[Optional(), URL(), Length(max=500)])
    submit = SubmitField(_l("Save"))


class ClaimForm(LevelForm):
    description = TextAreaField(
        _l("Earlier learning or experience"), validators=[DataRequired(), Length(max=5000)]
    )


class ReviewForm(FlaskForm):
    note = StringField(
        _l("What should the trainer look at?"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Ask for a review"))


class ClaimDecisionForm(FlaskForm):
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])
    decision = SelectField(
        _l("Decision"), choices=[("accept", _l("Accept")), ("reject", _l("Reject"))]
    )
    submit = SubmitField(_l("Decide"))


def _trainee_or_403(user_id: int) -> User:
    trainee = db.session.get(User, user_id)
    if trainee is None:
        abort(404)
    if not services.can_view_trainee(db.session, current_user, trainee):
        abort(403)
    return trainee


def _upcoming(user: User) -> list[SessionEnrolment]:
    return list(
        db.session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(
                SessionEnrolment.user_id == user.id,
                CourseSession.ends_on >= clock.today(),
                SessionEnrolment.status.in_(
                    [
                        EnrolmentStatus.ENROLLED,
                        EnrolmentStatus.WAITLISTED,
                        EnrolmentStatus.REQUESTED,
                    ]
                ),
            )
            .order_by(CourseSession.starts_on)
        )
    )


def _transcript(user: User) -> list[SessionEnrolment]:
    return list(
        db.session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(
                SessionEnrolment.user_id == user.id,
                SessionEnrolment.status.in_([EnrolmentStatus.COMPLETED, EnrolmentStatus.NO_SHOW]),
            )
            .order_by(CourseSession.ends_on.desc())
        )
    )


def _profile_context(trainee: User) -> dict:
    enrolments = services.enrolled_tracks(db.session, trainee)
    progress = services.progress_for_tracks(db.session, trainee, [e.track for e in enrolments])
    charts = []
    for state in progress:
        if state.targets:
            levels = [lv.name for lv in state.track.framework.scale.levels]
            charts.append(
                svg_markup(
                    profile_chart(profile_data(state, levels)),
                    _("Competency levels against the targets of %(track)s", track=state.track.name),
                )
            )
        else:
            charts.append(None)
    return dict(
        trainee=trainee,
        progress=list(zip(progress, charts, strict=True)),
        upcoming=_upcoming(trainee),
        transcript=_transcript(trainee),
        certificates=services.certificates_for(db.session, trainee),
        certificate_status=certificate_status,
        today=clock.today(),
    )


@bp.route("/learning")
@role_required(Role.TRAINEE)
def dashboard():
    context = _profile_context(current_user)
    joined = {state.track.id for state, _chart in context["progress"]}
    open_tracks = [
        t
        for t in db.session.scalars(
            sa.select(Track).where(Track.is_active.is_(True)).order_by(Track.name)
        )
        if t.id not in joined
    ]
    return render_template(
        "progress/dashboard.html", open_tracks=open_tracks, confirm=ConfirmForm(), **context
    )


@bp.route("/trainees/")
@role_required(Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER)
def trainees():
    q = request.args.get("q", "").strip().lower()
    stmt = (
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.TRAINEE)
        .options(joinedload(User.member_administration))
    )
    if q:
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.full_name).like(f"%{q}%"), User.email.like(f"%{q}%"))
        )
    page = paginate(stmt.order_by(User.full_name))
    visible = {u.id for u in page.items if services.can_view_trainee(db.session, current_user, u)}
    return render_template("progress/trainees.html", page=page, q=q, visible=visible)


@bp.route("/trainees/<int:user_id>")
@login_required
def profile(user_id: int):
    trainee = _trainee_or_403(user_id)
    context = _profile_context(trainee)
    context["competencies"] = services.competency_profile(db.session, trainee)
    return render_template("progress/profile.html", **context)


@bp.route("/trainees/<int:user_id>/tracks/<int:track_id>/gaps")
@login_required
def gaps(user_id: int, track_id: int):
    trainee = _trainee_or_403(user_id)
    track = db.session.get(Track, track_id)
    if track is None:
        abort(404)
    result = services.gap_analysis(db.session, trainee, track, today=clock.today())
    return render_template(
        "progress/gaps.html",
        trainee=trainee,
        track=track,
        gaps=result,
        progress=services.track_progress(db.session, trainee, track),
    )


def _level_choices(competency: Competency) -> list[tuple[int, str]]:
    return [(lv.id, f"{lv.position} — {lv.name}") for lv in competency.framework.scale.levels]


@bp.route("/trainees/<int:user_id>/competencies/<int:competency_id>", methods=["GET", "POST"])
@login_required
def competency(user_id: int, competency_id: int):
    trainee = _trainee_or_403(user_id)
    item = db.session.get(Competency, competency_id)
    if item is None:
        abort(404)
    is_self = trainee.id == current_user.id
    is_assessor = current_user.has_role(Role.TRAINER) and not is_self
    rate_form = LevelForm(prefix="rate")
    self_form = LevelForm(prefix="self")
    claim_form = ClaimForm(prefix="claim")
    review_form = ReviewForm(prefix="review")
    for form in (rate_form, self_form, claim_form):
        form.level_id.choices = _level_choices(item)
    action = request.form.get("action")
    if request.method == "POST":
        levels = {lv.id: lv for lv in item.framework.scale.levels}
        try:
            if action == "rate" and is_assessor and rate_form.validate_on_submit():
                services.rate_competency(
                    db.session,
                    user=trainee,
                    competency=item,
                    level=levels[rate_form.level_id.data],
                    source=RatingSource.ASSESSOR,
                    actor=current_user,
                    comment=rate_form.comment.data or "",
                    evidence_url=rate_form.evidence_url.data or "",
                )
                message = _("Rating recorded.")
            elif action == "self" and is_self and self_form.validate_on_submit():
                services.add_self_assessment(
                    db.session,
                    user=trainee,
                    competency=item,
                    level=levels[self_form.level_id.data],
                    comment=self_form.comment.data or "",
                )
                message = _("Self-assessment saved.")
            elif action == "claim" and is_self and claim_form.validate_on_submit():
                services.claim_prior_learning(
                    db.session,
                    user=trainee,
                    competency=item,
                    level=levels[claim_form.level_id.data],
                    description=claim_form.description.data,
                    evidence_url=claim_form.evidence_url.data or "",
                )
                message = _("Claim sent to the trainers.")
            elif action == "review" and is_self and review_form.validate_on_submit():
                services.request_review(
                    db.session, user=trainee, competency=item, note=review_form.note.data or ""
                )
                message = _("Review requested; it is in the trainers' queue.")
            elif action in ("rate", "self", "claim", "review") and not (
                is_assessor if action == "rate" else is_self
            ):
                abort(403)
            else:
                message = None
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            if message:
                db.session.commit()
                flash(message, "success")
                return redirect(
                    url_for("progress.competency", user_id=trainee.id, competency_id=item.id)
                )
    record = services.competency_record(db.session, trainee, item)
    return render_template(
        "progress/competency.html",
        trainee=trainee,
        competency=item,
        **record,
        is_self=is_self,
        is_assessor=is_assessor,
        rate_form=rate_form,
        self_form=self_form,
        claim_form=claim_form,
        review_form=review_form,
    )


@bp.route("/assessments/")
@role_required(Role.TRAINER)
def queue():
    requests, claims = services.assessment_queue(db.session)
    return render_template(
        "progress/queue.html", requests=requests, claims=claims, decision_form=ClaimDecisionForm()
    )


@bp.route("/assessments/claims/<int:claim_id>", methods=["POST"])
@role_required(Role.TRAINER)
def decide_claim(claim_id: int):
    claim = db.session.get(PriorLearningClaim, claim_id)
    if claim is None:
        abort(404)
    form = ClaimDecisionForm()
    if not form.validate_on_submit():
        abort(400)
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
