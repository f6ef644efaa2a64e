"""Member administrations and users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from lms.accounts.models import MemberAdministration, Role, User
from lms.accounts.queries import user_search_query
from lms.api.boundary import PageQuery, page_of, page_schema, token_auth
from lms.api.schemas import MemberOut, UserOut, UserQuery
from lms.api.views import bp
from lms.core.extensions import db
from lms.core.permissions import role_required
from lms.progress.permissions import can_view_trainee


@bp.get("/members")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(MemberOut))
@bp.doc(summary="Member administrations")
def members(query: dict):
    return page_of(sa.select(MemberAdministration).order_by(MemberAdministration.name))


@bp.get("/users/me")
@bp.auth_required(token_auth)
@bp.output(UserOut)
@bp.doc(summary="The token's user")
def me():
    return current_user


@bp.get("/users")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN, Role.DIRECTORATE)
@bp.input(UserQuery, location="query", arg_name="query")
@bp.output(page_schema(UserOut))
@bp.doc(summary="Users (administrators and directorate)", responses={403: "Other roles"})
def users(query: dict):
    stmt = user_search_query(
        query.get("q"), role=query.get("role"), member_id=query.get("member_administration_id")
    )
    return page_of(stmt)


def visible_user(user_id: int) -> User:
    """A user whose record the caller may read (the trainee-record rule of the pages)."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not can_view_trainee(db.session, current_user, user):
        abort(403)
    return user


@bp.get("/users/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output(UserOut)
@bp.doc(summary="One user", responses={403: "Outside the caller's remit", 404: "No such user"})
def user(user_id: int):
    return visible_user(user_id)
