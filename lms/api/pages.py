"""The signed-in user's own API tokens (linked from the profile page): make, list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.api import tokens
from lms.api.forms import TokenForm
from lms.api.models import ApiToken
from lms.core import clock
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.i18n import _
from lms.core.permissions import login_required

bp = Blueprint("api_tokens", __name__, url_prefix="/profile/api-tokens")


def _page(form: TokenForm, new_secret: str | None = None):
    return render_template(
        "api/tokens.html",
        form=form,
        confirm=ConfirmForm(),
        tokens=tokens.tokens_of(db.session, current_user),
        new_secret=new_secret,
        now=clock.now(),
    )


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if not form.is_submitted():
        form.days.data = current_app.config["LMS_API_TOKEN_DAYS"]
    if form.validate_on_submit():
        ok, made = commit_or_report(
            lambda: tokens.create_token(
                db.session,
                current_user,
                name=form.name.data,
                scope=form.scope.data,
                days=form.days.data,
                now=clock.now(),
            ),
            form=form,
            success=_("Token made. Copy it now: it will not be shown again."),
        )
        if ok:
            # Shown in this response only (never stored, never in a redirect or the session).
            return _page(TokenForm(formdata=None), new_secret=made[1])
    return _page(form)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: tokens.revoke_token(db.session, record, actor=current_user, now=clock.now()),
        success=_("Token %(name)s revoked: it no longer works.", name=record.name),
    )
    return redirect(url_for("api_tokens.index"))
