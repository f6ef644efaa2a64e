"""Forms for the catalogue editors, sessions, enrolment actions and results."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from lms.accounts.forms import MultiCheckboxField
from lms.core.forms import FlaskForm
from lms.courses.models import (
    DELIVERY_MODE_LABELS,
    PASS_OUTCOME_LABELS,
    CourseStatus,
    DeliveryMode,
    PassOutcome,
    SessionStatus,
)
from lms.courses.services import LANGUAGE_CODES

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "pt": "Português",
    "ru": "Русский",
}
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class CompetencyRowForm(Form):
    competency_id = SelectField(_l("Competency"), coerce=_int_or_none, validators=[Optional()])
    level_position = SelectField(
        _l("Level a pass gives"), coerce=_int_or_none, validators=[Optional()]
    )
    outcome = SelectField(
        _l("What a pass does"),
        choices=[(o.value, PASS_OUTCOME_LABELS[o]) for o in PassOutcome],
        default=PassOutcome.EVIDENCE.value,
    )


class CourseForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Short and unique, for example DS-101."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    objectives = TextAreaField(_l("Objectives"), validators=[Optional(), Length(max=5000)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    summary_fr = TextAreaField(_l("Summary in French"), validators=[Optional(), Length(max=5000)])
    objectives_fr = TextAreaField(
        _l("Objectives in French"), validators=[Optional(), Length(max=5000)]
    )
    delivery_mode = SelectField(
        _l("Delivery mode"), choices=[(m.value, DELIVERY_MODE_LABELS[m]) for m in DeliveryMode]
    )
    hours = DecimalField(
        _l("Hours"), places=1, validators=[DataRequired(), NumberRange(min=0.5, max=2000)]
    )
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=LANGUAGE_CHOICES,
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    status = SelectField(_l("Status"), choices=CourseStatus.choices())
    prerequisites = SelectMultipleField(
        _l("Prerequisite courses"), coerce=int, validators=[Optional()]
    )
    required_tracks = MultiCheckboxField(
        _l("Required on tracks"), coerce=int, validators=[Optional()]
    )
    elective_tracks = MultiCheckboxField(
        _l("Elective on tracks"), coerce=int, validators=[Optional()]
    )
    recertification_tracks = MultiCheckboxField(
        _l("Part of the recertification path of"), coerce=int, validators=[Optional()]
    )
    competencies = FieldList(FormField(CompetencyRowForm), min_entries=6, max_entries=40)
    results_from_start = BooleanField(
        _l("Results may be recorded from the session's start (not only once it has ended)")
    )
    submit = SubmitField(_l("Save course"))


class SessionForm(FlaskForm):
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    start_time = TimeField(
        _l("Each day from"),
        default=time(9),
        validators=[Optional()],
        description=_l("Local time, in the session's time zone."),
    )
    end_time = TimeField(_l("Each day until"), default=time(17), validators=[Optional()])
    timezone = StringField(
        _l("Time zone"),
        default="UTC",
        validators=[DataRequired(), Length(max=60)],
        description=_l("IANA name, for example Africa/Nairobi."),
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_fr = StringField(_l("Venue in French"), validators=[Optional(), Length(max=200)])
    virtual_link = StringField(
        _l("Virtual classroom link"), validators=[Optional(), URL(), Length(max=500)]
    )
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=5000)])
    enrolment_deadline = DateField(_l("Enrolment deadline"), validators=[Optional()])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    requires_approval = BooleanField(_l("Requests need approval by a trainer or project manager"))
    status = SelectField(
        _l("Status"),
        choices=SessionStatus.choices(),
        default=SessionStatus.OPEN.value,
    )
    trainer_ids = SelectMultipleField(_l("Trainers"), coerce=int, validators=[Optional()])
    restricted_member_ids = SelectMultipleField(
        _l("Reserved for these member administrations"),
        coerce=int,
        validators=[Optional()],
        description=_l("Leave empty for a session open to all."),
    )
    submit = SubmitField(_l("Save session"))


class ResultForm(FlaskForm):
    score = DecimalField(_l("Score"), places=1, validators=[Optional(), NumberRange(0, 100)])
    passed = SelectField(_l("Result"), choices=[("yes", _l("Passed")), ("no", _l("Failed"))])
    submit = SubmitField(_l("Record result"))


class ResultsUploadForm(FlaskForm):
    file = FileField(
        _l("Results file (CSV)"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
        description=_l("Columns: email, attended (yes/no), score (0–100), passed (yes/no)."),
    )
    submit = SubmitField(_l("Upload results"))


class EnrolmentsImportForm(FlaskForm):
    """A CSV of trainees to enrol in a session at once (columns in
    ``lms.courses.services.imports``)."""

    file = FileField(
        _l("Enrolments file (CSV)"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
        description=_l(
            "UTF-8 CSV with a header row: email, and optionally status (enrolled or "
            "waitlisted). At most 1,000 rows."
        ),
    )
    submit = SubmitField(_l("Import enrolments"))


class NoteForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Confirm"))
