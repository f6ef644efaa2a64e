"""Forms of the reports pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select

from lms.core.forms import FlaskForm
from lms.reports.models import NARRATIVE_MAX, EmptyPolicy, Recurrence, ReportFormat, ReportKind

PERIOD_CHOICES = [
    ("previous_week", _l("Previous week")),
    ("previous_month", _l("Previous month")),
    ("previous_quarter", _l("Previous quarter")),
    ("previous_year", _l("Previous year")),
    ("year_to_date", _l("Year to date")),
]


def _choices(enum_cls, members=None):
    return [(m.value, m.label) for m in (members or enum_cls)]


class SearchableSelect(Select):
    """A plain multi-select with a search box above it that filters its options. The box is
    ``hidden`` until ``static/js/option-filter.js`` runs, so without JavaScript the page is
    the plain multi-select it always was."""

    def __init__(self, search_label) -> None:
        super().__init__(multiple=True)
        self.search_label = search_label

    def __call__(self, field, **kwargs):
        kwargs.setdefault("size", 10)
        select = super().__call__(field, **kwargs)
        box = (
            '<div class="option-filter mb-2" data-option-filter="{id}" hidden>'
            '<input type="search" class="form-control form-control-sm" id="{id}-search" '
            'autocomplete="off" aria-label="{label}" aria-controls="{id}" '
            'aria-describedby="{id}-search-status" placeholder="{label}" '
            'data-testid="option-filter">'
            '<small class="form-text text-muted" id="{id}-search-status" role="status" '
            'aria-live="polite" data-status-template="{status}" data-empty-template="{empty}">'
            "</small></div>"
        ).format(
            id=escape(field.id),
            label=escape(str(self.search_label)),
            status=escape(str(_l("%(shown)s of %(total)s shown (selected ones stay in view)"))),
            empty=escape(str(_l("Nothing matches; clear the search to see every option."))),
        )
        return Markup(box) + select  # nosec B704  # every value in box is escaped above


class GenerateForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    user_id = HiddenField()
    project_id = HiddenField()
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    format = SelectField(_l("Format"), choices=_choices(ReportFormat))
    narrative = TextAreaField(
        _l("Overview (printed at the top of the directorate report)"),
        validators=[Optional(), Length(max=NARRATIVE_MAX)],
    )
    submit = SubmitField(_l("Generate"))


class CertificateBundleForm(FlaskForm):
    track_id = SelectField(_l("Track"), coerce=int, validators=[Optional()])
    session_id = SelectField(_l("Session"), coerce=int, validators=[Optional()])
    start = DateField(_l("Issued from"), validators=[Optional()])
    end = DateField(_l("Issued until"), validators=[Optional()])
    submit = SubmitField(_l("Download certificates (ZIP)"))


class ScheduleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(
        _l("Report"),
        choices=_choices(
            ReportKind, [ReportKind.DIRECTORATE, ReportKind.PROJECT, ReportKind.TRAINEE]
        ),
    )
    period = SelectField(
        _l("Period (directorate report)"), choices=PERIOD_CHOICES, default="previous_month"
    )
    narrative = TextAreaField(
        _l("Overview (directorate report)"), validators=[Optional(), Length(max=NARRATIVE_MAX)]
    )
    project_id = SelectField(_l("Project (project report)"), coerce=int, validators=[Optional()])
    trainee_id = SelectField(_l("Trainee (trainee report)"), coerce=int, validators=[Optional()])
    format = SelectField(
        _l("Format"),
        choices=_choices(ReportFormat, [ReportFormat.PDF, ReportFormat.CSV, ReportFormat.XLSX]),
    )
    recurrence = SelectField(
        _l("Recurrence"), choices=_choices(Recurrence), default=Recurrence.MONTHLY.value
    )
    next_run_at = DateTimeLocalField(
        _l("Next run (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    empty_policy = SelectField(_l("When the report would be empty"), choices=_choices(EmptyPolicy))
    recipient_ids = SelectMultipleField(
        _l("Recipients"),
        coerce=int,
        validators=[Optional()],
        widget=SearchableSelect(_l("Search recipients by name or email")),
    )
    member_roles = SelectMultipleField(
        _l("Everyone with a role in a member administration"),
        validators=[Optional()],
        widget=SearchableSelect(_l("Search administrations and roles")),
    )
    submit = SubmitField(_l("Save schedule"))
