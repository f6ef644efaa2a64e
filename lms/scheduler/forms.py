"""The schedule editor: an interval (number and unit) or a cron expression."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from lms.core.forms import FlaskForm
from lms.scheduler.models import TriggerKind

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


class ScheduleForm(FlaskForm):
    kind = RadioField(
        _l("Schedule"),
        choices=[
            (TriggerKind.INTERVAL.value, _l("Every …")),
            (TriggerKind.CRON.value, _l("Cron expression (UTC)")),
        ],
        default=TriggerKind.INTERVAL.value,
    )
    interval_value = IntegerField(
        _l("Every"),
        validators=[Optional(), NumberRange(min=1, message=_l("At least 1."))],
    )
    interval_unit = SelectField(
        _l("Unit"),
        choices=[
            ("seconds", _l("seconds")),
            ("minutes", _l("minutes")),
            ("hours", _l("hours")),
            ("days", _l("days")),
        ],
        default="minutes",
    )
    cron = StringField(
        _l("Cron expression"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "Five fields in UTC: minute hour day-of-month month day-of-week, "
            "for example 30 3 * * * (every day at 03:30) or 0 6 * * 1 (Mondays at 06:00)."
        ),
    )
    submit = SubmitField(_l("Save schedule"))

    def interval_seconds(self) -> int | None:
        if self.interval_value.data is None:
            return None
        return self.interval_value.data * UNITS.get(self.interval_unit.data, 60)

    def fill_from(self, job) -> None:
        self.kind.data = job.trigger_kind.value
        self.cron.data = job.cron or ""
        seconds = job.interval_seconds
        if seconds:
            for unit in ("days", "hours", "minutes", "seconds"):
                if seconds % UNITS[unit] == 0:
                    self.interval_value.data = seconds // UNITS[unit]
                    self.interval_unit.data = unit
                    break
