"""Correcting or withdrawing a reported indicator actual (``lms.core.corrections``).

The actual stays as it was reported; an ``ActualCorrection`` supersedes it and names its
replacement, which keeps the original's period and place in time (a figure reported later for
the period still wins). ``current_actuals`` skips superseded figures, so the chart, the RAG
rating and the project report follow."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import record_change
from lms.core.corrections import CorrectionAction, clean_reason
from lms.core.errors import PermissionDenied, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.projects.models import ActualCorrection, IndicatorActual
from lms.projects.permissions import can_correct_actual
from lms.projects.services.common import _decimal, refresh_summary


def _picture(actual: IndicatorActual) -> dict[str, Any]:
    return {
        "actual_id": actual.id,
        "period": actual.period,
        "value": str(actual.value),
        "comment": actual.comment,
    }


def _supersede(
    session: Session,
    actual: IndicatorActual,
    *,
    reason: str,
    actor: User | None,
    replacement: IndicatorActual | None,
) -> ActualCorrection:
    before = _picture(actual)
    correction = ActualCorrection(
        actual_id=actual.id,  # the column only: the actual row itself is never written again
        replacement_id=replacement.id if replacement else None,
        action=CorrectionAction.CORRECTED if replacement else CorrectionAction.WITHDRAWN,
        reason=reason,
        corrected_by_id=getattr(actor, "id", None),
        corrected_at=utcnow(),
        before=before,
        after=_picture(replacement) if replacement else {},
    )
    session.add(correction)
    session.flush()
    session.expire(actual, ["correction"])
    indicator = actual.indicator
    record_change(
        session,
        actor=actor,
        action=f"indicator.actual_{correction.action.value}",
        entity=indicator,
        before=before,
        after=correction.after or {"actual_id": None},
        summary=f"{indicator.name[:200]} {actual.period}: {reason}",
    )
    refresh_summary(session, indicator.project)
    return correction


def _check(actual: IndicatorActual, actor: User | None) -> None:
    if actual.superseded:
        raise ValidationError(_("This figure has already been corrected or withdrawn."))
    if not can_correct_actual(actor, actual):
        raise PermissionDenied(
            _("Only the person who reported this figure, or an administrator, can correct it.")
        )


def correct_actual(
    session: Session,
    actual: IndicatorActual,
    *,
    value: Any,
    reason: str,
    actor: User | None,
    comment: str = "",
    evidence_url: str = "",
) -> ActualCorrection:
    reason = clean_reason(reason)
    _check(actual, actor)
    value = _decimal(value, "value")
    evidence_url = (evidence_url or "").strip() or actual.evidence_url
    if evidence_url and not re.match(r"^https?://", evidence_url):
        raise ValidationError(
            _("Give the evidence as a web link (http or https)."), field="evidence_url"
        )
    replacement = IndicatorActual(
        period=actual.period,
        period_end=actual.period_end,
        value=value,
        comment=(comment or "").strip() or actual.comment,
        evidence_url=evidence_url[:500],
        reported_by_id=getattr(actor, "id", None),
        reported_at=actual.reported_at,
    )
    actual.indicator.actuals.append(replacement)
    session.flush()
    return _supersede(session, actual, reason=reason, actor=actor, replacement=replacement)


def withdraw_actual(
    session: Session, actual: IndicatorActual, *, reason: str, actor: User | None
) -> ActualCorrection:
    """The figure no longer counts: an earlier one for the period, if any, is current again."""
    reason = clean_reason(reason)
    _check(actual, actor)
    return _supersede(session, actual, reason=reason, actor=actor, replacement=None)
