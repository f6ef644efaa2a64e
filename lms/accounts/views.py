"""Authentication pages: login, logout, password change, invitation and reset links."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from lms.accounts import profile, services, signin, two_factor
from lms.accounts.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SetPasswordForm,
    TwoFactorCurrentForm,
)
from lms.accounts.sessions import end_all_sessions, end_current_session
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.i18n import LANGUAGE_KEY, chosen_language
from lms.core.permissions import login_required
from lms.core.ratelimit import rate_limited
from lms.core.redirects import redirect_target

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("login", methods=("POST",))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        next_url = redirect_target(request.args.get("next"), url_for("main.index"))
        chosen = chosen_language()  # picked on the login page; the new session starts empty
        outcome = commit_or_report(
            lambda: signin.sign_in_with_password(
                form.email.data, form.password.data, next_url, chosen
            ),
            commit_refused=(services.InvalidCredentials,),  # the failed attempt must count
            redirect_to=lambda target: target,
        )
        if outcome.response:
            return outcome.response
        if isinstance(outcome.error, services.LoginThrottled):
            return render_template("auth/login.html", form=form), 429
    return render_template("auth/login.html", form=form)


@bp.route("/language", methods=["POST"])
def switch_language():
    """The language switch, for anonymous visitors (kept in their session) and users alike
    (saved on their profile too); back to the page it was used on."""
    form = LanguageForm()
    languages = current_app.config["LMS_LANGUAGES"]
    if not form.validate_on_submit() or form.language.data not in languages:
        abort(400)
    language = form.language.data
    session[LANGUAGE_KEY] = language
    if current_user.is_authenticated:
        profile.set_preferred_language(db.session, current_user, language, languages=languages)
        db.session.commit()
    return redirect(redirect_target(form.next.data, url_for("main.index")))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    form.preferred_language.choices = [
        choice
        for choice in form.preferred_language.choices
        if choice[0] in current_app.config["LMS_LANGUAGES"]
    ]
    if form.validate_on_submit():
        language = form.preferred_language.data

        def save() -> None:
            profile.set_preferred_language(
                db.session, current_user, language, languages=current_app.config["LMS_LANGUAGES"]
            )
            session[LANGUAGE_KEY] = language
            refresh()  # the confirmation in the language just chosen

        outcome = commit_or_report(
            save,
            form=form,
            success=lambda _result: _("Your profile has been saved."),
            redirect_to=url_for("auth.edit_profile"),
        )
        if outcome.response:
            return outcome.response
    return render_template(
        "auth/profile.html", form=form, second_factor=_second_factor(current_user)
    )


def _second_factor(user) -> dict:
    """The profile's "Two-factor sign-in" section: on or off, codes left, its forms."""
    return {
        "on": two_factor.is_enabled(db.session, user),
        "required": two_factor.is_required(user, current_app.config),
        "codes_left": two_factor.remaining_recovery_codes(db.session, user),
        "codes_form": TwoFactorCurrentForm(prefix="codes"),
        "off_form": TwoFactorCurrentForm(prefix="off"),
    }


@bp.route("/logout", methods=["POST"])
def logout():
    end_current_session("logout")
    db.session.commit()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: _change_password(form),
            form=form,
            success=_("Your password has been changed."),
            redirect_to=url_for("main.index"),
        )
        if outcome.response:
            return outcome.response
    return render_template("auth/change_password.html", form=form)


def _change_password(form: ChangePasswordForm) -> None:
    services.change_password(
        db.session, current_user, form.current_password.data, form.password.data
    )
    # Other browsers logged in as this user are signed out; this one stays.
    end_all_sessions(db.session, current_user, "password_changed", keep_current=True)


def _redeem(token: str, form: SetPasswordForm) -> None:
    user = services.redeem_token(db.session, token, form.password.data)
    end_all_sessions(db.session, user, "password_reset")


def _link_for(endpoint: str):
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    return lambda token: base + url_for(endpoint, token=token)


@bp.route("/reset", methods=["GET", "POST"])
@rate_limited("reset", methods=("POST",))
def request_reset():
    """The same answer, by the same path, whether the account exists or not: the link waits in
    the outbox for the scheduler; too many requests are refused (429) the same way too."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: services.request_password_reset(
                db.session,
                form.email.data,
                ip_address=request.remote_addr or "unknown",
                policy=services.ThrottlePolicy.for_resets(current_app.config),
                link_for=_link_for("auth.set_password"),
                lifetime=timedelta(hours=current_app.config["LMS_RESET_HOURS"]),
            ),
            success=_("If an account exists for that address, a reset link is on its way."),
            redirect_to=url_for("auth.login"),
        )
        if outcome.response:
            return outcome.response
        return render_template("auth/reset_request.html", form=form), outcome.error.status
    return render_template("auth/reset_request.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    record = services.find_valid_token(db.session, token)
    if record is None:
        return render_template("auth/token_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: _redeem(token, form),
            form=form,
            success=_("Your password is set. You can log in now."),
            redirect_to=url_for("auth.login"),
        )
        if outcome.response:
            return outcome.response
    return render_template(
        "auth/set_password.html", form=form, user=record.user, purpose=record.purpose.value
    )
