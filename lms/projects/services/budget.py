"""A project's partner organisations and its yearly budget lines: the editors, and the read
model (``budget_summary``, ``partners_by_role``) that the project page and the project report
both show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.projects.models import BudgetLine, PartnerRole, Project, ProjectPartner
from lms.projects.services.common import _decimal, _text


def add_partner(
    session: Session, project: Project, *, actor: User | None, name: str, role: PartnerRole | str
) -> ProjectPartner:
    name = _text(name, "name", _("Enter the organisation's name."), max_length=200)
    try:
        role = PartnerRole(role)
    except ValueError as exc:
        raise ValidationError(_("Choose the partner's role."), field="role") from exc
    if any(p.name.lower() == name.lower() and p.role is role for p in project.partners):
        raise ConflictError(
            _("%(name)s is already a %(value)s partner.", name=name, value=role.value), field="name"
        )
    partner = ProjectPartner(name=name, role=role)
    project.partners.append(partner)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.partner_added",
        entity=project,
        after={"partner": name, "role": role.value},
        summary=project.code,
    )
    return partner


def remove_partner(
    session: Session, project: Project, partner: ProjectPartner, *, actor: User | None
) -> None:
    record_change(
        session,
        actor=actor,
        action="project.partner_removed",
        entity=project,
        before={"partner": partner.name, "role": partner.role.value},
        summary=project.code,
    )
    project.partners.remove(partner)
    session.flush()


def set_budget_line(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    year: int | None,
    planned: Any,
    spent: Any,
) -> BudgetLine:
    """One line per year: entering a year again updates it (the audit log keeps the old
    figures)."""
    if year is None or not project.start_date.year <= int(year) <= project.end_date.year:
        raise ValidationError(
            _(
                "Choose a year of the project (%(year)s–%(year2)s).",
                year=project.start_date.year,
                year2=project.end_date.year,
            ),
            field="year",
        )
    planned = _decimal(planned, "planned", minimum=Decimal("0"))
    spent = _decimal(spent, "spent", minimum=Decimal("0"))
    line = next((b for b in project.budget_lines if b.year == int(year)), None)
    before = None
    if line is None:
        line = BudgetLine(year=int(year), planned=planned, spent=spent)
        project.budget_lines.append(line)
    else:
        before = {"year": line.year, "planned": str(line.planned), "spent": str(line.spent)}
        line.planned, line.spent = planned, spent
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.budget_set",
        entity=project,
        before=before,
        after={"year": line.year, "planned": str(planned), "spent": str(spent)},
        summary=f"{project.code} {line.year}",
    )
    return line


# Read model ---------------------------------------------------------------------------------

# The order partners are listed in: who pays first, then who delivers, receives and answers.
PARTNER_ROLE_ORDER = (
    PartnerRole.FUNDING,
    PartnerRole.IMPLEMENTING,
    PartnerRole.BENEFICIARY,
    PartnerRole.ACCOUNTABLE,
)


def share_spent(planned: Decimal, spent: Decimal) -> int | None:
    """Reported spend as a whole percentage of the planned budget (half up); ``None`` when
    nothing is planned."""
    if not planned:
        return None
    return int((Decimal(spent) * 100 / Decimal(planned)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class BudgetRow:
    year: int
    planned: Decimal
    spent: Decimal

    @property
    def share_spent(self) -> int | None:
        return share_spent(self.planned, self.spent)


@dataclass(frozen=True)
class BudgetSummary:
    """The budget lines by year, planned against reported spend, with the totals."""

    currency: str
    rows: tuple[BudgetRow, ...]

    @property
    def planned(self) -> Decimal:
        return sum((row.planned for row in self.rows), Decimal(0))

    @property
    def spent(self) -> Decimal:
        return sum((row.spent for row in self.rows), Decimal(0))

    @property
    def share_spent(self) -> int | None:
        return share_spent(self.planned, self.spent)


def budget_summary(project: Project) -> BudgetSummary:
    lines = sorted(project.budget_lines, key=lambda line: line.year)
    return BudgetSummary(
        project.currency,
        tuple(BudgetRow(line.year, Decimal(line.planned), Decimal(line.spent)) for line in lines),
    )


def partners_by_role(project: Project) -> list[ProjectPartner]:
    """The partner organisations, funders first (then implementing, beneficiary and
    accountable partners), by name within a role."""
    rank = {role: index for index, role in enumerate(PARTNER_ROLE_ORDER)}
    return sorted(project.partners, key=lambda p: (rank.get(p.role, 99), p.name.lower(), p.id))


def funders(project: Project) -> list[ProjectPartner]:
    return [p for p in partners_by_role(project) if p.role is PartnerRole.FUNDING]
