"""The stored progress summary per trainee and track (``TrackProgressSummary``).

``track_progress`` stays the one definition of how far a trainee is on a track; the summary
holds its figures so that a page listing many trainees or tracks reads one row each. The
figures are computed here set-based (a fixed number of queries for any number of trainees and
tracks) with the same rules: a required course counts once passed, a target is met when the
latest rating that was not corrected is at or above the target level, and the share is
required courses done plus targets met over both counts.

Writers: every service that changes what progress depends on calls ``refresh_summaries`` for
the trainees (or tracks) it touched, in its own transaction; ``rebuild_track_summaries``
recomputes everything (``lms rebuild-summaries``). Reader: ``track_progress_summaries`` reads
the rows of a whole page in one query and computes (and stores) a row that is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from lms.core.model_base import utcnow
from lms.courses.models import (
    CourseSession,
    EnrolmentStatus,
    ExternalCompletion,
    SessionEnrolment,
    TrackCourse,
)
from lms.frameworks.models import Competency, ScaleLevel, TrackTarget
from lms.progress.correction_models import RatingCorrection
from lms.progress.models import (
    CompetencyRating,
    TrackEnrolment,
    TrackEnrolmentStatus,
    TrackProgressSummary,
)

Pair = tuple[int, int]  # (user id, track id)
CHUNK = 500  # ids per IN list (SQLite's parameter limit, PostgreSQL's plan size)
FIGURES = (
    "enrolment_status",
    "completed_at",
    "courses_total",
    "required_total",
    "required_done",
    "targets_total",
    "targets_met",
    "percent",
    "is_complete",
    "gaps",
)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Target:
    competency_id: int
    code: str
    level_id: int
    position: int


@dataclass
class _Definition:
    """What a track asks: its courses (id, required?) and its targets, by competency code."""

    courses: list[tuple[int, bool]]
    targets: list[_Target]


def _definitions(session: Session, track_ids: Sequence[int]) -> dict[int, _Definition]:
    found = {track_id: _Definition([], []) for track_id in track_ids}
    for chunk in _chunks(list(track_ids)):
        for track_id, course_id, required in session.execute(
            sa.select(TrackCourse.track_id, TrackCourse.course_id, TrackCourse.is_required).where(
                TrackCourse.track_id.in_(chunk), TrackCourse.for_recertification.is_(False)
            )
        ):
            found[track_id].courses.append((course_id, bool(required)))
        for track_id, competency_id, code, level_id, position in session.execute(
            sa.select(
                TrackTarget.track_id,
                TrackTarget.competency_id,
                Competency.code,
                TrackTarget.level_id,
                ScaleLevel.position,
            )
            .join(Competency, Competency.id == TrackTarget.competency_id)
            .join(ScaleLevel, ScaleLevel.id == TrackTarget.level_id)
            .where(TrackTarget.track_id.in_(chunk))
        ):
            found[track_id].targets.append(_Target(competency_id, code, level_id, position))
    for definition in found.values():
        definition.targets.sort(key=lambda t: t.code)
    return found


def _user_chunks(user_ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if user_ids is None:
        yield None
    else:
        yield from _chunks(list(user_ids))


def _passed_courses(
    session: Session, user_ids: Sequence[int] | None, course_ids: set[int]
) -> dict[int, set[int]]:
    """Courses each trainee has passed (``completed_course_ids``), among ``course_ids``."""
    done: dict[int, set[int]] = defaultdict(set)
    if not course_ids:
        return done
    for chunk in _user_chunks(user_ids):
        stmt = (
            sa.select(SessionEnrolment.user_id, CourseSession.course_id)
            .join(CourseSession, CourseSession.id == SessionEnrolment.session_id)
            .where(
                SessionEnrolment.status == EnrolmentStatus.COMPLETED,
                SessionEnrolment.passed.is_(True),
                CourseSession.course_id.in_(sorted(course_ids)),
            )
            .distinct()
        )
        if chunk is not None:
            stmt = stmt.where(SessionEnrolment.user_id.in_(chunk))
        elsewhere = sa.select(ExternalCompletion.user_id, ExternalCompletion.course_id).where(
            ExternalCompletion.course_id.in_(sorted(course_ids))
        )
        if chunk is not None:
            elsewhere = elsewhere.where(ExternalCompletion.user_id.in_(chunk))
        for user_id, course_id in [*session.execute(stmt), *session.execute(elsewhere)]:
            done[user_id].add(course_id)
    return done


def _current_levels(
    session: Session, user_ids: Sequence[int] | None, competency_ids: set[int]
) -> dict[Pair, tuple[int, int]]:
    """(level id, position) of the current rating per (user id, competency id): the latest
    rating not corrected, in ``ratings_as_of``'s order (rated_at, then id)."""
    current: dict[Pair, tuple[int, int]] = {}
    if not competency_ids:
        return current
    for chunk in _user_chunks(user_ids):
        ranked = sa.select(
            CompetencyRating.user_id,
            CompetencyRating.competency_id,
            CompetencyRating.level_id,
            sa.func.row_number()
            .over(
                partition_by=(CompetencyRating.user_id, CompetencyRating.competency_id),
                order_by=(CompetencyRating.rated_at.desc(), CompetencyRating.id.desc()),
            )
            .label("rank"),
        ).where(
            CompetencyRating.competency_id.in_(sorted(competency_ids)),
            ~sa.exists().where(RatingCorrection.rating_id == CompetencyRating.id),
        )
        if chunk is not None:
            ranked = ranked.where(CompetencyRating.user_id.in_(chunk))
        ranked = ranked.subquery()
        for user_id, competency_id, level_id, position in session.execute(
            sa.select(
                ranked.c.user_id, ranked.c.competency_id, ranked.c.level_id, ScaleLevel.position
            )
            .join(ScaleLevel, ScaleLevel.id == ranked.c.level_id)
            .where(ranked.c.rank == 1)
        ):
            current[(user_id, competency_id)] = (level_id, position)
    return current


def _enrolments(
    session: Session, user_ids: Sequence[int] | None, track_ids: Sequence[int]
) -> dict[Pair, tuple[TrackEnrolmentStatus, Any]]:
    found: dict[Pair, tuple[TrackEnrolmentStatus, Any]] = {}
    for chunk in _user_chunks(user_ids):
        stmt = sa.select(
            TrackEnrolment.user_id,
            TrackEnrolment.track_id,
            TrackEnrolment.status,
            TrackEnrolment.completed_at,
        ).where(TrackEnrolment.track_id.in_(list(track_ids)))
        if chunk is not None:
            stmt = stmt.where(TrackEnrolment.user_id.in_(chunk))
        for user_id, track_id, status, completed_at in session.execute(stmt):
            found[(user_id, track_id)] = (status, completed_at)
    return found


def compute_summaries(
    session: Session, pairs: Iterable[Pair], *, all_users: bool = False
) -> list[dict[str, Any]]:
    """The figures of ``track_progress`` for each (user id, track id), as row values.

    ``all_users`` reads every trainee's results and ratings without an IN list (a rebuild)."""
    pairs = sorted(set(pairs))
    if not pairs:
        return []
    track_ids = sorted({t for _u, t in pairs})
    user_ids = None if all_users else sorted({u for u, _t in pairs})
    definitions = _definitions(session, track_ids)
    course_ids = {c for d in definitions.values() for c, _required in d.courses}
    competency_ids = {t.competency_id for d in definitions.values() for t in d.targets}
    done = _passed_courses(session, user_ids, course_ids)
    levels = _current_levels(session, user_ids, competency_ids)
    enrolments = _enrolments(session, user_ids, track_ids)
    now = utcnow()
    rows = []
    for user_id, track_id in pairs:
        definition = definitions[track_id]
        passed = done.get(user_id, set())
        required = [course_id for course_id, is_required in definition.courses if is_required]
        required_done = sum(course_id in passed for course_id in required)
        gaps = []
        for target in definition.targets:
            current = levels.get((user_id, target.competency_id))
            if current is None or current[1] < target.position:
                gaps.append(
                    [target.competency_id, current[0] if current else None, target.level_id]
                )
        targets_met = len(definition.targets) - len(gaps)
        steps = len(required) + len(definition.targets)
        status, completed_at = enrolments.get((user_id, track_id), (None, None))
        rows.append(
            {
                "user_id": user_id,
                "track_id": track_id,
                "enrolment_status": status,
                "completed_at": completed_at,
                "courses_total": len(definition.courses),
                "required_total": len(required),
                "required_done": required_done,
                "targets_total": len(definition.targets),
                "targets_met": targets_met,
                "percent": int(100 * (required_done + targets_met) / steps) if steps else 0,
                "is_complete": steps > 0 and required_done + targets_met == steps,
                "gaps": gaps,
                "updated_at": now,
            }
        )
    return rows


def _forget_loaded(session: Session) -> None:
    """Rows were written with Core statements: summaries already loaded are read again."""
    for item in list(session.identity_map.values()):
        if isinstance(item, TrackProgressSummary):
            session.expire(item)


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT (user_id, track_id) DO UPDATE, on both backends."""
    if not rows:
        return
    table = TrackProgressSummary.__table__
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    stmt = insert.on_conflict_do_update(
        index_elements=["user_id", "track_id"],
        set_={name: insert.excluded[name] for name in (*FIGURES, "updated_at")},
    )
    for chunk in _chunks(rows, 1000):
        session.execute(stmt, list(chunk))
    _forget_loaded(session)


def _pairs_in_scope(
    session: Session, *, user_ids: Sequence[int] | None, track_ids: Sequence[int] | None
) -> set[Pair]:
    """Every (user, track) with a track enrolment or a stored summary, within the scope."""
    pairs: set[Pair] = set()
    for model in (TrackEnrolment, TrackProgressSummary):
        if user_ids is not None:
            for chunk in _chunks(list(user_ids)):
                stmt = sa.select(model.user_id, model.track_id).where(model.user_id.in_(chunk))
                if track_ids is not None:
                    stmt = stmt.where(model.track_id.in_(list(track_ids)))
                pairs.update((u, t) for u, t in session.execute(stmt))
        elif track_ids is not None:
            for chunk in _chunks(list(track_ids)):
                stmt = sa.select(model.user_id, model.track_id).where(model.track_id.in_(chunk))
                pairs.update((u, t) for u, t in session.execute(stmt))
    return pairs


def refresh_summaries(
    session: Session,
    *,
    user_ids: Iterable[int] | None = None,
    track_ids: Iterable[int] | None = None,
) -> int:
    """Recompute the stored summaries of these trainees (all their tracks) or of these tracks
    (all their trainees), in the caller's transaction. Returns how many rows were written."""
    users = None if user_ids is None else sorted(set(user_ids))
    tracks = None if track_ids is None else sorted(set(track_ids))
    if users is None and tracks is None:
        raise ValueError("Name the trainees or the tracks to refresh (or rebuild them all).")
    pairs = _pairs_in_scope(session, user_ids=users, track_ids=tracks)
    rows = compute_summaries(session, pairs)
    _upsert(session, rows)
    return len(rows)


def refresh_user_summaries(session: Session, user_id: int) -> int:
    """After a change to one trainee's results, ratings or track enrolments."""
    return refresh_summaries(session, user_ids=[user_id])


def rebuild_track_summaries(session: Session, user_ids: Iterable[int] | None = None) -> int:
    """Recompute from scratch: delete the stored summaries (of ``user_ids``, or all) and store
    one per track enrolment. Returns how many rows were stored."""
    users = None if user_ids is None else sorted(set(user_ids))
    table = TrackProgressSummary.__table__
    if users is None:
        session.execute(sa.delete(table))
        pairs = {
            (u, t)
            for u, t in session.execute(sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id))
        }
    else:
        pairs = set()
        for chunk in _chunks(users):
            session.execute(sa.delete(table).where(table.c.user_id.in_(chunk)))
            pairs.update(
                (u, t)
                for u, t in session.execute(
                    sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id).where(
                        TrackEnrolment.user_id.in_(chunk)
                    )
                )
            )
    rows = compute_summaries(session, pairs, all_users=users is None)
    for chunk in _chunks(rows, 1000):
        session.execute(sa.insert(table), list(chunk))
    _forget_loaded(session)
    session.flush()
    return len(rows)


def _load(session: Session, stmt: sa.Select) -> list[TrackProgressSummary]:
    return list(
        session.scalars(
            stmt.options(joinedload(TrackProgressSummary.track)).execution_options(
                populate_existing=True
            )
        )
    )


def track_progress_summaries(
    session: Session, user_ids: Iterable[int], track_ids: Iterable[int] | None = None
) -> dict[Pair, TrackProgressSummary]:
    """The stored summaries for a page, keyed by (user id, track id), in one query.

    Without ``track_ids``: each trainee's current tracks (not withdrawn), in the order joined.
    With them: every trainee on every one of those tracks. A missing row is computed and stored
    (then read with the others in one more query)."""
    users = sorted(set(user_ids))
    if not users:
        return {}
    if track_ids is None:
        wanted: list[Pair] = []
        found: dict[Pair, TrackProgressSummary] = {}
        for user_id, track_id, summary in session.execute(
            sa.select(TrackEnrolment.user_id, TrackEnrolment.track_id, TrackProgressSummary)
            .outerjoin(
                TrackProgressSummary,
                sa.and_(
                    TrackProgressSummary.user_id == TrackEnrolment.user_id,
                    TrackProgressSummary.track_id == TrackEnrolment.track_id,
                ),
            )
            .options(joinedload(TrackProgressSummary.track))
            .execution_options(populate_existing=True)
            .where(
                TrackEnrolment.user_id.in_(users),
                TrackEnrolment.status != TrackEnrolmentStatus.WITHDRAWN,
            )
            .order_by(TrackEnrolment.user_id, TrackEnrolment.enrolled_at, TrackEnrolment.id)
        ):
            wanted.append((user_id, track_id))
            if summary is not None:
                found[(user_id, track_id)] = summary
    else:
        tracks = sorted(set(track_ids))
        wanted = [(u, t) for u in users for t in tracks]
        found = {
            (s.user_id, s.track_id): s
            for s in _load(
                session,
                sa.select(TrackProgressSummary).where(
                    TrackProgressSummary.user_id.in_(users),
                    TrackProgressSummary.track_id.in_(tracks),
                ),
            )
        }
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        _upsert(session, compute_summaries(session, missing))
        missing_users = sorted({u for u, _t in missing})
        missing_tracks = sorted({t for _u, t in missing})
        for summary in _load(
            session,
            sa.select(TrackProgressSummary).where(
                TrackProgressSummary.user_id.in_(missing_users),
                TrackProgressSummary.track_id.in_(missing_tracks),
            ),
        ):
            found[(summary.user_id, summary.track_id)] = summary
    return {pair: found[pair] for pair in wanted if pair in found}


@dataclass(frozen=True)
class GapLine:
    """One unmet target of a summary: the competency, the current level (``None``: not rated)
    and the target level."""

    competency: Competency
    current_level: ScaleLevel | None
    target_level: ScaleLevel


def gap_lines(
    session: Session, summaries: Iterable[TrackProgressSummary]
) -> dict[int, list[GapLine]]:
    """The gaps of each summary (by summary id) with their competencies and levels, in two
    queries whatever the number of summaries; by competency code."""
    summaries = list(summaries)
    competency_ids = {gap[0] for s in summaries for gap in s.gaps}
    level_ids = {lid for s in summaries for gap in s.gaps for lid in gap[1:] if lid is not None}
    competencies = (
        {
            c.id: c
            for c in session.scalars(sa.select(Competency).where(Competency.id.in_(competency_ids)))
        }
        if competency_ids
        else {}
    )
    levels = (
        {
            lv.id: lv
            for lv in session.scalars(sa.select(ScaleLevel).where(ScaleLevel.id.in_(level_ids)))
        }
        if level_ids
        else {}
    )
    lines: dict[int, list[GapLine]] = {}
    for summary in summaries:
        found = [
            GapLine(competencies[cid], levels.get(current) if current else None, levels[target])
            for cid, current, target in summary.gaps
            if cid in competencies and target in levels
        ]
        lines[summary.id] = sorted(found, key=lambda g: g.competency.code)
    return lines


def on_track_requirements_changed(session: Session, *, track_ids: Iterable[int], **_: Any) -> None:
    """Listener of ``track_requirements_changed``: every summary of those tracks, in bulk."""
    refresh_summaries(session, track_ids=track_ids)


@dataclass(frozen=True)
class TrackTotals:
    """Across a track's trainees (withdrawn ones left out): how many, how many complete, and
    the mean share, from the stored summaries (for the reports)."""

    trainees: int
    complete: int
    mean_percent: float


def track_summary_totals(
    session: Session, *, user_ids: Iterable[int] | None = None
) -> dict[int, TrackTotals]:
    """Totals per track id in one aggregate query (optionally over some trainees only). Rows
    must be current: after a bulk load, run ``rebuild_track_summaries`` first."""
    stmt = (
        sa.select(
            TrackProgressSummary.track_id,
            sa.func.count(),
            sa.func.sum(sa.case((TrackProgressSummary.is_complete, 1), else_=0)),
            sa.func.avg(TrackProgressSummary.percent),
        )
        .where(
            TrackProgressSummary.enrolment_status.is_not(None),
            TrackProgressSummary.enrolment_status != TrackEnrolmentStatus.WITHDRAWN,
        )
        .group_by(TrackProgressSummary.track_id)
    )
    if user_ids is not None:
        users = sorted(set(user_ids))
        if not users:
            return {}
        stmt = stmt.where(TrackProgressSummary.user_id.in_(users))
    return {
        track_id: TrackTotals(int(count), int(complete or 0), float(mean or 0))
        for track_id, count, complete, mean in session.execute(stmt)
    }
