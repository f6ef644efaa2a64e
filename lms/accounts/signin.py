"""The web side of signing in, shared by the login page and its second step: the half-signed-in
state between a right password and a right code (kept in the signed session cookie, for
``two_factor.PENDING_LIFETIME``), opening the session, and the forced set-up of a second
factor when ``LMS_REQUIRE_2FA`` asks one of this user."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _

from lms.accounts import profile, services, two_factor
from lms.accounts.models import User
from lms.accounts.sessions import start_session
from lms.core.extensions import db
from lms.core.i18n import LANGUAGE_KEY
from lms.core.model_base import utcnow

PENDING_KEY = "lms_2fa_pending"
ENROL_KEY = "lms_2fa_enrol"


def checks() -> two_factor.Checks:
    config = current_app.config
    return two_factor.Checks(
        ip_address=request.remote_addr or "unknown",
        policy=services.ThrottlePolicy.from_config(config),
        secret_key=config["SECRET_KEY"],
    )


def begin_second_step(user: User, next_url: str, language: str | None) -> str:
    """Remember who gave a right password, and when; the address of the code page."""
    session[PENDING_KEY] = {
        "user": user.id,
        "at": utcnow().timestamp(),
        "next": next_url,
        "language": language,
    }
    return url_for("two_factor.verify")


def pending_user() -> tuple[User | None, dict]:
    """The user of a half-finished sign-in still within its lifetime, else ``None`` (and the
    state is forgotten)."""
    state = session.get(PENDING_KEY) or {}
    started = datetime.fromtimestamp(float(state.get("at", 0)), utcnow().tzinfo)
    user = db.session.get(User, state["user"]) if state.get("user") else None
    if user is None or utcnow() - started > two_factor.PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None, {}
    return user, state


def finish_sign_in(user: User, next_url: str, language: str | None) -> str:
    """Open the session; where to go next (the set-up page when a second factor is due)."""
    start_session(user)
    if language:
        session[LANGUAGE_KEY] = language
        profile.set_preferred_language(
            db.session, user, language, languages=current_app.config["LMS_LANGUAGES"]
        )
    flash(_("Welcome, %(name)s.", name=user.full_name), "success")
    if two_factor.enrolment_due(db.session, user, current_app.config):
        session[ENROL_KEY] = True
        flash(_("Your role requires two-factor sign-in: set it up now to go on."), "warning")
        return url_for("two_factor.setup")
    return next_url


def sign_in_with_password(email: str, password: str, next_url: str, language: str | None) -> str:
    """The password step; the next address (the code page for a user with a second factor)."""
    try:
        user = services.authenticate(
            db.session,
            email,
            password,
            ip_address=request.remote_addr or "unknown",
            policy=services.ThrottlePolicy.from_config(current_app.config),
        )
    except services.SecondFactorRequired as pending:
        return begin_second_step(pending.user, next_url, language)
    return finish_sign_in(user, next_url, language)
