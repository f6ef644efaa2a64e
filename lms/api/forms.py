"""The profile page's form for a new personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from lms.api.models import TokenScope
from lms.api.tokens import MAX_TOKEN_DAYS
from lms.core.forms import FlaskForm


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What will use it, e.g. “HR system sync”."),
    )
    scope = SelectField(_l("Access"), choices=TokenScope.choices(), default=TokenScope.READ.value)
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_TOKEN_DAYS)],
    )
    submit = SubmitField(_l("Make token"))
