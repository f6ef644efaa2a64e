"""``POST /api/v1/xapi/statements``: completions reported by another e-learning platform.

Like an LRS's statements resource: one statement or a list, answered 200 with the list of
statement ids. Who may post: a read-write token of an administrator or of the directorate
(a platform is given such an account; trainers and trainees may not report completions for
others). Invalid statements refuse the request with a 400 problem whose ``errors`` give the
reasons per statement; nothing is stored then. The rules are lms.xapi.receive's."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from lms.accounts.models import Role
from lms.api.boundary import _problem, committed, require_write, token_auth
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.i18n import _
from lms.core.permissions import role_required
from lms.xapi.receive import check_statements, receive_statements
from lms.xapi.statements import VERSION


@bp.post("/xapi/statements")
@bp.auth_required(token_auth)
@role_required(Role.ADMIN, Role.DIRECTORATE)
@bp.doc(
    summary="Receive xAPI statements (completions from another platform; admin, directorate)",
    description=(
        "One xAPI 1.0.3 statement or a list. A `completed` or `passed` statement on a course's "
        "activity IRI (`activity_id`) by a learner known by `actor.mbox` records the course "
        "as passed (ratings and track progress follow). Other valid statements are stored and "
        "ignored; a statement id already received is ignored. Answers the statement ids."
    ),
    responses={
        200: "The statement ids, in the order sent",
        400: "Invalid statements: `errors` gives the reasons per statement",
        403: "A read-only token, or not an administrator or the directorate",
    },
)
def post_xapi_statements():
    require_write()
    document = request.get_json(silent=True)
    if document is None:
        return _problem(
            400,
            "Bad Request",
            _("Send the statements as JSON (Content-Type: application/json)."),
        )
    statements, errors = check_statements(document)
    if errors:
        return _problem(
            400,
            "Invalid statements",
            _("Some statements are not valid xAPI: see errors."),
            errors,
        )
    received = committed(
        lambda: receive_statements(
            db.session, statements, actor=current_user._get_current_object(), today=clock.today()
        )
    )
    response = jsonify([item.statement_id for item in received])
    response.headers["X-Experience-API-Version"] = VERSION
    return response
