"""Forms for frameworks, competencies, scales, imports and tracks. Per-level fields (indicators,
targets) are added to a subclass built for the scale at hand."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.frameworks.models import ImportFormat, RollupRule

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("pt", "Português"),
    ("ru", "Русский"),
]


MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class FrameworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("Letters, digits, dots and dashes; the same for every version."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    source_document = StringField(_l("Source document"), validators=[Optional(), Length(max=300)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    scale_id = SelectField(_l("Proficiency scale"), coerce=int)
    taxonomy = StringField(
        _l("Taxonomy"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "The name of each depth from the top, comma-separated, for example: "
            "domain, competency, skill."
        ),
    )
    submit = SubmitField(_l("Save"))


class CompetencyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=100)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    parent_id = SelectField(_l("Parent"), coerce=_optional_int, validators=[Optional()])
    related = StringField(
        _l("Cross-referenced competencies"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Codes of related competencies of this framework, comma-separated."),
    )
    rule = SelectField(
        _l("Roll-up rule"),
        choices=RollupRule.choices(),
        default=RollupRule.NONE.value,
        description=_l("When the rule is met, this competency is rated from its children."),
    )
    rule_threshold = IntegerField(
        _l("Points needed (points rule)"), validators=[Optional(), NumberRange(min=1)]
    )
    rule_points = IntegerField(
        _l("Points this competency is worth to its parent"),
        default=0,
        validators=[Optional(), NumberRange(min=0)],
    )
    rule_required = BooleanField(_l("Required by the parent's points rule"))
    submit = SubmitField(_l("Save"))

    level_fields: list[tuple[int, str]] = []

    def indicators(self) -> dict[int, str]:
        return {level_id: self[name].data or "" for level_id, name in self.level_fields}


def competency_form_for(scale, *args: Any, **kwargs: Any) -> CompetencyForm:
    """A competency form with one indicator field per level of ``scale``."""

    class ScaledCompetencyForm(CompetencyForm):
        pass

    fields = []
    for level in scale.levels:
        name = f"level_{level.id}"
        setattr(
            ScaledCompetencyForm,
            name,
            TextAreaField(
                _l("Indicator at level %(level)s", level=level.name),
                validators=[Optional()],
                render_kw={"rows": 2},
            ),
        )
        fields.append((level.id, name))
    ScaledCompetencyForm.level_fields = fields
    return ScaledCompetencyForm(*args, **kwargs)


class ScaleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    levels = TextAreaField(
        _l("Levels"),
        validators=[DataRequired()],
        render_kw={"rows": 5},
        description=_l("One level a line, lowest first: Name | descriptor."),
    )
    default_position = IntegerField(
        _l("Default level when a course is completed (number)"),
        validators=[DataRequired(), NumberRange(min=1)],
    )
    proficient_position = IntegerField(
        _l("Proficient from level (number)"), validators=[DataRequired(), NumberRange(min=1)]
    )
    submit = SubmitField(_l("Create scale"))


class ImportForm(FlaskForm):
    format = SelectField(
        _l("Format"),
        choices=ImportFormat.choices(),
        default=ImportFormat.MOODLE_CSV.value,
    )
    file = FileField(
        _l("File"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileSize(MAX_IMPORT_BYTES, message=_l("The file is larger than 5 MB.")),
        ],
    )
    submit = SubmitField(_l("Preview"))


class TrackForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    framework_id = SelectField(_l("Framework version"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[Optional()])
    target_audience = TextAreaField(_l("Target audience"), validators=[Optional()])
    expected_duration_weeks = IntegerField(
        _l("Expected duration (weeks)"), validators=[Optional(), NumberRange(min=1, max=520)]
    )
    entry_requirements = TextAreaField(_l("Entry requirements"), validators=[Optional()])
    prerequisite_track_id = SelectField(
        _l("Track to complete first"), coerce=_optional_int, validators=[Optional()]
    )
    stages = TextAreaField(
        _l("Stages"),
        validators=[Optional()],
        render_kw={"rows": 4},
        description=_l("One stage a line, in order: Name: description."),
    )
    is_active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class TargetsForm(FlaskForm):
    submit = SubmitField(_l("Save targets"))


class MoveTrackForm(FlaskForm):
    framework_id = SelectField(_l("New framework version"), coerce=int)
    submit = SubmitField(_l("Move the track and carry its targets over"))
