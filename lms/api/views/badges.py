"""Open Badges awards: one's own, or those of the trainees in the caller's remit (the
certificates' rule), each with the addresses of its public documents."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from lms.accounts.models import Role
from lms.api.boundary import page_of, page_schema, token_auth
from lms.api.schemas import BadgeOut, BadgeQuery
from lms.api.views import bp
from lms.api.views.people import visible_user
from lms.badges import services as badges
from lms.badges.models import BadgeAward
from lms.core.base_url import public_url
from lms.core.extensions import db

REFUSED = {403: "Outside the caller's remit", 404: "No such award"}


def _out(award: BadgeAward) -> dict:
    return {
        "id": award.id,
        "uuid": award.uuid,
        "user_id": award.user_id,
        "track_id": award.track_id,
        "certificate_id": award.certificate_id,
        "name": award.track.name,
        "issued_on": award.issued_on,
        "expires_on": award.expires_on,
        "revoked": award.revoked,
        "revocation_reason": award.revocation_reason or None,
        "recipient_email": award.user.email,
        "assertion_url": public_url("badges.assertion", uuid=award.uuid),
        "badge_class_url": public_url("badges.badge_class", track_id=award.track_id),
        "baked_url": public_url("badges.baked", uuid=award.uuid),
        "credential_url": public_url("badges.credential", uuid=award.uuid),
        "issuer_key_url": public_url("badges.issuer_pem"),
        "issuer_jwks_url": public_url("badges.jwks"),
    }


@bp.get("/badges")
@bp.auth_required(token_auth)
@bp.input(BadgeQuery, location="query", arg_name="query")
@bp.output(page_schema(BadgeOut))
@bp.doc(
    summary="Badge awards: one's own, or those of the trainees in the caller's remit",
    responses={403: "Outside the caller's remit"},
)
def badge_awards(query: dict):
    stmt = badges.awards_query()
    if query.get("user_id"):
        visible_user(query["user_id"])
        stmt = stmt.where(BadgeAward.user_id == query["user_id"])
    elif not current_user.has_role(Role.ADMIN, Role.DIRECTORATE):
        stmt = stmt.where(BadgeAward.user_id == current_user.id)
    if query.get("track_id"):
        stmt = stmt.where(BadgeAward.track_id == query["track_id"])
    page = page_of(stmt)
    page["items"] = [_out(award) for award in page["items"]]
    return page


@bp.get("/badges/<int:award_id>")
@bp.auth_required(token_auth)
@bp.output(BadgeOut)
@bp.doc(summary="One badge award (its holder's, or in the caller's remit)", responses=REFUSED)
def badge_award(award_id: int):
    award = db.session.scalar(sa.select(BadgeAward).where(BadgeAward.id == award_id))
    if award is None:
        abort(404)
    visible_user(award.user_id)
    return _out(award)
