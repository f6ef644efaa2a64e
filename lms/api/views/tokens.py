"""``POST /tokens``: email and password (HTTP Basic) in, a personal token out."""

from __future__ import annotations

from flask import current_app, request

from lms.accounts import services as accounts
from lms.api import tokens
from lms.api.boundary import basic_auth, committed
from lms.api.schemas import TokenIn, TokenOut
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.ratelimit import rate_limited


@basic_auth.verify_password
def _verify_password(email: str, password: str):
    """The login form's check, throttle included; a failed attempt is committed so it counts.
    Credentials no login form could send (NUL characters, over the form's lengths) are refused
    before they reach the database, as the form's bounds refuse them."""
    email, password = email or "", password or ""
    if "\x00" in email + password or len(email) > 254 or len(password) > 1000:
        return None
    try:
        user = accounts.authenticate(
            db.session,
            email,
            password,
            ip_address=request.remote_addr or "",
            policy=accounts.ThrottlePolicy.from_config(current_app.config),
        )
    except accounts.InvalidCredentials:
        db.session.commit()
        return None
    db.session.commit()
    return user


@bp.post("/tokens")
@rate_limited("login")  # a password check, like the login form; before it
@bp.auth_required(basic_auth)
@bp.input(TokenIn, location="json", arg_name="body")
@bp.output(TokenOut, status_code=201)
@bp.doc(
    summary="Make a personal token", responses={401: "Wrong email or password", 429: "Throttled"}
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
