"""The email-preferences form: one checkbox per registered notification kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from lms.accounts.forms import MultiCheckboxField
from lms.core.forms import FlaskForm


class PreferencesForm(FlaskForm):
    email_kinds = MultiCheckboxField(
        _l("Also send me these by email"),
        description=_l(
            "Every notification appears under the bell; ticked kinds also come by email."
        ),
    )
    submit = SubmitField(_l("Save preferences"))
