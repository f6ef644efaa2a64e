"""Forms for logging in, passwords, and the admin editors of users and member administrations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from lms.accounts.models import REGION_LABELS, ROLE_LABELS, Region, Role, Sex
from lms.accounts.passwords import MIN_LENGTH
from lms.core.forms import FlaskForm

LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français")]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    """The language switch (navbar, login page): one button per language, no JavaScript."""

    language = StringField(validators=[DataRequired(), Length(max=5)])
    next = HiddenField()


class ProfileForm(FlaskForm):
    preferred_language = SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        description=_l("The language of your pages, emails, notifications and documents."),
    )
    submit = SubmitField(_l("Save"))


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a reset link"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=1000)],
        description=_l("At least %(n)s characters; not a common password.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=160)])
    member_administration_id = SelectField(
        _l("Member administration"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    preferred_language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    sex = SelectField(
        _l("Sex"),
        choices=[("", _l("Not recorded")), *Sex.choices()],
        validators=[Optional()],
        description=_l("Optional; used only for results by sex in the directorate report."),
    )
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[(r.value, ROLE_LABELS[r]) for r in Role],
        validators=[DataRequired(message=_l("Give the user at least one role."))],
    )
    send_invitation = BooleanField(_l("Email an invitation to choose a password"), default=True)
    submit = SubmitField(_l("Save"))


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    country_code = StringField(
        _l("ISO 3166 country code"),
        validators=[DataRequired(), Length(min=2, max=2)],
        description=_l("Two letters, for example KE for Kenya."),
    )
    region = SelectField(_l("Region"), choices=[(r.value, REGION_LABELS[r]) for r in Region])
    focal_point_name = StringField(_l("Focal point"), validators=[Optional(), Length(max=160)])
    focal_point_email = EmailField(
        _l("Focal point email"), validators=[Optional(), Length(max=254)]
    )
    is_active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """An empty form whose only job is to carry the CSRF token of a confirmed action."""

    submit = SubmitField(_l("Confirm"))


class TwoFactorCodeForm(FlaskForm):
    """A code from the authenticator app (six digits) or, at sign-in, a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Confirm"))


class TwoFactorCurrentForm(FlaskForm):
    """Turning the second factor off, or new recovery codes: the password or a current code."""

    current = PasswordField(
        _l("Your password, or a current code from your app"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Confirm"))
