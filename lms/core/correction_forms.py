"""The form of every correction page: correct or withdraw, and why (``lms.core.corrections``).
Features add the fields of the corrected value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.core.corrections import REASON_MAX, CorrectionAction
from lms.core.forms import FlaskForm


class CorrectionForm(FlaskForm):
    action = RadioField(
        _l("What to do"),
        choices=[
            (CorrectionAction.CORRECTED.value, _l("Correct it: replace it by the value below")),
            (CorrectionAction.WITHDRAWN.value, _l("Withdraw it: it no longer counts")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason (kept in the history)"),
        validators=[
            DataRequired(_l("Give the reason for the correction.")),
            Length(max=REASON_MAX),
        ],
    )
    submit = SubmitField(_l("Confirm the correction"))

    @property
    def withdrawing(self) -> bool:
        return self.action.data == CorrectionAction.WITHDRAWN.value
