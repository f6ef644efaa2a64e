"""Open Badges pages and documents.

Public, without a login (verifiers and badge backpacks fetch them): the 2.0 Issuer, its
CryptographicKey and RevocationList, the BadgeClass of each track and its image, each
Assertion (JSON-LD, or a readable page for a browser), the baked PNG, the 3.0 credential
(JWT-VC), the issuer's 3.0 profile, its key as a JWK set and a PEM file, and the status
lists. Signed in: *My badges*."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from lms.badges import documents, images, keys, services
from lms.core import clock
from lms.core.base_url import public_url
from lms.core.extensions import db
from lms.core.permissions import login_required
from lms.frameworks.models import Track

bp = Blueprint("badges", __name__, url_prefix="/badges")

JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"


def _public(response: Response) -> Response:
    """Anyone may fetch a public document, from any origin (backpacks read them in the
    browser); answers are revalidated, since an assertion changes when it is revoked."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _json(document: dict, status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _public(Response(body, status=status, content_type=f"{JSON_LD}; charset=utf-8"))


def _download(response: Response, filename: str) -> Response:
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _award(uuid: str):
    award = services.award_by_uuid(db.session, uuid)
    if award is None:
        abort(404)
    return award


def _wants_html() -> bool:
    chosen = request.args.get("format")
    if chosen in ("html", "json"):
        return chosen == "html"
    best = request.accept_mimetypes.best_match([JSON_LD, "application/json", "text/html"])
    return best == "text/html"


def _filename(award) -> str:
    return f"badge-{award.track.code.lower()}-{award.uuid[:8]}"


@bp.route("/")
@login_required
def mine():
    awards = services.awards_of(db.session, current_user)
    return render_template(
        "badges/mine.html",
        awards=awards,
        today=clock.today(),
        issuer_url=public_url("badges.issuer"),
    )


@bp.route("/issuer")
def issuer():
    return _json(documents.issuer_v2())


@bp.route("/issuer/v3")
def issuer_v3():
    return _json(documents.issuer_v3())


@bp.route("/issuer/key")
def issuer_key():
    return _json(documents.cryptographic_key())


@bp.route("/issuer/key.pem")
def issuer_pem():
    response = Response(
        keys.public_pem(documents.signing_key()), content_type="application/x-pem-file"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="badge-issuer-key.pem"'
    return _public(response)


@bp.route("/issuer/jwks.json")
def jwks():
    body = json.dumps({"keys": [keys.public_jwk(documents.signing_key())]}, indent=2)
    return _public(Response(body, content_type="application/jwk-set+json"))


@bp.route("/issuer/revocations")
def revocations():
    return _json(documents.revocation_list(db.session))


@bp.route("/classes/<int:track_id>")
def badge_class(track_id: int):
    track = db.session.get(Track, track_id)
    if track is None:
        abort(404)
    return _json(documents.badge_class(track))


@bp.route("/classes/<int:track_id>/image.png")
def class_image(track_id: int):
    track = db.session.get(Track, track_id)
    if track is None:
        abort(404)
    response = Response(images.badge_png(track.code), content_type="image/png")
    return _public(response)


@bp.route("/assertions/<uuid>")
def assertion(uuid: str):
    award = _award(uuid)
    if _wants_html():
        response = Response(
            render_template(
                "badges/assertion.html",
                award=award,
                expired=services.is_expired(award, on=clock.today()),
                json_url=public_url("badges.assertion", uuid=award.uuid, format="json"),
            )
        )
        response.headers["Vary"] = "Accept"
        return _public(response)
    # OB 2.0 hosted verification: a revoked assertion answers 410 Gone, saying so.
    response = _json(documents.assertion(award), status=410 if award.revoked else 200)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/assertions/<uuid>/badge.png")
def baked(uuid: str):
    award = _award(uuid)
    response = Response(documents.baked_png(award), content_type="image/png")
    return _download(_public(response), _filename(award) + ".png")


@bp.route("/assertions/<uuid>/credential.jwt")
def credential(uuid: str):
    award = _award(uuid)
    response = Response(documents.credential_jwt(award), content_type=VC_JWT)
    return _download(_public(response), _filename(award) + ".jwt")


@bp.route("/status/<int:number>")
def status_list(number: int):
    if number >= services.status_list_count(db.session):
        abort(404)
    # Real time, not ``clock.now()`` (which a demonstration may pin): verifiers judge the
    # list's freshness by their own clocks.
    token = documents.status_list_jwt(db.session, number, now=datetime.now(UTC))
    return _public(Response(token, content_type=VC_JWT))
