"""The red / amber / green rating: computed from late milestones, indicator trajectories and
delivery against time, every finding kept as a reason; and the manager's override."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import has_app_context
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.model_base import utcnow
from lms.projects.models import MilestoneStatus, Project, ProjectStatus, Rag, RagOverride
from lms.projects.services.common import _, _number, _pct
from lms.projects.services.indicators import latest_actual, planned_value
from lms.projects.services.milestones import late_milestones

# RAG thresholds. Documented in the README ("Assistance projects"); tests pin each one.
LATE_DAYS_RED = 90  # one milestone this many days late makes the project red
LATE_COUNT_RED = 2  # this many late milestones make the project red
TRAJECTORY_AMBER = Decimal("0.8")  # an indicator below 80 % of its planned progress
TRAJECTORY_RED = Decimal("0.5")  # ... below 50 %
REPORTING_GRACE_DAYS = 90  # a target period ended longer ago than this needs an actual
DELIVERY_GAP_AMBER = 0.25  # time elapsed ahead of milestones done by 25 points
DELIVERY_GAP_RED = 0.50


@dataclass(frozen=True)
class RagReason:
    """One finding behind a rating; ``rating`` is ``None`` for a purely informative note."""

    code: str
    rating: Rag | None
    message: str


@dataclass
class RagAssessment:
    computed: Rag | None
    reasons: list[RagReason] = field(default_factory=list)
    override: RagOverride | None = None

    @property
    def rating(self) -> Rag | None:
        return self.override.rating if self.override else self.computed

    @property
    def codes(self) -> set[str]:
        return {r.code for r in self.reasons}


def time_elapsed(project: Project, today: date) -> float:
    span = (project.end_date - project.start_date).days
    if span <= 0:
        return 1.0 if today >= project.end_date else 0.0
    return min(max((today - project.start_date).days / span, 0.0), 1.0)


def milestones_done_share(project: Project) -> float | None:
    counted = [m for m in project.milestones if m.status is not MilestoneStatus.CANCELLED]
    if not counted:
        return None
    return sum(m.status is MilestoneStatus.DONE for m in counted) / len(counted)


def _indicator_reasons(project: Project, today: date) -> list[RagReason]:
    reasons = []
    for indicator in project.indicators:
        if not indicator.targets:
            continue
        latest = latest_actual(indicator)
        overdue = [
            t for t in indicator.targets if (today - t.period_end).days > REPORTING_GRACE_DAYS
        ]
        if overdue:
            last_due = max(overdue, key=lambda t: t.period_end)
            if latest is None or latest.period_end < last_due.period_end:
                reasons.append(
                    RagReason(
                        "indicator_not_reported",
                        Rag.AMBER,
                        _(
                            "No actual reported for “%(name)s” for %(period)s.",
                            name=indicator.name,
                            period=last_due.period,
                        ),
                    )
                )
        if latest is None:
            continue
        baseline = Decimal(indicator.baseline_value)
        planned = planned_value(indicator, latest.period_end)
        if planned == baseline:
            continue
        ratio = (Decimal(latest.value) - baseline) / (planned - baseline)
        if ratio < TRAJECTORY_AMBER:
            rating = Rag.RED if ratio < TRAJECTORY_RED else Rag.AMBER
            reasons.append(
                RagReason(
                    "indicator_behind",
                    rating,
                    _(
                        "“%(name)s” is at %(pct)s%% of its planned progress for %(period)s "
                        "(%(actual)s against %(planned)s %(unit)s planned).",
                        name=indicator.name,
                        pct=max(_pct(ratio), 0),
                        period=latest.period,
                        actual=_number(latest.value),
                        planned=_number(planned),
                        unit=indicator.unit,
                    ),
                )
            )
    return reasons


def compute_rag(project: Project, today: date) -> RagAssessment:
    """Red / amber / green from late milestones, indicator progress against the planned
    trajectory and elapsed time against milestones done; every finding is kept as a reason
    so the rating can be explained. The manager's override, if any, is shown in its place."""
    override = project.current_override
    if project.status in (ProjectStatus.PIPELINE, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        note = RagReason(
            "not_rated",
            None,
            _(
                "Not rated while the project is %(status)s.",
                status=(
                    project.status.label if has_app_context() else project.status.value
                ).lower(),
            ),
        )
        return RagAssessment(None, [note], override)
    reasons: list[RagReason] = []
    if project.status is ProjectStatus.SUSPENDED:
        reasons.append(RagReason("suspended", Rag.AMBER, _("The project is suspended.")))

    late = late_milestones(project, today)
    if late:
        worst = max(late, key=lambda m: (today - m.due_date).days)
        days = (today - worst.due_date).days
        rating = Rag.RED if len(late) >= LATE_COUNT_RED or days > LATE_DAYS_RED else Rag.AMBER
        reasons.append(
            RagReason(
                "milestones_late",
                rating,
                _(
                    "%(count)s milestone(s) late; the furthest behind is “%(title)s”, "
                    "%(days)s days past its due date.",
                    count=len(late),
                    title=worst.title,
                    days=days,
                ),
            )
        )

    reasons.extend(_indicator_reasons(project, today))

    if today > project.end_date:
        reasons.append(
            RagReason(
                "past_end_date",
                Rag.RED,
                _("The end date (%(date)s) has passed.", date=project.end_date.isoformat()),
            )
        )
    else:
        done = milestones_done_share(project)
        elapsed = time_elapsed(project, today)
        if done is not None and elapsed - done > DELIVERY_GAP_AMBER:
            rating = Rag.RED if elapsed - done > DELIVERY_GAP_RED else Rag.AMBER
            reasons.append(
                RagReason(
                    "delivery_behind_time",
                    rating,
                    _(
                        "%(elapsed)s%% of the time has elapsed but only %(done)s%% of the "
                        "milestones are done.",
                        elapsed=_pct(elapsed),
                        done=_pct(done),
                    ),
                )
            )

    rated = [r.rating for r in reasons if r.rating is not None]
    if not rated:
        reasons.append(
            RagReason(
                "on_track",
                Rag.GREEN,
                _(
                    "No late milestones, indicators on their trajectory, "
                    "delivery in step with time."
                ),
            )
        )
        return RagAssessment(Rag.GREEN, reasons, override)
    return RagAssessment(max(rated, key=lambda r: r.severity), reasons, override)


def override_rag(
    session: Session,
    project: Project,
    *,
    actor: User | None,
    rating: Rag | str,
    justification: str,
    today: date,
) -> RagOverride:
    """The manager's rating replaces the computed one on every page until withdrawn; the
    computed rating at that moment is stored beside it, and earlier overrides stay as history."""
    try:
        rating = Rag(rating)
    except ValueError as exc:
        raise ValidationError(_("Choose red, amber or green."), field="rating") from exc
    justification = (justification or "").strip()
    if len(justification) < 10:
        raise ValidationError(
            _("Write a justification (at least 10 characters) for overriding the rating."),
            field="justification",
        )
    now = utcnow()
    previous = project.current_override
    if previous is not None:
        previous.withdrawn_at = now
        previous.withdrawn_by_id = getattr(actor, "id", None)
    override = RagOverride(
        rating=rating,
        computed_rating=compute_rag(project, today).computed,
        justification=justification,
        set_by_id=getattr(actor, "id", None),
        set_at=now,
    )
    project.rag_overrides.append(override)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.rag_overridden",
        entity=project,
        after={"rating": rating.value, "justification": justification},
        summary=project.code,
    )
    return override


def withdraw_override(session: Session, project: Project, *, actor: User | None) -> None:
    current = project.current_override
    if current is None:
        raise ConflictError(_("There is no override to withdraw."))
    current.withdrawn_at = utcnow()
    current.withdrawn_by_id = getattr(actor, "id", None)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="project.rag_override_withdrawn",
        entity=project,
        before={"rating": current.rating.value},
        summary=project.code,
    )
