"""The subscription form; the rules on the address and the events are the service's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import MultiCheckboxField
from lms.core.forms import FlaskForm
from lms.webhooks.models import WebhookEvent
from lms.webhooks.services import URL_MAX


class SubscriptionForm(FlaskForm):
    url = StringField(
        _l("Address (URL)"),
        validators=[DataRequired(), Length(max=URL_MAX)],
        description=_l("Each event is posted to it as JSON, signed with the secret."),
    )
    description = StringField(
        _l("Description"),
        validators=[Length(max=200)],
        description=_l("Who receives it, e.g. the HR system of a member administration."),
    )
    events = MultiCheckboxField(
        _l("Events"),
        choices=WebhookEvent.choices(),
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )
    submit = SubmitField(_l("Save"))
