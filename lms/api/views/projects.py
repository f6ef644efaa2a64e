"""Assistance projects, their milestones and indicators (the portfolio's visibility rule)."""

from __future__ import annotations

import sqlalchemy as sa
from apiflask.schemas import FileSchema
from flask import Response, abort, current_app
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from lms.api.boundary import PageQuery, page_of, page_schema, token_auth
from lms.api.schemas import IndicatorOut, MilestoneOut, ProjectOut
from lms.api.views import bp
from lms.core import clock
from lms.core.extensions import db
from lms.core.permissions import require_view
from lms.projects import iati
from lms.projects import services as project_services
from lms.projects.models import Indicator, Milestone, Project
from lms.projects.permissions import visible_projects_clause

REFUSED = {403: "Not one of the caller's projects", 404: "No such project"}


@bp.get("/projects")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(ProjectOut))
@bp.doc(summary="The projects the caller may see (as on the portfolio page)")
def projects(query: dict):
    return page_of(
        sa.select(Project)
        .where(visible_projects_clause(current_user))
        .order_by(Project.code, Project.id)
    )


@bp.get("/projects/<int:project_id>")
@bp.auth_required(token_auth)
@bp.output(ProjectOut)
@bp.doc(summary="One project", responses=REFUSED)
def project(project_id: int):
    return require_view(db.session.get(Project, project_id))


@bp.get("/projects/<int:project_id>/milestones")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(MilestoneOut))
@bp.doc(summary="A project's milestones", responses=REFUSED)
def milestones(project_id: int, query: dict):
    project = require_view(db.session.get(Project, project_id))
    return page_of(
        sa.select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.due_date, Milestone.id)
    )


@bp.get("/projects/<int:project_id>/indicators")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(page_schema(IndicatorOut))
@bp.doc(summary="A project's indicators with targets and actuals", responses=REFUSED)
def indicators(project_id: int, query: dict):
    project = require_view(db.session.get(Project, project_id))
    return page_of(
        sa.select(Indicator)
        .options(selectinload(Indicator.targets), selectinload(Indicator.actuals))
        .where(Indicator.project_id == project.id)
        .order_by(Indicator.id)
    )


@bp.get("/projects/iati.xml")
@bp.auth_required(token_auth)
@bp.output(FileSchema(), content_type="application/xml")
@bp.doc(
    summary="The projects the caller may see as IATI 2.03 activities",
    responses={403: "The caller sees no project"},
)
def projects_iati():
    if not project_services.may_see_any_project(db.session, current_user):
        abort(403)
    body = iati.portfolio_xml(
        db.session,
        current_user,
        iati.IatiSettings.from_config(current_app.config),
        today=clock.today(),
        filters=project_services.PortfolioFilters.from_args(MultiDict()),
    )
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/projects/<int:project_id>/iati.xml")
@bp.auth_required(token_auth)
@bp.output(FileSchema(), content_type="application/xml")
@bp.doc(summary="One project as an IATI 2.03 activity", responses=REFUSED)
def project_iati(project_id: int):
    project = require_view(db.session.get(Project, project_id))
    body = iati.activities_xml(
        [project], iati.IatiSettings.from_config(current_app.config), today=clock.today()
    )
    return Response(body, content_type="application/xml; charset=utf-8")
