"""Project pages: the portfolio dashboard, the project page and its editors.

One blueprint, ``bp``, declared here; the sub-modules (one per area of the project page)
attach their routes to it when imported below. Views are thin: parse the form, authorise
against the project (``common.project_for_view`` / ``common.project_for_edit``), call a service
through ``lms.core.errors.commit_or_report``, render.
"""

from __future__ import annotations

from flask import Blueprint

from lms.projects.models import Rag

bp = Blueprint("projects", __name__, url_prefix="/projects")

RAG_COLOURS = {Rag.GREEN: "success", Rag.AMBER: "warning", Rag.RED: "danger"}


@bp.app_template_filter("rag_colour")
def rag_colour(rating: Rag | None) -> str:
    return RAG_COLOURS.get(rating, "secondary") if rating else "secondary"


# The routes, attached to ``bp`` on import (each module imports ``bp`` from here).
from lms.projects.views import (  # noqa: E402
    budget,
    iati,
    indicators,
    logframe,
    milestones,
    portfolio,
    project,
    risks,
    training,
)

__all__ = [
    "RAG_COLOURS",
    "bp",
    "budget",
    "iati",
    "indicators",
    "logframe",
    "milestones",
    "portfolio",
    "project",
    "rag_colour",
    "risks",
    "training",
]
