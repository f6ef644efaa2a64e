"""The admin's own forms (the accounts forms live with accounts)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.core.forms import FlaskForm

_IMAGE_HELP = _l("PNG or JPEG, at most 2 MB. Leave empty to keep the current one.")


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Organisation name"),
        validators=[Length(max=200)],
        description=_l("Printed at the top of every certificate."),
    )
    logo = FileField(_l("Logo"), description=_IMAGE_HELP)
    remove_logo = BooleanField(_l("Remove the current logo"))
    signatory_name = StringField(_l("Signatory's name"), validators=[Length(max=200)])
    signatory_title = StringField(_l("Signatory's title"), validators=[Length(max=200)])
    signature = FileField(_l("Signature image"), description=_IMAGE_HELP)
    remove_signature = BooleanField(_l("Remove the current signature"))
    submit = SubmitField(_l("Save"))


class UsersImportForm(FlaskForm):
    """A CSV of users to create at once (columns in ``lms.accounts.imports``)."""

    file = FileField(
        _l("Users file (CSV)"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
        description=_l(
            "UTF-8 CSV with a header row: email, full_name, roles, and optionally "
            "member_administration, language, sex. At most 1,000 rows and 1 MB."
        ),
    )
    send_invitation = BooleanField(
        _l("Email each new user an invitation to choose a password"), default=True
    )
    submit = SubmitField(_l("Import users"))


class ResetTwoFactorForm(FlaskForm):
    """Clearing a user's second factor: the reason goes into the audit log."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=300)],
        description=_l(
            "Why, and how you checked who asked (for example: lost phone, confirmed by a call "
            "to the number on file). Kept in the audit log."
        ),
    )
    submit = SubmitField(_l("Reset second factor"))
