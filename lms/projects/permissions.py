"""Who may read and edit a project. The web pages, the reports and the coming API ask these
rules (registered for ``Project`` in ``feature.py``), so the answer is written once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.corrections import is_recorder_or_admin
from lms.projects.models import (
    IndicatorActual,
    Project,
    project_beneficiaries,
    project_focal_points,
    project_managers,
)


def is_project_manager(user: User, project: Project) -> bool:
    return user.has_role(Role.PROJECT_MANAGER) and any(m.id == user.id for m in project.managers)


def managed_projects_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL twin of ``is_project_manager``, for lists (the projects ``user`` manages)."""
    if not user.has_role(Role.PROJECT_MANAGER):
        return sa.false()
    return Project.id.in_(
        sa.select(project_managers.c.project_id).where(project_managers.c.user_id == user.id)
    )


def is_focal_point(user: User, project: Project) -> bool:
    """Named as a focal point of the project, or the focal point on file for a beneficiary."""
    if any(f.id == user.id for f in project.focal_points):
        return True
    email = (user.email or "").lower()
    return bool(email) and any(
        (m.focal_point_email or "").lower() == email for m in project.beneficiaries
    )


def can_view_project(user: User, project: Project) -> bool:
    if user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return True
    return is_focal_point(user, project)


def can_edit_project(user: User, project: Project) -> bool:
    return is_project_manager(user, project)


def visible_projects_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL twin of ``can_view_project``, for lists."""
    if user.is_admin or user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return sa.true()
    named = sa.select(project_focal_points.c.project_id).where(
        project_focal_points.c.user_id == user.id
    )
    by_email = (
        sa.select(project_beneficiaries.c.project_id)
        .join(
            MemberAdministration,
            MemberAdministration.id == project_beneficiaries.c.member_administration_id,
        )
        .where(sa.func.lower(MemberAdministration.focal_point_email) == user.email.lower())
    )
    return sa.or_(Project.id.in_(named), Project.id.in_(by_email))


def may_see_any_project(session: Session, user: User) -> bool:
    if user.is_admin or user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER):
        return True
    return bool(
        session.scalar(sa.select(sa.func.count(Project.id)).where(visible_projects_clause(user)))
    )


def can_create_project(user: User) -> bool:
    """Project managers open projects (and name themselves); admins may open one for them."""
    return user.has_role(Role.PROJECT_MANAGER, Role.ADMIN)


def can_set_beneficiaries(user: User) -> bool:
    """Beneficiaries widen a manager's remit (the records she reads, the requests she
    approves), so they are named by administrators and the directorate, never by a manager."""
    return user.has_role(Role.ADMIN, Role.DIRECTORATE)


def sees_whole_portfolio(user: User) -> bool:
    """Who reads every project, and so gets the beneficiary and manager filters."""
    return user.is_admin or user.has_role(Role.DIRECTORATE, Role.PROJECT_MANAGER)


def can_correct_actual(user: User, actual: IndicatorActual) -> bool:
    """A reported actual is corrected or withdrawn by whoever reported it, or an admin."""
    return is_recorder_or_admin(user, actual.reported_by_id)
