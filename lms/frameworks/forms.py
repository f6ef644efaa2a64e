"""Forms for frameworks, competencies, scales, imports and tracks. Per-level fields (indicators,
targets) are added to a subclass built for the scale at hand."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from lms.core.forms import FlaskForm
from lms.core.i18n import localised
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


def split_list(text: str | None) -> list[str]:
    """``"a, b,, c"`` → ``["a", "b", "c"]``: taxonomy terms and related codes are typed so."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


MISSING_FIELD = _l("This field was missing from the form. Reload the page and try again.")


class _FromRecordField:
    """A text field whose record value is a list (shown as text). Edit forms start from the
    record; posted without this field, the form is refused rather than reading the record's
    list as typed text."""

    from_record = False

    def as_text(self, value: Any) -> str:
        raise NotImplementedError

    def process_data(self, value: Any) -> None:
        self.from_record = isinstance(value, list | tuple)
        super().process_data(self.as_text(value) if self.from_record else value)  # type: ignore[misc]

    def pre_validate(self, form: Any) -> None:
        if self.from_record and not self.raw_data:  # type: ignore[attr-defined]
            raise StopValidation(str(MISSING_FIELD))


class TermsField(_FromRecordField, StringField):
    """Comma-separated terms (a framework's taxonomy)."""

    def as_text(self, value: Any) -> str:
        return ", ".join(value)


class StagesField(_FromRecordField, TextAreaField):
    """A track's stages, one a line: ``Name: description``."""

    def as_text(self, value: Any) -> str:
        return "\n".join(f"{s.name}: {s.description}" if s.description else s.name for s in value)


class FrenchStagesField(_FromRecordField, TextAreaField):
    """The same stages in French, one a line in the same order (read from ``stages``)."""

    def as_text(self, value: Any) -> str:
        lines = [
            f"{s.name_fr}: {s.description_fr}" if s.description_fr else (s.name_fr or "")
            for s in value
        ]
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)


class FrameworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("Letters, digits, dots and dashes; the same for every version."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional()])
    source_document = StringField(_l("Source document"), validators=[Optional(), Length(max=300)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    scale_id = SelectField(_l("Proficiency scale"), coerce=int)
    taxonomy = TermsField(
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
    short_name_fr = StringField(
        _l("Short name in French"), validators=[Optional(), Length(max=200)]
    )
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional()])
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

    def indicators_fr(self) -> dict[int, str]:
        return {lid: self[f"{name}_fr"].data or "" for lid, name in self.level_fields}

    def fill(self, competency: Any, related_codes: list[str]) -> None:
        """Show a competency's cross-references and indicators (not attributes of it)."""
        self.rule.data = competency.rule.value
        self.related.data = ", ".join(related_codes)
        for level_id, name in self.level_fields:
            found = next((i for i in competency.indicators if i.level_id == level_id), None)
            self[name].data = found.text if found else ""
            self[f"{name}_fr"].data = (found.text_fr or "") if found else ""

    def values(self) -> dict[str, Any]:
        """What ``services.save_competency`` takes, as typed."""
        return {
            "code": self.code.data,
            "short_name": self.short_name.data,
            "description": self.description.data,
            "french": {
                "short_name_fr": self.short_name_fr.data,
                "description_fr": self.description_fr.data,
            },
            "indicators": self.indicators(),
            "indicators_fr": self.indicators_fr(),
            "parent_id": self.parent_id.data or None,
            "related": split_list(self.related.data),
            "rule": RollupRule(self.rule.data),
            "rule_threshold": self.rule_threshold.data,
            "rule_points": self.rule_points.data or 0,
            "rule_required": self.rule_required.data,
        }


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
                _l("Indicator at level %(level)s", level=localised(level, "name")),
                validators=[Optional()],
                render_kw={"rows": 2},
            ),
        )
        setattr(
            ScaledCompetencyForm,
            f"{name}_fr",
            TextAreaField(
                _l("Indicator at level %(level)s in French", level=localised(level, "name")),
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
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=160)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional()])
    levels = TextAreaField(
        _l("Levels"),
        validators=[DataRequired()],
        render_kw={"rows": 5},
        description=_l("One level a line, lowest first: Name | descriptor."),
    )
    levels_fr = TextAreaField(
        _l("Levels in French"),
        validators=[Optional()],
        render_kw={"rows": 5},
        description=_l("The same levels in French, in the same order: Nom | descripteur."),
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
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=160)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional()])
    target_audience = TextAreaField(_l("Target audience"), validators=[Optional()])
    expected_duration_weeks = IntegerField(
        _l("Expected duration (weeks)"), validators=[Optional(), NumberRange(min=1, max=520)]
    )
    entry_requirements = TextAreaField(_l("Entry requirements"), validators=[Optional()])
    target_audience_fr = TextAreaField(_l("Target audience in French"), validators=[Optional()])
    entry_requirements_fr = TextAreaField(
        _l("Entry requirements in French"), validators=[Optional()]
    )
    prerequisite_track_id = SelectField(
        _l("Track to complete first"), coerce=_optional_int, validators=[Optional()]
    )
    stages = StagesField(
        _l("Stages"),
        validators=[Optional()],
        render_kw={"rows": 4},
        description=_l("One stage a line, in order: Name: description."),
    )
    stages_fr = FrenchStagesField(
        _l("Stages in French"),
        validators=[Optional()],
        render_kw={"rows": 4},
        description=_l("The same stages in French, one a line in the same order."),
    )
    is_active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, Any]:
        """What ``tracks.save_track`` takes, as typed (no framework when editing)."""
        values = {
            "code": self.code.data,
            "name": self.name.data,
            "description": self.description.data,
            "target_audience": self.target_audience.data,
            "expected_duration_weeks": self.expected_duration_weeks.data,
            "entry_requirements": self.entry_requirements.data,
            "prerequisite_id": self.prerequisite_track_id.data or None,
            "stages": self.stages.data,
            "stages_fr": self.stages_fr.data,
            "is_active": self.is_active.data,
            "french": {
                "name_fr": self.name_fr.data,
                "description_fr": self.description_fr.data,
                "target_audience_fr": self.target_audience_fr.data,
                "entry_requirements_fr": self.entry_requirements_fr.data,
            },
        }
        if "framework_id" in self:
            values["framework_id"] = self.framework_id.data
        return values


class TargetsForm(FlaskForm):
    submit = SubmitField(_l("Save targets"))


class MoveTrackForm(FlaskForm):
    framework_id = SelectField(_l("New framework version"), coerce=int)
    submit = SubmitField(_l("Move the track and carry its targets over"))
