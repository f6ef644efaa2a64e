"""Correcting or withdrawing a recorded attendance mark or result, from the session roster.

Thin views: parse, authorise (``lms.courses.permissions.can_correct_enrolment_record``), call
``lms.courses.services.corrections``, commit through ``commit_or_report``, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DecimalField, SelectField
from wtforms.validators import NumberRange, Optional

from lms.core import clock
from lms.core.correction_forms import CorrectionForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.courses.correction_models import RecordKind
from lms.courses.models import SessionEnrolment
from lms.courses.permissions import can_correct_enrolment_record
from lms.courses.services import corrections

bp = Blueprint("course_corrections", __name__)


class ResultCorrectionForm(CorrectionForm):
    passed = SelectField(
        _l("Corrected result"), choices=[("yes", _l("Passed")), ("no", _l("Failed"))]
    )
    score = DecimalField(
        _l("Corrected score"), places=1, validators=[Optional(), NumberRange(0, 100)]
    )


class AttendanceCorrectionForm(CorrectionForm):
    attended = SelectField(
        _l("Corrected attendance"), choices=[("yes", _l("Present")), ("no", _l("No-show"))]
    )


def correction_links(enrolment: SessionEnrolment) -> list[tuple[Any, str]]:
    """The corrections the current user may make on a roster row (label, link); the roster's
    recorded events are read once per page (``g``)."""
    cache = g.setdefault("recorded_events", {})
    if enrolment.session_id not in cache:
        cache[enrolment.session_id] = corrections.recorded_events(
            db.session, list(enrolment.session.enrolments)
        )
    events = cache[enrolment.session_id]
    return [
        (
            kind.label,
            url_for("course_corrections.correct", enrolment_id=enrolment.id, kind=kind.value),
        )
        for kind in (RecordKind.RESULT, RecordKind.ATTENDANCE)
        if can_correct_enrolment_record(current_user, events.get((enrolment.id, kind)))
    ]


@bp.app_context_processor
def _roster_helpers() -> dict[str, Any]:
    return {"record_correction_links": correction_links}


def _apply(form: Any, enrolment: SessionEnrolment, kind: RecordKind) -> Any:
    common = dict(reason=form.reason.data, actor=current_user)
    if kind is RecordKind.RESULT:
        if form.withdrawing:
            return corrections.withdraw_result(db.session, enrolment, today=clock.today(), **common)
        return corrections.correct_result(
            db.session,
            enrolment,
            score=form.score.data,
            passed=form.passed.data == "yes",
            today=clock.today(),
            **common,
        )
    if form.withdrawing:
        return corrections.withdraw_attendance(db.session, enrolment, **common)
    return corrections.correct_attendance(
        db.session, enrolment, attended=form.attended.data == "yes", **common
    )


def _record(enrolment: SessionEnrolment, event: Any) -> list[tuple[Any, Any]]:
    return [
        (_("Trainee"), enrolment.user.full_name),
        (_("Status"), enrolment.status.label),
        (_("Score"), enrolment.score if enrolment.score is not None else "—"),
        (_("Recorded by"), event.actor.full_name if event.actor else _("system")),
        (_("Recorded on"), event.at.date().isoformat()),
    ]


@bp.route("/enrolments/<int:enrolment_id>/correct/<kind>", methods=["GET", "POST"])
@login_required
def correct(enrolment_id: int, kind: str):
    enrolment = db.session.get(SessionEnrolment, enrolment_id)
    if enrolment is None or kind not in {k.value for k in RecordKind}:
        abort(404)
    kind_ = RecordKind(kind)
    event = corrections.recorded_event(db.session, enrolment, kind_)
    if not can_correct_enrolment_record(current_user, event):
        abort(403)
    form = (ResultCorrectionForm if kind_ is RecordKind.RESULT else AttendanceCorrectionForm)()
    back = url_for("courses.session_detail", session_id=enrolment.session_id)
    if form.validate_on_submit():
        ok, _done = commit_or_report(
            lambda: _apply(form, enrolment, kind_), form=form, success=_("Correction recorded.")
        )
        if ok:
            return redirect(back)
    name = enrolment.user.full_name
    return render_template(
        "corrections/correct.html",
        title=_("Correct the %(kind)s of %(name)s", kind=kind_.label.lower(), name=name),
        record=_record(enrolment, event),
        form=form,
        back=back,
        history=corrections.corrections_of(db.session, [enrolment.id]).get(enrolment.id, []),
    )
