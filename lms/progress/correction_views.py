"""Correcting or withdrawing a rating (from the trainee's competency history) and a claim
decision (on the claim's page).

Thin views: parse, authorise (``lms.progress.permissions``), call
``lms.progress.services.corrections``, commit through ``commit_or_report``, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from lms.core import clock
from lms.core.correction_forms import CorrectionForm
from lms.core.errors import ValidationError, commit_or_report
from lms.core.extensions import db
from lms.core.i18n import localised
from lms.core.permissions import login_required
from lms.progress.models import ClaimStatus, CompetencyRating, PriorLearningClaim
from lms.progress.permissions import (
    can_correct_claim_decision,
    can_correct_rating,
    can_view_trainee,
)
from lms.progress.services import corrections

bp = Blueprint("progress_corrections", __name__)


class RatingCorrectionForm(CorrectionForm):
    level_id = SelectField(_l("Corrected level"), coerce=int, validators=[Optional()])
    comment = TextAreaField(_l("Comment on the corrected rating"), validators=[Optional()])


class ClaimCorrectionForm(CorrectionForm):
    decision = SelectField(
        _l("Corrected decision"), choices=[("accept", _l("Accept")), ("reject", _l("Reject"))]
    )
    comment = TextAreaField(_l("Comment on the decision"), validators=[Optional()])


@bp.app_context_processor
def _history_helpers() -> dict[str, Any]:
    return {
        "may_correct_rating": lambda r: can_correct_rating(current_user, r),
    }


def _visible(record: Any) -> Any:
    if record is None:
        abort(404)
    if not can_view_trainee(db.session, current_user, record.user):
        abort(403)
    return record


def _rating_call(form: RatingCorrectionForm, rating: CompetencyRating) -> Any:
    common = dict(reason=form.reason.data, actor=current_user, today=clock.today())
    if form.withdrawing:
        return corrections.withdraw_rating(db.session, rating, **common)
    level = next((lv for lv in rating.level.scale.levels if lv.id == form.level_id.data), None)
    if level is None:
        raise ValidationError(_("Choose the corrected level."), field="level_id")
    return corrections.correct_rating(
        db.session, rating, level=level, comment=form.comment.data or "", **common
    )


def _rating_record(rating: CompetencyRating) -> list[tuple[Any, Any]]:
    return [
        (_("Trainee"), rating.user.full_name),
        (_("Competency"), f"{rating.competency.code} {rating.competency.short_name}"),
        (_("Level"), localised(rating.level, "name")),
        (_("Given by"), rating.rated_by.full_name if rating.rated_by else _("system")),
        (_("Source"), rating.source.label),
        (_("Comment"), rating.comment or "—"),
    ]


@bp.route("/ratings/<int:rating_id>/correct", methods=["GET", "POST"])
@login_required
def correct_rating(rating_id: int):
    rating = _visible(db.session.get(CompetencyRating, rating_id))
    if not can_correct_rating(current_user, rating) or corrections.is_superseded(
        db.session, rating
    ):
        abort(403)
    form = RatingCorrectionForm()
    form.level_id.choices = [(lv.id, localised(lv, "name")) for lv in rating.level.scale.levels]
    back = url_for(
        "progress.competency", user_id=rating.user_id, competency_id=rating.competency_id
    )
    if form.validate_on_submit():
        ok, _done = commit_or_report(
            lambda: _rating_call(form, rating), form=form, success=_("Correction recorded.")
        )
        if ok:
            return redirect(back)
    return render_template(
        "corrections/correct.html",
        title=_("Correct a rating of %(name)s", name=rating.user.full_name),
        record=_rating_record(rating),
        form=form,
        back=back,
        history=[],
    )


def _claim_call(form: ClaimCorrectionForm, claim: PriorLearningClaim) -> Any:
    common = dict(reason=form.reason.data, actor=current_user, today=clock.today())
    if form.withdrawing:
        return corrections.withdraw_claim_decision(db.session, claim, **common)
    return corrections.correct_claim_decision(
        db.session,
        claim,
        accept=form.decision.data == "accept",
        comment=form.comment.data or "",
        **common,
    )


def _claim_record(claim: PriorLearningClaim) -> list[tuple[Any, Any]]:
    return [
        (_("Trainee"), claim.user.full_name),
        (_("Competency"), f"{claim.competency.code} {claim.competency.short_name}"),
        (_("Level claimed"), localised(claim.level, "name")),
        (_("Description"), claim.description),
        (_("Decision"), claim.status.value),
        (_("Decided by"), claim.reviewed_by.full_name if claim.reviewed_by else "—"),
        (_("Comment"), claim.review_comment or "—"),
    ]


@bp.route("/claims/<int:claim_id>", methods=["GET", "POST"])
@login_required
def claim(claim_id: int):
    """The claim, its decision and every correction of it; a correction form for the trainer
    who decided it (or an admin)."""
    item = _visible(db.session.get(PriorLearningClaim, claim_id))
    may_correct = can_correct_claim_decision(current_user, item)
    form = ClaimCorrectionForm() if may_correct else None
    if form is not None and form.validate_on_submit():
        ok, _done = commit_or_report(
            lambda: _claim_call(form, item), form=form, success=_("Correction recorded.")
        )
        if ok:
            return redirect(url_for(".claim", claim_id=item.id))
    title = _("Prior-learning claim of %(name)s", name=item.user.full_name)
    if item.status != ClaimStatus.PENDING and may_correct:
        title = _("Correct the decision on a claim of %(name)s", name=item.user.full_name)
    return render_template(
        "corrections/correct.html",
        title=title,
        record=_claim_record(item),
        form=form,
        back=url_for("progress.competency", user_id=item.user_id, competency_id=item.competency_id),
        history=corrections.claim_corrections(db.session, item),
    )
