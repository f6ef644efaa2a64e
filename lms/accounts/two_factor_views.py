"""Two-factor sign-in pages: the code step of the login, setting up an authenticator app,
new recovery codes, turning it off; and the forced set-up when ``LMS_REQUIRE_2FA`` asks it."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services, signin, two_factor
from lms.accounts.forms import TwoFactorCodeForm, TwoFactorCurrentForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required

bp = Blueprint("two_factor", __name__, url_prefix="/auth/two-factor")

# What a user whose set-up is due may still reach.
_OPEN = {"two_factor.setup", "two_factor.qr", "auth.logout", "auth.switch_language", "favicon"}


@bp.before_app_request
def _enrolment_first():
    """Until the due set-up is done, every page but the set-up (and logout) sends there."""
    if not session.get(signin.ENROL_KEY) or request.blueprint == "api":
        return None
    endpoint = request.endpoint or ""
    if endpoint in _OPEN or endpoint == "static" or endpoint.endswith(".static"):
        return None
    if not current_user.is_authenticated:
        session.pop(signin.ENROL_KEY, None)
        return None
    return redirect(url_for("two_factor.setup"))


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    user, state = signin.pending_user()
    if user is None:
        flash(_("Your sign-in took too long or has ended. Log in again."), "warning")
        return redirect(url_for("auth.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: signin.finish_sign_in(
                two_factor.verify_second_step(db.session, user, form.code.data, signin.checks()),
                state["next"],
                state.get("language"),
            ),
            form=form,
            commit_refused=(two_factor.InvalidSecondFactor,),  # a wrong code counts
            redirect_to=lambda target: target,
        )
        if outcome.response:
            return outcome.response
        if isinstance(outcome.error, services.LoginThrottled):
            return render_template("auth/two_factor_verify.html", form=form), 429
    return render_template("auth/two_factor_verify.html", form=form)


def _show_codes(codes: list[str]):
    """The recovery codes, this once (the page is never cached: signed-in pages are no-store)."""
    return render_template("auth/two_factor_codes.html", codes=codes)


@bp.route("/setup", methods=["GET", "POST"])
@login_required
def setup():
    if two_factor.is_enabled(db.session, current_user):
        return redirect(url_for("auth.edit_profile"))
    secret_key = current_app.config["SECRET_KEY"]
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: two_factor.confirm_setup(
                db.session, current_user, form.code.data, secret_key=secret_key
            ),
            form=form,
            success=_("Two-factor sign-in is on. Keep your recovery codes somewhere safe."),
        )
        if outcome.ok:
            session.pop(signin.ENROL_KEY, None)
            return _show_codes(outcome.result)
    secret = two_factor.begin_setup(db.session, current_user, secret_key=secret_key)
    db.session.commit()
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=secret,
        due=two_factor.is_required(current_user, current_app.config),
    )


@bp.route("/setup/qr.svg")
@login_required
def qr():
    """The pending secret's otpauth:// address as a QR code (an image of this site)."""
    secret = two_factor.begin_setup(
        db.session, current_user, secret_key=current_app.config["SECRET_KEY"]
    )
    db.session.commit()
    svg = two_factor.qr_svg(two_factor.provisioning_uri(current_user, secret))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@bp.route("/recovery-codes", methods=["POST"])
@login_required
def recovery_codes():
    form = TwoFactorCurrentForm(prefix="codes")
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: two_factor.regenerate_recovery_codes(
                db.session, current_user, form.current.data, signin.checks()
            ),
            commit_refused=(two_factor.InvalidSecondFactor,),
            success=_("New recovery codes: the earlier ones no longer work."),
        )
        if outcome.ok:
            return _show_codes(outcome.result)
    else:
        flash(_("Give your password or a current code."), "danger")
    return redirect(url_for("auth.edit_profile"))


@bp.route("/disable", methods=["POST"])
@login_required
def disable():
    form = TwoFactorCurrentForm(prefix="off")
    if not form.validate_on_submit():
        flash(_("Give your password or a current code."), "danger")
        return redirect(url_for("auth.edit_profile"))
    outcome = commit_or_report(
        lambda: two_factor.disable(db.session, current_user, form.current.data, signin.checks()),
        commit_refused=(two_factor.InvalidSecondFactor,),
        success=_("Two-factor sign-in is off."),
    )
    if outcome.ok and two_factor.is_required(current_user, current_app.config):
        session[signin.ENROL_KEY] = True  # the role requires one: set up the new one now
        return redirect(url_for("two_factor.setup"))
    return redirect(url_for("auth.edit_profile"))
