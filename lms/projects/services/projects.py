"""Creating and editing a project: its identity, dates, currency and people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, PermissionDenied, ValidationError
from lms.projects.models import LogframeLevel, Project, ProjectStatus
from lms.projects.permissions import can_set_beneficiaries
from lms.projects.services.common import _, _text, refresh_summary
from lms.projects.services.logframe import add_logframe_element

PROJECT_FIELDS = (
    "code",
    "title",
    "summary",
    "status",
    "start_date",
    "end_date",
    "currency",
    "dac_sector",
)


def _dac_sector(value: str | None) -> str | None:
    """An OECD DAC purpose code is five digits (33120 trade facilitation); empty: ``None``,
    the IATI export's configured default."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) != 5 or not value.isdigit() or not value.isascii():
        raise ValidationError(
            _("Use a five-digit OECD DAC purpose code, e.g. 33120 (trade facilitation)."),
            field="dac_sector",
        )
    return value


def _users(session: Session, ids: Iterable[int]) -> list[User]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    users = session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    if len(users) != len(ids):
        raise ValidationError(_("A chosen person no longer exists."))
    return list(users)


def _project_values(
    session: Session,
    project: Project | None,
    *,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    currency: str,
    status: ProjectStatus | str,
    manager_ids: Iterable[int],
    focal_point_ids: Iterable[int],
    dac_sector: str | None = None,
) -> dict[str, Any]:
    code = _text(code, "code", _("Enter the project code."), max_length=30).upper()
    title = _text(title, "title", _("Enter the project title."), max_length=200)
    if start_date is None:
        raise ValidationError(_("Enter the start date."), field="start_date")
    if end_date is None:
        raise ValidationError(_("Enter the end date."), field="end_date")
    if end_date < start_date:
        raise ValidationError(_("The project cannot end before it starts."), field="end_date")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ValidationError(_("Use a three-letter ISO 4217 code, e.g. EUR."), field="currency")
    try:
        status = ProjectStatus(status)
    except ValueError as exc:
        raise ValidationError(_("Choose a status."), field="status") from exc
    clash = session.scalar(sa.select(Project.id).where(Project.code == code))
    if clash and (project is None or clash != project.id):
        raise ConflictError(
            _("Another project already uses the code %(code)s.", code=code), field="code"
        )
    managers = _users(session, manager_ids)
    if not managers:
        raise ValidationError(_("Choose at least one project manager."), field="manager_ids")
    for manager in managers:
        if not manager.has_role(Role.PROJECT_MANAGER):
            raise ValidationError(
                _(
                    "%(full_name)s does not have the project manager role.",
                    full_name=manager.full_name,
                ),
                field="manager_ids",
            )
    return {
        "code": code,
        "title": title,
        "start_date": start_date,
        "end_date": end_date,
        "currency": currency,
        "dac_sector": _dac_sector(dac_sector),
        "status": status,
        "managers": managers,
        "focal_points": _users(session, focal_point_ids),
    }


def _beneficiaries(
    session: Session, actor: User | None, beneficiary_ids: Iterable[int]
) -> list[MemberAdministration]:
    """The administrations ``actor`` names as beneficiaries. Beneficiaries decide whose records
    the project's managers read and whose requests they approve, so only an administrator or
    the directorate sets them (``actor`` ``None`` is the system: the CLI, the demo)."""
    if actor is not None and not can_set_beneficiaries(actor):
        raise PermissionDenied(
            _(
                "Only an administrator or the directorate may set a project's beneficiaries; "
                "nothing was saved."
            ),
            field="beneficiary_ids",
        )
    member_ids = sorted({int(i) for i in beneficiary_ids})
    members = []
    if member_ids:
        members = list(
            session.scalars(
                sa.select(MemberAdministration).where(MemberAdministration.id.in_(member_ids))
            ).all()
        )
    if not members or len(members) != len(member_ids):
        raise ValidationError(
            _("Choose at least one beneficiary member administration."), field="beneficiary_ids"
        )
    return members


def set_beneficiaries(
    session: Session, project: Project, *, actor: User | None, beneficiary_ids: Iterable[int]
) -> Project:
    """Name the project's beneficiary administrations (administrators and the directorate)."""
    with audited(
        session,
        project,
        _project_picture,
        actor=actor,
        action="project.beneficiaries_set",
        summary=lambda: project.code,
    ):
        project.beneficiaries = _beneficiaries(session, actor, beneficiary_ids)
    return project


def _people(project: Project) -> dict[str, Any]:
    return {
        "beneficiaries": sorted(m.country_code for m in project.beneficiaries),
        "managers": sorted(u.email for u in project.managers),
        "focal_points": sorted(u.email for u in project.focal_points),
    }


def _project_picture(project: Project) -> dict[str, Any]:
    """The audited picture of a project: its fields and its people."""
    return snapshot(project, PROJECT_FIELDS) | _people(project)


def create_project(
    session: Session,
    *,
    actor: User | None,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    manager_ids: Iterable[int],
    beneficiary_ids: Iterable[int] | None = None,
    summary: str = "",
    currency: str = "EUR",
    status: ProjectStatus | str = ProjectStatus.PIPELINE,
    focal_point_ids: Iterable[int] = (),
    goal: str = "",
    dac_sector: str | None = None,
) -> Project:
    """Open a project; ``goal``, when written, becomes the top of its logframe in the same
    transaction, so a refused goal leaves no half-created project. A project manager opens it
    without beneficiaries (``beneficiary_ids`` ``None``): the directorate names them."""
    values = _project_values(
        session,
        None,
        code=code,
        title=title,
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        status=status,
        manager_ids=manager_ids,
        focal_point_ids=focal_point_ids,
        dac_sector=dac_sector,
    )
    if beneficiary_ids is not None:
        values["beneficiaries"] = _beneficiaries(session, actor, beneficiary_ids)
    project = Project(summary=(summary or "").strip(), **values)
    session.add(project)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.created",
        entity=project,
        after=_project_picture(project),
        summary=f"{project.code} {project.title}",
    )
    if (goal or "").strip():
        add_logframe_element(
            session, project, actor=actor, level=LogframeLevel.GOAL, statement=goal
        )
    refresh_summary(session, project)
    return project


def update_project(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    code: str,
    title: str,
    start_date: date | None,
    end_date: date | None,
    manager_ids: Iterable[int],
    beneficiary_ids: Iterable[int] | None = None,
    summary: str = "",
    currency: str = "EUR",
    status: ProjectStatus | str = ProjectStatus.PIPELINE,
    focal_point_ids: Iterable[int] = (),
    dac_sector: str | None = None,
) -> Project:
    """Save the project's fields and people; ``beneficiary_ids`` ``None`` keeps its
    beneficiaries (a project manager's form has no such field)."""
    with audited(
        session,
        project,
        _project_picture,
        actor=actor,
        action="project.updated",
        summary=lambda: project.code,
    ):
        values = _project_values(
            session,
            project,
            code=code,
            title=title,
            start_date=start_date,
            end_date=end_date,
            currency=currency,
            status=status,
            manager_ids=manager_ids,
            focal_point_ids=focal_point_ids,
            dac_sector=dac_sector,
        )
        if beneficiary_ids is not None:
            values["beneficiaries"] = _beneficiaries(session, actor, beneficiary_ids)
        if values["currency"] != project.currency and any(
            line.planned or line.spent for line in project.budget_lines
        ):
            raise ConflictError(
                _(
                    "The budget is recorded in %(currency)s; one project keeps one currency once "
                    "amounts are entered.",
                    currency=project.currency,
                ),
                field="currency",
            )
        for name, value in values.items():
            setattr(project, name, value)
        project.summary = (summary or "").strip()
    refresh_summary(session, project)
    return project
