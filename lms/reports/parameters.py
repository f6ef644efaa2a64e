"""A report run's (or schedule's) parameters in words: one function, ``run_parameters``, that
the run page, the runs list and the schedule emails use, so nobody reads raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, User
from lms.core.i18n import _, format_day
from lms.frameworks.models import Track
from lms.projects.models import Project
from lms.reports.models import ReportKind

OVERVIEW_SHOWN = 120  # characters of a directorate overview shown among the parameters


def _day(value: Any) -> str:
    """A stored ISO day in the reader's language; ``…`` for none, the raw value if unreadable."""
    if not value:
        return "…"
    try:
        return format_day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


@dataclass(frozen=True)
class Parameter:
    label: str
    value: str

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


def _get(session: Session, model: type, value: Any) -> Any:
    try:
        return session.get(model, int(value))
    except (TypeError, ValueError):
        return None


def _period_names() -> dict[str, str]:
    return {
        "previous_week": _("Previous week"),
        "previous_month": _("Previous month"),
        "previous_quarter": _("Previous quarter"),
        "previous_year": _("Previous year"),
        "year_to_date": _("Year to date"),
    }


def _missing(value: Any) -> str:
    return _("no longer on record (#%(id)s)", id=value)


def run_parameters(
    session: Session, kind: ReportKind, params: dict[str, Any] | None
) -> list[Parameter]:
    """Each parameter with a label and its value in words: the project's code and title, the
    trainee's name, the period's dates, the track's name. A key this function does not know
    is shown as it is, so nothing a run was made with is hidden."""
    params = dict(params or {})
    out: list[Parameter] = []
    if "project_id" in params:
        value = params.pop("project_id")
        project = _get(session, Project, value)
        out.append(
            Parameter(
                _("Project"),
                f"{project.code} — {project.title}" if project else _missing(value),
            )
        )
    if "user_id" in params:
        value = params.pop("user_id")
        user = _get(session, User, value)
        label = _("Trainee")
        out.append(
            Parameter(label, f"{user.full_name} <{user.email}>" if user else _missing(value))
        )
    if "start" in params or "end" in params:
        start, end = _day(params.pop("start", None)), _day(params.pop("end", None))
        out.append(Parameter(_("Period"), _("%(start)s to %(end)s", start=start, end=end)))
    if "period" in params:
        name = str(params.pop("period"))
        out.append(Parameter(_("Period"), _period_names().get(name, name)))
    if "track_id" in params:
        value = params.pop("track_id")
        track = _get(session, Track, value)
        out.append(Parameter(_("Track"), track.name if track else _missing(value)))
    if "member_id" in params:
        value = params.pop("member_id")
        member = _get(session, MemberAdministration, value)
        out.append(
            Parameter(_("Member administration"), member.name if member else _missing(value))
        )
    if "narrative" in params:  # the directorate's overview: its opening words, on one line
        words = " ".join(str(params.pop("narrative") or "").split())
        if words:
            short = words if len(words) <= OVERVIEW_SHOWN else words[: OVERVIEW_SHOWN - 1] + "…"
            out.append(Parameter(_("Overview"), short))
    for key, value in sorted(params.items()):
        if value not in (None, ""):
            out.append(Parameter(key.replace("_", " ").capitalize(), str(value)))
    if not out and kind == ReportKind.DIRECTORATE:
        out.append(Parameter(_("Period"), "—"))
    return out


def describe_parameters(session: Session, kind: ReportKind, params: dict[str, Any] | None) -> str:
    """The same parameters on one line, e.g. for an email or a list."""
    return " · ".join(str(p) for p in run_parameters(session, kind, params)) or "—"
