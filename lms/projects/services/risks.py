"""The risk register (closed, never deleted) and the manager's progress updates (kept as
written)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import record_change, snapshot
from lms.core.errors import ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.projects.models import ProgressUpdate, Project, Risk, RiskLevel, RiskStatus
from lms.projects.services.common import _named_period, _text

RISK_FIELDS = ("description", "likelihood", "impact", "mitigation", "owner", "status")


def save_risk(
    session: Session,
    project: Project,
    risk: Risk | None,
    *,
    actor: User | None,
    description: str,
    likelihood: RiskLevel | str,
    impact: RiskLevel | str,
    mitigation: str = "",
    owner: str = "",
    status: RiskStatus | str = RiskStatus.OPEN,
) -> Risk:
    """Create or update a risk. Risks are closed, not deleted."""
    description = _text(description, "description", _("Describe the risk."))
    try:
        likelihood, impact = RiskLevel(likelihood), RiskLevel(impact)
    except ValueError as exc:
        raise ValidationError(_("Choose low, medium or high."), field="likelihood") from exc
    try:
        status = RiskStatus(status)
    except ValueError as exc:
        raise ValidationError(_("Choose a status."), field="status") from exc
    before = snapshot(risk, RISK_FIELDS) if risk else None
    if risk is None:
        risk = Risk(project=project)
        session.add(risk)
    risk.description, risk.likelihood, risk.impact = description, likelihood, impact
    risk.mitigation, risk.owner, risk.status = (
        (mitigation or "").strip(),
        (owner or "").strip()[:160],
        status,
    )
    session.flush()
    record_change(
        session,
        actor=actor,
        action="risk.updated" if before else "risk.added",
        entity=risk,
        before=before,
        after=snapshot(risk, RISK_FIELDS),
        summary=f"{project.code}: {description[:200]}",
    )
    return risk


def add_progress_update(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    period: str,
    achievements: str,
    issues: str = "",
    next_steps: str = "",
) -> ProgressUpdate:
    update = ProgressUpdate(
        project=project,
        period=_named_period(period),
        achievements=_text(achievements, "achievements", _("Describe what was achieved.")),
        issues=(issues or "").strip(),
        next_steps=(next_steps or "").strip(),
        author_id=getattr(actor, "id", None),
        created_at=utcnow(),
    )
    session.add(update)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="progress_update.added",
        entity=update,
        after={"project": project.code, "period": update.period},
        summary=f"{project.code} {update.period}",
    )
    return update
