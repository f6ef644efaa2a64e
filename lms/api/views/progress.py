"""A trainee's competencies, track progress and certificates: the read models of her record
page (``latest_ratings``, ``track_progress``, ``certificate_status``), never a second copy."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role
from lms.api.boundary import page_of, page_schema, token_auth
from lms.api.schemas import CertificateOut, CertificateQuery, CompetencyLevelsOut, ProgressOut
from lms.api.views import bp
from lms.api.views.people import visible_user
from lms.core import clock
from lms.core.extensions import db
from lms.core.permissions import require_view
from lms.frameworks.models import Competency, Track
from lms.progress import services as progress
from lms.progress.models import Certificate, CompetencyRating

REFUSED = {403: "Outside the caller's remit", 404: "No such record"}


@bp.get("/users/<int:user_id>/competencies")
@bp.auth_required(token_auth)
@bp.output(CompetencyLevelsOut)
@bp.doc(summary="Current level and rating history per competency", responses=REFUSED)
def user_competencies(user_id: int):
    user = visible_user(user_id)
    current = progress.latest_ratings(db.session, user.id)
    history: dict[int, list[CompetencyRating]] = defaultdict(list)
    for rating in db.session.scalars(
        sa.select(CompetencyRating)
        .options(joinedload(CompetencyRating.level))
        .where(CompetencyRating.user_id == user.id)
        .order_by(CompetencyRating.rated_at.desc(), CompetencyRating.id.desc())
    ):
        history[rating.competency_id].append(rating)
    competencies = db.session.scalars(
        sa.select(Competency).where(Competency.id.in_(history)).order_by(Competency.code)
    )
    return {
        "user_id": user.id,
        "items": [
            {
                "competency_id": c.id,
                "code": c.code,
                "short_name": c.short_name,
                "current": current.get(c.id),
                "history": history[c.id],
            }
            for c in competencies
        ],
    }


@bp.get("/users/<int:user_id>/tracks/<int:track_id>/progress")
@bp.auth_required(token_auth)
@bp.output(ProgressOut)
@bp.doc(summary="A trainee's progress on a track (the record page's figures)", responses=REFUSED)
def track_progress(user_id: int, track_id: int):
    user = visible_user(user_id)
    track = require_view(db.session.get(Track, track_id))
    return {"user_id": user.id, "progress": progress.track_progress(db.session, user, track)}


@bp.get("/certificates")
@bp.auth_required(token_auth)
@bp.input(CertificateQuery, location="query", arg_name="query")
@bp.output(page_schema(CertificateOut))
@bp.doc(summary="Certificates: one's own, or those of the trainees in the caller's remit")
def certificates(query: dict):
    stmt = sa.select(Certificate).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    if query.get("user_id"):
        visible_user(query["user_id"])
        stmt = stmt.where(Certificate.user_id == query["user_id"])
    elif not current_user.has_role(Role.ADMIN, Role.DIRECTORATE):
        stmt = stmt.where(Certificate.user_id == current_user.id)
    if query.get("track_id"):
        stmt = stmt.where(Certificate.track_id == query["track_id"])
    page = page_of(stmt)
    today = clock.today()
    page["items"] = [
        {
            "id": c.id,
            "user_id": c.user_id,
            "track_id": c.track_id,
            "verification_code": c.verification_code,
            "issued_on": c.issued_on,
            "expires_on": c.expires_on,
            "status": progress.certificate_status(c, on=today).value,
        }
        for c in page["items"]
    ]
    return page
