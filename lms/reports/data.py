"""Plain data for the reports, read from the database once.

The PDF, CSV and XLSX renderers and the statistics page take these dataclasses and never
query anything themselves, so every output of one report shows the same figures. Each report
lists its tables (``tables()``) once: the exports and the PDF both render them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.accounts.models import MemberAdministration, Region, User
from lms.courses.models import (
    CourseSession,
    EnrolmentStatus,
    SessionEnrolment,
    SessionStatus,
)
from lms.frameworks.models import Track
from lms.progress import services as progress
from lms.progress.charts import ProfileChartData, profile_data
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    CompetencyEvidence,
    CompetencyRating,
    TrackEnrolment,
)
from lms.projects import services as projects
from lms.projects.charts import IndicatorSeries, TimelineData, indicator_series, timeline_data
from lms.projects.models import Indicator, MilestoneStatus, Project, ProjectStatus
from lms.projects.training import training_delivered


@dataclass
class TableData:
    """One table of a report: what CSV, XLSX, the PDF and the statistics page all render."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


# Trainee ------------------------------------------------------------------------------------


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
    enrolments = progress.enrolled_tracks(session, user)
    states = progress.progress_for_tracks(session, user, [e.track for e in enrolments])
    for enrolment, state in zip(enrolments, states, strict=True):
        data.tracks.append(
            TrackRow(
                state.track.code,
                state.track.name,
                _("Completed") if enrolment.status == "completed" else _("Active"),
                state.percent,
                state.required_done,
                len(state.required_courses),
                state.targets_met,
                len(state.targets),
            )
        )
        if state.targets:
            levels = [lv.name for lv in state.track.framework.scale.levels]
            data.charts.append((state.track.name, profile_data(state, levels)))
        for target in state.targets:
            data.targets.append(
                [
                    state.track.code,
                    f"{target.competency.code} {target.competency.short_name}",
                    target.current_level.name if target.current_level else _("Not rated"),
                    target.target_level.name,
                    _("yes") if target.met else _("no"),
                ]
            )
    enrolled = list(
        session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(SessionEnrolment.user_id == user.id)
            .order_by(CourseSession.starts_on, SessionEnrolment.id)
        )
    )
    waiting = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.REQUESTED)
    for e in enrolled:
        course = e.session.course
        if e.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.NO_SHOW):
            result = "" if e.passed is None else (_("Passed") if e.passed else _("Failed"))
            data.transcript.append(
                [
                    course.code,
                    course.title,
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
                    course.title,
                    _d(e.session.starts_on),
                    _d(e.session.ends_on),
                    e.session.venue or e.session.virtual_link,
                    e.status.label,
                ]
            )
    evidence = list(
        session.scalars(
            sa.select(CompetencyEvidence)
            .options(joinedload(CompetencyEvidence.competency))
            .where(CompetencyEvidence.user_id == user.id)
            .order_by(CompetencyEvidence.created_at, CompetencyEvidence.id)
        )
    )
    evidence_by_competency: dict[int, list[CompetencyEvidence]] = defaultdict(list)
    for item in evidence:
        evidence_by_competency[item.competency_id].append(item)
        data.evidence.append(
            [
                f"{item.competency.code} {item.competency.short_name}",
                item.kind.value,
                item.level.name if item.level else "",
                item.description,
                item.url,
                _d(item.created_at),
            ]
        )
    current = progress.latest_ratings(session, user.id)
    for rating in sorted(current.values(), key=lambda r: r.competency.code):
        shown = [e.description or e.url for e in evidence_by_competency[rating.competency_id]]
        if rating.evidence_url:
            shown.insert(0, rating.evidence_url)
        data.ratings.append(
            [
                f"{rating.competency.code} {rating.competency.short_name}",
                rating.level.name,
                rating.source.label,
                _d(rating.rated_at),
                rating.rated_by.full_name if rating.rated_by else "",
                rating.comment,
                "; ".join(s for s in shown if s),
            ]
        )
    certificates = progress.certificates_for(session, user)
    for c in certificates:
        status = c.status.value
        if c.status == CertificateStatus.VALID and not c.is_current(today):
            status = "expired"
        data.certificates.append(
            [c.track.name, c.verification_code, _d(c.issued_on), _d(c.expires_on), status]
        )
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
    data.record = {
        "profile": {
            "id": user.id,
            "full_name": user.full_name,
            "email": user.email,
            "member_administration": data.member_administration or None,
            "country_code": member.country_code if member else None,
            "region": member.region.value if member else None,
            "preferred_language": user.preferred_language,
        },
        "generated_on": today.isoformat(),
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
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# Project -------------------------------------------------------------------------------------


@dataclass
class IndicatorBlock:
    element: str
    name: str
    unit: str
    baseline: str
    rows: list[list[Any]]  # period, target, actual
    series: IndicatorSeries


@dataclass
class ProjectReportData:
    project_id: int
    code: str
    title: str
    summary: str
    status: str
    start_date: date
    end_date: date
    beneficiaries: list[str]
    managers: list[str]
    today: date
    rating: str
    computed_rating: str
    override: str
    reasons: list[str]
    elapsed_pct: int
    done_pct: int | None
    milestones: list[list[Any]] = field(default_factory=list)
    late_rows: list[int] = field(default_factory=list)
    logframe: list[list[Any]] = field(default_factory=list)
    indicators: list[IndicatorBlock] = field(default_factory=list)
    timeline: TimelineData | None = None
    risks: list[list[Any]] = field(default_factory=list)
    trainings: list[list[Any]] = field(default_factory=list)
    training_totals: dict[str, int] = field(default_factory=dict)
    latest_update: dict[str, str] | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.milestones or self.indicators or self.latest_update or self.trainings)

    def tables(self) -> list[TableData]:
        indicator_rows = [
            [block.element, block.name, block.unit, block.baseline, *row]
            for block in self.indicators
            for row in block.rows
        ]
        return [
            TableData(
                "milestones",
                _("Milestones"),
                [
                    _("Milestone"),
                    _("Phase"),
                    _("Baseline"),
                    _("Due"),
                    _("Completed"),
                    _("Status"),
                    _("Slippage (days)"),
                ],
                self.milestones,
            ),
            TableData(
                "logframe",
                _("Logical framework"),
                [_("Level"), _("Code"), _("Statement")],
                self.logframe,
            ),
            TableData(
                "indicators",
                _("Indicators: targets and actuals"),
                [
                    _("Element"),
                    _("Indicator"),
                    _("Unit"),
                    _("Baseline"),
                    _("Period"),
                    _("Target"),
                    _("Actual"),
                ],
                indicator_rows,
            ),
            TableData(
                "risks",
                _("Risks"),
                [_("Risk"), _("Likelihood"), _("Impact"), _("Status"), _("Owner"), _("Mitigation")],
                self.risks,
            ),
            TableData(
                "trainings",
                _("Training delivered"),
                [
                    _("Activity"),
                    _("Course"),
                    _("Start"),
                    _("End"),
                    _("Enrolled"),
                    _("Trained"),
                    _("Passed"),
                ],
                self.trainings,
            ),
        ]


def _number(value) -> str:
    return projects._number(value)


def project_report_data(session: Session, project: Project, today: date) -> ProjectReportData:
    project = projects.load_project(session, project.id) or project
    assessment = projects.compute_rag(project, today)
    done = projects.milestones_done_share(project)
    override = assessment.override
    data = ProjectReportData(
        project_id=project.id,
        code=project.code,
        title=project.title,
        summary=project.summary,
        status=project.status.label,
        start_date=project.start_date,
        end_date=project.end_date,
        beneficiaries=[m.name for m in project.beneficiaries],
        managers=[u.full_name for u in project.managers],
        today=today,
        rating=assessment.rating.label if assessment.rating else _("Not rated"),
        computed_rating=assessment.computed.label if assessment.computed else _("Not rated"),
        override=override.justification if override else "",
        reasons=[
            (f"{r.rating.label}: " if r.rating else "") + r.message for r in assessment.reasons
        ],
        elapsed_pct=round(projects.time_elapsed(project, today) * 100),
        done_pct=None if done is None else round(done * 100),
    )
    for index, m in enumerate(sorted(project.milestones, key=lambda m: (m.due_date, m.id))):
        status = m.status_on(today)
        if status is MilestoneStatus.LATE:
            data.late_rows.append(index)
        data.milestones.append(
            [
                m.title,
                m.phase.name if m.phase else "",
                _d(m.baseline_date),
                _d(m.due_date),
                _d(m.completed_on),
                status.label,
                m.slippage_days,
            ]
        )
    depth = {"goal": 0, "outcome": 1, "output": 2}
    elements = sorted(
        project.logframe_elements, key=lambda e: (depth.get(e.level.value, 3), e.code, e.id)
    )
    for element in elements:
        data.logframe.append([element.level.label, element.code, element.statement])
    for indicator in project.indicators:
        series = indicator_series(indicator)
        rows = [
            [period, "" if t is None else _number(t), "" if a is None else _number(a)]
            for period, t, a in zip(series.periods, series.targets, series.actuals, strict=True)
        ]
        data.indicators.append(
            IndicatorBlock(
                indicator.element.code,
                indicator.name,
                indicator.unit,
                f"{_number(indicator.baseline_value)} ({_d(indicator.baseline_date)})",
                rows,
                series,
            )
        )
    data.timeline = timeline_data(project, today)
    for risk in project.risks:
        data.risks.append(
            [
                risk.description,
                risk.likelihood.label,
                risk.impact.label,
                risk.status.label,
                risk.owner,
                risk.mitigation,
            ]
        )
    summary = training_delivered(session, project)
    for delivery in summary.sessions:
        cs = delivery.link.course_session
        data.trainings.append(
            [
                delivery.link.activity.title,
                f"{cs.course.code} {cs.course.title}",
                _d(cs.starts_on),
                _d(cs.ends_on),
                delivery.enrolled,
                delivery.trained,
                delivery.passed,
            ]
        )
    data.training_totals = {
        "trained": summary.trained,
        "completed": summary.completed,
        "certified": summary.certified,
    }
    if project.progress_updates:
        update = max(project.progress_updates, key=lambda u: (u.created_at, u.id))
        data.latest_update = {
            "period": update.period,
            "achievements": update.achievements,
            "issues": update.issues,
            "next_steps": update.next_steps,
            "author": update.author.full_name if update.author else "",
            "date": _d(update.created_at),
        }
    return data


# Directorate ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """Distinct trainees enrolled on a track, who completed one and who were certified."""

    enrolled: int = 0
    completed: int = 0
    certified: int = 0

    def as_row(self) -> list[int]:
        return [self.enrolled, self.completed, self.certified]


@dataclass
class DirectorateData:
    start: date
    end: date
    today: date
    total: Figures
    by_region: list[tuple[str, Figures]]
    by_member: list[tuple[str, str, Figures]]
    by_track: list[tuple[str, Figures]]
    level_distribution: list[tuple[str, int]]
    sessions: list[list[Any]]
    portfolio: list[list[Any]]
    portfolio_status: list[tuple[str, int]]
    region_codes: list[str] = field(default_factory=list)  # short names, same order as by_region

    @property
    def is_empty(self) -> bool:
        return not (
            self.total.enrolled or self.total.completed or self.total.certified or self.sessions
        )

    def tables(self) -> list[TableData]:
        figures = [_("Enrolled"), _("Completed"), _("Certified")]
        return [
            TableData(
                "by_region",
                _("Trainees by region"),
                [_("Region"), *figures],
                [[name, *f.as_row()] for name, f in self.by_region]
                + [[_("Total"), *self.total.as_row()]],
            ),
            TableData(
                "by_member",
                _("Trainees by member administration"),
                [_("Member administration"), _("Region"), *figures],
                [[name, region, *f.as_row()] for name, region, f in self.by_member],
            ),
            TableData(
                "by_track",
                _("Trainees by track"),
                [_("Track"), *figures],
                [[name, *f.as_row()] for name, f in self.by_track],
            ),
            TableData(
                "levels",
                _("Competency level distribution"),
                [_("Level"), _("Current ratings")],
                [[name, count] for name, count in self.level_distribution],
            ),
            TableData(
                "sessions",
                _("Sessions delivered"),
                [
                    _("Course"),
                    _("Title"),
                    _("Start"),
                    _("End"),
                    _("Venue"),
                    _("Participants"),
                    _("Passed"),
                ],
                self.sessions,
            ),
            TableData(
                "portfolio",
                _("Project portfolio"),
                [
                    _("Project"),
                    _("Title"),
                    _("Status"),
                    _("RAG"),
                    _("Late milestones"),
                    _("Time elapsed %"),
                    _("Milestones done %"),
                ],
                self.portfolio,
            ),
        ]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def directorate_data(session: Session, start: date, end: date, today: date) -> DirectorateData:
    """Enrolled: joined a track in the period; completed: completed a track in the period;
    certified: received a (non-revoked) certificate in the period. Each trainee counts once
    per group; the totals count each trainee once overall."""
    low, high = _bounds(start, end)
    enrolled = session.execute(
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
            TrackEnrolment.enrolled_at >= low, TrackEnrolment.enrolled_at < high
        )
    ).all()
    completed = session.execute(
        sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
            TrackEnrolment.completed_at >= low, TrackEnrolment.completed_at < high
        )
    ).all()
    certified = session.execute(
        sa.select(Certificate.user_id, Certificate.track_id).where(
            Certificate.issued_on >= start,
            Certificate.issued_on <= end,
            Certificate.status != CertificateStatus.REVOKED,
        )
    ).all()
    user_ids = {r.user_id for r in (*enrolled, *completed, *certified)}
    member_of = (
        dict(
            session.execute(
                sa.select(User.id, User.member_administration_id).where(User.id.in_(user_ids))
            ).all()
        )
        if user_ids
        else {}
    )
    members = {m.id: m for m in session.scalars(sa.select(MemberAdministration))}
    tracks = {t.id: t for t in session.scalars(sa.select(Track))}

    def figures(key) -> dict[Any, Figures]:
        groups: dict[Any, list[set[int]]] = defaultdict(lambda: [set(), set(), set()])
        for index, rows in enumerate((enrolled, completed, certified)):
            for row in rows:
                group = key(row)
                if group is not None:
                    groups[group][index].add(row.user_id)
        return {g: Figures(len(a), len(b), len(c)) for g, (a, b, c) in groups.items()}

    def region_of(row):
        member = members.get(member_of.get(row.user_id))
        return member.region if member else None

    by_region_raw = figures(region_of)
    by_member_raw = figures(lambda row: member_of.get(row.user_id))
    by_track_raw = figures(lambda row: row.track_id)
    total = figures(lambda row: "all").get("all", Figures())
    by_region = [(region.label, by_region_raw.get(region, Figures())) for region in Region]
    by_member = sorted(
        (
            (members[mid].name, members[mid].region.label, f)
            for mid, f in by_member_raw.items()
            if mid in members
        ),
        key=lambda item: item[0],
    )
    by_track = sorted(
        ((tracks[tid].name, f) for tid, f in by_track_raw.items()), key=lambda item: item[0]
    )
    # Level distribution: each trainee's current rating per competency, as at the period's end.
    ratings = session.execute(
        sa.select(CompetencyRating)
        .options(joinedload(CompetencyRating.level))
        .where(CompetencyRating.rated_at < high)
        .order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ).scalars()
    current: dict[tuple[int, int], Any] = {}
    for rating in ratings:
        current[(rating.user_id, rating.competency_id)] = rating.level
    counts = Counter((lv.position, lv.name) for lv in current.values())
    level_distribution = [(name, n) for (_pos, name), n in sorted(counts.items())]
    delivered = session.scalars(
        sa.select(CourseSession)
        .options(selectinload(CourseSession.enrolments))
        .where(
            CourseSession.ends_on >= start,
            CourseSession.ends_on <= end,
            CourseSession.ends_on <= today,
            CourseSession.status != SessionStatus.CANCELLED,
        )
        .order_by(CourseSession.starts_on, CourseSession.id)
    ).all()
    took_part = (EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED)
    sessions = [
        [
            s.course.code,
            s.course.title,
            _d(s.starts_on),
            _d(s.ends_on),
            s.venue or s.virtual_link,
            sum(e.status in took_part for e in s.enrolments),
            sum(bool(e.passed) for e in s.enrolments),
        ]
        for s in delivered
    ]
    portfolio, statuses = [], Counter()
    for project in session.scalars(
        sa.select(Project)
        .options(
            selectinload(Project.milestones),
            selectinload(Project.rag_overrides),
            selectinload(Project.indicators).selectinload(Indicator.targets),
            selectinload(Project.indicators).selectinload(Indicator.actuals),
        )
        .order_by(Project.code)
    ):
        row = projects.portfolio_row(project, today)
        statuses[project.status] += 1
        rating = row.assessment.rating
        portfolio.append(
            [
                project.code,
                project.title,
                project.status.label,
                rating.label if rating else _("Not rated"),
                row.late_count,
                row.elapsed_pct,
                "" if row.done_pct is None else row.done_pct,
            ]
        )
    return DirectorateData(
        start=start,
        end=end,
        today=today,
        total=total,
        by_region=by_region,
        by_member=by_member,
        by_track=by_track,
        level_distribution=level_distribution,
        sessions=sessions,
        portfolio=portfolio,
        portfolio_status=[(s.label, statuses[s]) for s in ProjectStatus if statuses[s]],
        region_codes=[region.value for region in Region],
    )
