"""A trainee's progress report and complete record.

Progress owns the rules (track progress, the current rating per competency, whether a
certificate is still valid); this module only arranges progress's answers into tables, so the
report never disagrees with the trainee's progress page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.core.i18n import localised
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from lms.frameworks.models import Competency
from lms.progress import services as progress
from lms.progress.charts import ProfileChartData, profile_data
from lms.progress.models import (
    Certificate,
    CompetencyEvidence,
    CompetencyRating,
    TrackEnrolment,
)
from lms.reports.data.shared import TableData, _d, _iso


@dataclass
class TrackRow:
    code: str
    name: str
    status: str
    percent: int
    required_done: int
    required_total: int
    targets_met: int
    targets_total: int


@dataclass
class TraineeReportData:
    user_id: int
    full_name: str
    email: str
    member_administration: str
    region: str
    today: date
    tracks: list[TrackRow] = field(default_factory=list)
    charts: list[tuple[str, ProfileChartData]] = field(default_factory=list)
    targets: list[list[Any]] = field(default_factory=list)
    transcript: list[list[Any]] = field(default_factory=list)
    ratings: list[list[Any]] = field(default_factory=list)
    evidence: list[list[Any]] = field(default_factory=list)
    upcoming: list[list[Any]] = field(default_factory=list)
    certificates: list[list[Any]] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)  # the machine-readable record

    @property
    def is_empty(self) -> bool:
        return not (self.tracks or self.transcript or self.ratings or self.certificates)

    def tables(self) -> list[TableData]:
        return [
            TableData(
                "tracks",
                _("Tracks"),
                [
                    _("Code"),
                    _("Track"),
                    _("Status"),
                    _("Progress %"),
                    _("Required courses"),
                    _("Targets reached"),
                ],
                [
                    [
                        t.code,
                        t.name,
                        t.status,
                        t.percent,
                        f"{t.required_done}/{t.required_total}",
                        f"{t.targets_met}/{t.targets_total}",
                    ]
                    for t in self.tracks
                ],
            ),
            TableData(
                "targets",
                _("Competency levels against targets"),
                [_("Track"), _("Competency"), _("Current level"), _("Target level"), _("Met")],
                self.targets,
            ),
            TableData(
                "transcript",
                _("Transcript"),
                [
                    _("Course"),
                    _("Title"),
                    _("Start"),
                    _("End"),
                    _("Status"),
                    _("Score"),
                    _("Result"),
                ],
                self.transcript,
            ),
            TableData(
                "ratings",
                _("Current ratings with evidence"),
                [
                    _("Competency"),
                    _("Level"),
                    _("Source"),
                    _("Rated on"),
                    _("Rated by"),
                    _("Comment"),
                    _("Evidence"),
                ],
                self.ratings,
            ),
            TableData(
                "upcoming",
                _("Upcoming sessions"),
                [_("Course"), _("Title"), _("Start"), _("End"), _("Venue"), _("Status")],
                self.upcoming,
            ),
            TableData(
                "certificates",
                _("Certificates"),
                [_("Track"), _("Verification code"), _("Issued"), _("Expires"), _("Status")],
                self.certificates,
            ),
        ]


def trainee_report_data(session: Session, user: User, today: date) -> TraineeReportData:
    """Everything a trainee's progress report and complete record show."""
    member = user.member_administration
    data = TraineeReportData(
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        member_administration=member.name if member else "",
        region=member.region.label if member else "",
        today=today,
    )
    _add_tracks(session, user, data)
    enrolled = _session_enrolments(session, user)
    _add_sessions(enrolled, today, data)
    evidence = _evidence(session, user)
    _add_evidence_and_ratings(session, user, evidence, data)
    certificates = progress.certificates_for(session, user)
    data.certificates = [
        [
            localised(c.track, "name"),
            c.verification_code,
            _d(c.issued_on),
            _d(c.expires_on),
            progress.certificate_status(c, on=today).value,
        ]
        for c in certificates
    ]
    data.record = _record(session, user, data, enrolled, evidence, certificates)
    return data


def _add_tracks(session: Session, user: User, data: TraineeReportData) -> None:
    """Track rows, profile charts and target rows, straight from progress's track progress."""
    enrolments = progress.enrolled_tracks(session, user)
    states = progress.progress_for_tracks(session, user, [e.track for e in enrolments])
    for enrolment, state in zip(enrolments, states, strict=True):
        data.tracks.append(
            TrackRow(
                state.track.code,
                localised(state.track, "name"),
                pgettext("status", "Completed") if enrolment.status == "completed" else _("Active"),
                state.percent,
                state.required_done,
                len(state.required_courses),
                state.targets_met,
                len(state.targets),
            )
        )
        if state.targets:
            levels = [localised(lv, "name") for lv in state.track.framework.scale.levels]
            data.charts.append((localised(state.track, "name"), profile_data(state, levels)))
        for target in state.targets:
            data.targets.append(
                [
                    state.track.code,
                    f"{target.competency.code} {localised(target.competency, 'short_name')}",
                    localised(target.current_level, "name")
                    if target.current_level
                    else _("Not rated"),
                    localised(target.target_level, "name"),
                    _("yes") if target.met else _("no"),
                ]
            )


def _session_enrolments(session: Session, user: User) -> list[SessionEnrolment]:
    return list(
        session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(SessionEnrolment.user_id == user.id)
            .order_by(CourseSession.starts_on, SessionEnrolment.id)
        )
    )


def _add_sessions(enrolled: list[SessionEnrolment], today: date, data: TraineeReportData) -> None:
    """Finished sessions go to the transcript; those still to come to the upcoming list."""
    waiting = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.REQUESTED)
    for e in enrolled:
        course = e.session.course
        if e.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.NO_SHOW):
            result = "" if e.passed is None else (_("Passed") if e.passed else _("Failed"))
            data.transcript.append(
                [
                    course.code,
                    localised(course, "title"),
                    _d(e.session.starts_on),
                    _d(e.session.ends_on),
                    e.status.label,
                    "" if e.score is None else float(e.score),
                    result,
                ]
            )
        elif e.status in waiting and e.session.ends_on >= today:
            data.upcoming.append(
                [
                    course.code,
                    localised(course, "title"),
                    _d(e.session.starts_on),
                    _d(e.session.ends_on),
                    e.session.venue or e.session.virtual_link,
                    e.status.label,
                ]
            )


def _evidence(session: Session, user: User) -> list[CompetencyEvidence]:
    return list(
        session.scalars(
            sa.select(CompetencyEvidence)
            .options(
                joinedload(CompetencyEvidence.competency), joinedload(CompetencyEvidence.level)
            )
            .where(CompetencyEvidence.user_id == user.id)
            .order_by(CompetencyEvidence.created_at, CompetencyEvidence.id)
        )
    )


def _add_evidence_and_ratings(
    session: Session, user: User, evidence: list[CompetencyEvidence], data: TraineeReportData
) -> None:
    """The evidence rows, and each current rating (progress's ``latest_ratings``) with the
    evidence given for its competency."""
    evidence_by_competency: dict[int, list[CompetencyEvidence]] = defaultdict(list)
    for item in evidence:
        evidence_by_competency[item.competency_id].append(item)
        data.evidence.append(
            [
                f"{item.competency.code} {localised(item.competency, 'short_name')}",
                item.kind.value,
                localised(item.level, "name") if item.level else "",
                item.description,
                item.url,
                _d(item.created_at),
            ]
        )
    current = progress.latest_ratings(session, user.id)
    # The raters and competencies in one query each, not one by one: held here, the
    # ratings' ``rated_by`` and ``competency`` come from the session's identity map.
    raters = _by_id(session, User, {r.rated_by_id for r in current.values()})
    competencies = _by_id(session, Competency, {r.competency_id for r in current.values()})
    for rating in sorted(current.values(), key=lambda r: competencies[r.competency_id].code):
        shown = [e.description or e.url for e in evidence_by_competency[rating.competency_id]]
        if rating.evidence_url:
            shown.insert(0, rating.evidence_url)
        data.ratings.append(
            [
                f"{rating.competency.code} {localised(rating.competency, 'short_name')}",
                localised(rating.level, "name"),
                rating.source.label,
                _d(rating.rated_at),
                raters[rating.rated_by_id].full_name if rating.rated_by_id else "",
                rating.comment,
                "; ".join(s for s in shown if s),
            ]
        )


def _by_id(session: Session, model: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = ids - {None}
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(sa.select(model).where(model.id.in_(wanted)))}


def _record(
    session: Session,
    user: User,
    data: TraineeReportData,
    enrolled: list[SessionEnrolment],
    evidence: list[CompetencyEvidence],
    certificates: list[Certificate],
) -> dict[str, Any]:
    """The machine-readable complete record: the stored facts, every rating ever given."""
    member = user.member_administration
    history = session.scalars(
        sa.select(CompetencyRating)
        .options(joinedload(CompetencyRating.competency), joinedload(CompetencyRating.rated_by))
        .where(CompetencyRating.user_id == user.id)
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ).all()
    track_enrolments = session.scalars(
        sa.select(TrackEnrolment)
        .where(TrackEnrolment.user_id == user.id)
        .order_by(TrackEnrolment.enrolled_at)
    ).all()
    return {
        "profile": {
            "id": user.id,
            "full_name": user.full_name,
            "email": user.email,
            "member_administration": data.member_administration or None,
            "country_code": member.country_code if member else None,
            "region": member.region.value if member else None,
            "preferred_language": user.preferred_language,
        },
        "generated_on": data.today.isoformat(),
        "track_enrolments": [
            {
                "track": e.track.code,
                "status": e.status.value,
                "enrolled_at": _iso(e.enrolled_at),
                "completed_at": _iso(e.completed_at),
            }
            for e in track_enrolments
        ],
        "track_progress": [
            {
                "track": t.code,
                "percent": t.percent,
                "required_courses_done": t.required_done,
                "required_courses": t.required_total,
                "targets_met": t.targets_met,
                "targets": t.targets_total,
            }
            for t in data.tracks
        ],
        "enrolments": [
            {
                "course": e.session.course.code,
                "session_id": e.session_id,
                "starts_on": _d(e.session.starts_on),
                "ends_on": _d(e.session.ends_on),
                "status": e.status.value,
                "score": None if e.score is None else float(e.score),
                "passed": e.passed,
            }
            for e in enrolled
        ],
        "ratings": [
            {
                "competency": r.competency.code,
                "level": r.level.name,
                "source": r.source.value,
                "rated_at": _iso(r.rated_at),
                "rated_by": r.rated_by.email if r.rated_by else None,
                "comment": r.comment,
                "evidence_url": r.evidence_url,
            }
            for r in history
        ],
        "evidence": [
            {
                "competency": e.competency.code,
                "kind": e.kind.value,
                "level": e.level.name if e.level else None,
                "description": e.description,
                "url": e.url,
                "created_at": _iso(e.created_at),
            }
            for e in evidence
        ],
        "certificates": [
            {
                "track": c.track.code,
                "verification_code": c.verification_code,
                "issued_on": _d(c.issued_on),
                "expires_on": _d(c.expires_on) or None,
                "status": c.status.value,
            }
            for c in certificates
        ],
    }
