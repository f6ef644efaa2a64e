"""Forms of the project pages. Choices that depend on the project are filled in by the view;
business rules (dates within the project, the logframe's shape...) live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.validators import ValidationError as WTFormsValidationError

from lms.core.forms import FlaskForm
from lms.projects.models import (
    LogframeLevel,
    MilestoneStatus,
    PartnerRole,
    PeriodKind,
    ProjectStatus,
    Rag,
    RiskLevel,
    RiskStatus,
    TrainingMeasure,
)


def _choices(enum_cls, exclude=()) -> list[tuple[str, object]]:
    return [(value, label) for value, label in enum_cls.choices() if value not in exclude]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class ProjectForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("A short reference, for example DS-KE-2025."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional()])
    goal = TextAreaField(
        _l("Goal"),
        validators=[Optional()],
        description=_l("The overall objective, the top of the logical framework (optional)."),
    )
    status = SelectField(_l("Status"), choices=_choices(ProjectStatus))
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    currency = StringField(
        _l("Currency"),
        default="EUR",
        validators=[DataRequired(), Length(min=3, max=3)],
        description=_l("One currency per project (ISO 4217, e.g. EUR, USD)."),
    )
    dac_sector = StringField(
        _l("DAC sector code"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=5),
            Regexp(
                r"^\d{5}$",
                message=_l(
                    "Use a five-digit OECD DAC purpose code, e.g. 33120 (trade facilitation)."
                ),
            ),
        ],
        description=_l(
            "The OECD DAC purpose code reported in the IATI export, e.g. 33120 (trade "
            "facilitation) or 15111 (public finance management). Leave empty for the "
            "programme's default."
        ),
    )
    beneficiary_ids = SelectMultipleField(
        _l("Beneficiary member administrations"),
        coerce=int,
        validators=[
            DataRequired(message=_l("Choose at least one beneficiary member administration."))
        ],
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    manager_ids = SelectMultipleField(
        _l("Project managers"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one project manager."))],
    )
    focal_point_ids = SelectMultipleField(
        _l("Beneficiary focal points"),
        coerce=int,
        validators=[Optional()],
        description=_l(
            "People who may read this project. The focal point on file for each beneficiary "
            "administration can read it too."
        ),
    )
    submit = SubmitField(_l("Save project"))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise WTFormsValidationError(_l("The project cannot end before it starts."))


class BeneficiariesForm(FlaskForm):
    """The beneficiary administrations of a project (administrators and the directorate)."""

    beneficiary_ids = SelectMultipleField(
        _l("Beneficiary member administrations"),
        coerce=int,
        validators=[
            DataRequired(message=_l("Choose at least one beneficiary member administration."))
        ],
        description=_l(
            "Their officers' records are read, and their requests approved, by the project's "
            "managers. Hold Ctrl (⌘ on a Mac) to choose several."
        ),
    )
    submit = SubmitField(_l("Save beneficiaries"))


class PartnerForm(FlaskForm):
    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_choices(PartnerRole))
    submit = SubmitField(_l("Add partner"))


class BudgetForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(1990, 2100)])
    planned = DecimalField(_l("Planned budget"), places=2, validators=[InputRequired()])
    spent = DecimalField(_l("Reported spend"), places=2, default=0, validators=[Optional()])
    submit = SubmitField(_l("Save budget line"))


class LogframeForm(FlaskForm):
    level = SelectField(_l("Level"), choices=_choices(LogframeLevel))
    parent_id = SelectField(_l("Under"), coerce=_int_or_none, validators=[Optional()])
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty to number it automatically (1, 2… and 1.1, 1.2…)."),
    )
    statement = TextAreaField(_l("Statement"), validators=[DataRequired()])
    submit = SubmitField(_l("Add to the logframe"))


class StatementForm(FlaskForm):
    statement = TextAreaField(_l("Statement"), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class ActivityForm(FlaskForm):
    output_id = SelectField(_l("Output"), coerce=_int_or_none, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    submit = SubmitField(_l("Add activity"))


class IndicatorForm(FlaskForm):
    element_id = SelectField(_l("Measures"), coerce=_int_or_none, validators=[DataRequired()])
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=300)])
    unit = StringField(
        _l("Unit"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example officers, %, days."),
    )
    period_kind = SelectField(_l("Targets and actuals per"), choices=_choices(PeriodKind))
    baseline_value = DecimalField(_l("Baseline value"), places=2, validators=[InputRequired()])
    baseline_date = DateField(_l("Baseline date"), validators=[DataRequired()])
    means_of_verification = TextAreaField(_l("Means of verification"), validators=[Optional()])
    training_measure = SelectField(
        _l("Fed from training records"),
        choices=[("", _l("No: actuals are reported by hand")), *_choices(TrainingMeasure)],
        validators=[Optional()],
        description=_l("When set, the indicator page offers to report the training figure."),
    )
    submit = SubmitField(_l("Add indicator"))


class LinkSessionForm(FlaskForm):
    activity_id = SelectField(_l("Activity"), coerce=_int_or_none, validators=[DataRequired()])
    course_session_id = SelectField(
        _l("Course session"), coerce=_int_or_none, validators=[DataRequired()]
    )
    submit = SubmitField(_l("Link session"))


class TrainingActualForm(FlaskForm):
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=7)],
        description=_l("A year (2026) or a quarter (2026-Q3)."),
    )
    submit = SubmitField(_l("Report from training records"))


class TargetForm(FlaskForm):
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=7)],
        description=_l("A year (2026) or a quarter (2026-Q3), as the indicator is tracked."),
    )
    value = DecimalField(_l("Target value"), places=2, validators=[InputRequired()])
    submit = SubmitField(_l("Save target"))


class ActualForm(FlaskForm):
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=7)],
        description=_l("A year (2026) or a quarter (2026-Q3), as the indicator is tracked."),
    )
    value = DecimalField(_l("Actual value"), places=2, validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional()])
    evidence_url = URLField(_l("Evidence link"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Report actual"))


class PhaseForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    submit = SubmitField(_l("Add phase"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    due_date = DateField(
        _l("Due date"),
        validators=[DataRequired()],
        description=_l("Kept as the baseline date; later moves are recorded with a reason."),
    )
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=160)])
    phase_id = SelectField(_l("Phase"), coerce=_int_or_none, validators=[Optional()])
    depends_on_id = SelectField(_l("Depends on"), coerce=_int_or_none, validators=[Optional()])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional()])
    submit = SubmitField(_l("Add milestone"))


class MilestoneEditForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    status = SelectField(
        _l("Status"),
        choices=_choices(MilestoneStatus, exclude=(MilestoneStatus.LATE,)),
        description=_l("“Late” is shown automatically once the due date has passed."),
    )
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=160)])
    phase_id = SelectField(_l("Phase"), coerce=_int_or_none, validators=[Optional()])
    depends_on_id = SelectField(_l("Depends on"), coerce=_int_or_none, validators=[Optional()])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional()])
    submit = SubmitField(_l("Save milestone"))


class ReplanForm(FlaskForm):
    new_date = DateField(_l("New due date"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])
    submit = SubmitField(_l("Move the due date"))


class RiskForm(FlaskForm):
    description = TextAreaField(_l("Risk"), validators=[DataRequired()])
    likelihood = SelectField(_l("Likelihood"), choices=_choices(RiskLevel))
    impact = SelectField(_l("Impact"), choices=_choices(RiskLevel))
    mitigation = TextAreaField(_l("Mitigation"), validators=[Optional()])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=160)])
    status = SelectField(_l("Status"), choices=_choices(RiskStatus))
    submit = SubmitField(_l("Save risk"))


class ProgressUpdateForm(FlaskForm):
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example 2026-Q1 or January–June 2026."),
    )
    achievements = TextAreaField(_l("Achievements"), validators=[DataRequired()])
    issues = TextAreaField(_l("Issues"), validators=[Optional()])
    next_steps = TextAreaField(_l("Next steps"), validators=[Optional()])
    submit = SubmitField(_l("Add progress update"))


class OverrideForm(FlaskForm):
    rating = SelectField(_l("Rating"), choices=_choices(Rag))
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(), Length(min=10)],
        description=_l("Why the computed rating does not tell the real story. Kept on record."),
    )
    submit = SubmitField(_l("Override the rating"))
