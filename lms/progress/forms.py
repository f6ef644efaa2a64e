"""Forms for ratings, self-assessments, claims and reviews, track enrolment, intakes and the
certification policy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from lms.core.forms import FlaskForm


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class LevelForm(FlaskForm):
    """The level starts empty: a rating or a claim records only a level someone chose."""

    level_id = SelectField(
        _l("Level"),
        coerce=_int_or_none,
        validators=[DataRequired(message=_l("Choose a level."))],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    evidence_url = StringField(_l("Evidence link"), validators=[Optional(), URL(), Length(max=500)])
    submit = SubmitField(_l("Save"))


_EVIDENCE_FILE_HELP = _l(
    "Optional: PDF, PNG or JPEG image, Word, Excel, PowerPoint or OpenDocument text."
)


class RateForm(LevelForm):
    evidence_file = FileField(_l("Evidence file"), description=_EVIDENCE_FILE_HELP)


class ClaimForm(LevelForm):
    description = TextAreaField(
        _l("Earlier learning or experience"), validators=[DataRequired(), Length(max=5000)]
    )
    evidence_file = FileField(_l("Evidence file"), description=_EVIDENCE_FILE_HELP)


class ReviewForm(FlaskForm):
    note = StringField(
        _l("What should the trainer look at?"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Ask for a review"))


class ClaimDecisionForm(FlaskForm):
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])
    decision = SelectField(
        _l("Decision"),
        choices=[("", _l("— choose —")), ("accept", _l("Accept")), ("reject", _l("Reject"))],
        validators=[DataRequired(message=_l("Choose accept or reject."))],
    )
    submit = SubmitField(_l("Decide"))


class IntakeForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=160)],
        description=_l("For example: 2026 intake — Kenya Revenue Authority."),
    )
    track_id = SelectField(_l("Track"), coerce=int)
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    member_administration_id = SelectField(
        _l("Member administration"), coerce=_int_or_none, validators=[Optional()]
    )
    submit = SubmitField(_l("Create intake"))


class AddMemberForm(FlaskForm):
    user_id = SelectField(_l("Trainee"), coerce=int)
    submit = SubmitField(_l("Add and enrol"))


class TrackEnrolForm(FlaskForm):
    user_id = SelectField(_l("Trainee"), coerce=int)
    track_id = SelectField(_l("Track"), coerce=int)
    submit = SubmitField(_l("Enrol in track"))


class CertificationPolicyForm(FlaskForm):
    validity_months = IntegerField(
        _l("Certificate valid for (months)"),
        validators=[Optional(), NumberRange(1, 240)],
        description=_l("Leave empty for certificates that do not expire."),
    )
    reminder_days_before = IntegerField(
        _l("Remind holders this many days before expiry"),
        default=60,
        validators=[DataRequired(), NumberRange(0, 365)],
    )
    recertification_note = TextAreaField(
        _l("Recertification path"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Mark the courses of the shorter path with “recertification path” on "
            "the course form; describe any re-assessment here."
        ),
    )
    submit = SubmitField(_l("Save certification policy"))
