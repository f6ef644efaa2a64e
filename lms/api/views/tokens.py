"""``POST /tokens``: email and password (HTTP Basic) in, a personal token out."""

from __future__ import annotations

from flask import abort, current_app, request

from lms.accounts import services as accounts
from lms.accounts import two_factor
from lms.api import tokens
from lms.api.boundary import basic_auth, committed
from lms.api.schemas import TokenIn, TokenOut
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.i18n import _
from lms.core.ratelimit import rate_limited

OTP_HEADER = "X-LMS-OTP"


@basic_auth.verify_password
def _verify_password(email: str, password: str):
    """The login form's check, throttle included; a failed attempt is committed so it counts.
    Credentials no login form could send (NUL characters, over the form's lengths) are refused
    before they reach the database, as the form's bounds refuse them. An account with a
    second factor also sends a current code (or a recovery code) in ``X-LMS-OTP``, checked
    as the login's second step; one whose role requires a second factor not yet set up is
    refused (it sets one up on the pages first), so Basic is never a way around it."""
    email, password = email or "", password or ""
    if "\x00" in email + password or len(email) > 254 or len(password) > 1000:
        return None
    policy = accounts.ThrottlePolicy.from_config(current_app.config)
    ip_address = request.remote_addr or ""
    try:
        user = accounts.authenticate(
            db.session, email, password, ip_address=ip_address, policy=policy
        )
    except accounts.InvalidCredentials:
        db.session.commit()
        return None
    except accounts.SecondFactorRequired as pending:
        user = _second_step(pending.user, ip_address, policy)
    db.session.commit()
    if two_factor.enrolment_due(db.session, user, current_app.config):
        abort(
            403,
            description=_(
                "Your role requires two-factor sign-in: set it up on your "
                "profile page before making a token."
            ),
        )
    return user


def _second_step(user, ip_address: str, policy):
    code = request.headers.get(OTP_HEADER, "")
    if not code or len(code) > 20 or "\x00" in code:
        db.session.commit()
        abort(
            401,
            description=_(
                "This account uses two-factor sign-in: send a current code "
                "from its app in the %(header)s header.",
                header=OTP_HEADER,
            ),
        )
    checks = two_factor.Checks(ip_address, policy, current_app.config["SECRET_KEY"])
    try:
        return two_factor.verify_second_step(db.session, user, code, checks)
    except two_factor.InvalidSecondFactor:
        db.session.commit()  # a wrong code counts as a failed login
        abort(
            401,
            description=_(
                "The code in the %(header)s header is not valid (or was already used).",
                header=OTP_HEADER,
            ),
        )


@bp.post("/tokens")
@rate_limited("login")  # a password check, like the login form; before it
@bp.auth_required(basic_auth)
@bp.input(TokenIn, location="json", arg_name="body")
@bp.output(TokenOut, status_code=201)
@bp.doc(
    summary="Make a personal token",
    description="HTTP Basic with the email and password. An account with two-factor sign-in "
    "also sends a current code from its app (or a recovery code) in the X-LMS-OTP header.",
    responses={
        401: "Wrong email or password, or a missing or wrong X-LMS-OTP code",
        403: "The account's role requires two-factor sign-in, not set up yet",
        429: "Throttled",
    },
)
def create_token(body: dict):
    user = basic_auth.current_user
    days = body.get("days") or current_app.config["LMS_API_TOKEN_DAYS"]
    record, secret = committed(
        lambda: tokens.create_token(
            db.session, user, name=body["name"], scope=body["scope"], days=days, now=clock.now()
        )
    )
    return {
        "token": secret,
        "expires_at": record.expires_at,
        "name": record.name,
        "scope": record.scope,
    }
