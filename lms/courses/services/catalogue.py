"""The course catalogue: courses, the competencies they develop, their place on tracks and
their prerequisites, and the catalogue search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.core import signals
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _, apply_french
from lms.courses.models import (
    Course,
    CourseCompetency,
    CourseStatus,
    DeliveryMode,
    PassOutcome,
    TrackCourse,
)
from lms.frameworks.models import Competency, Framework, FrameworkStatus, ScaleLevel, Track

COURSE_FIELDS = (
    "code",
    "title",
    "summary",
    "objectives",
    "delivery_mode",
    "hours",
    "languages",
    "status",
    "results_from_start",
    "title_fr",
    "summary_fr",
    "objectives_fr",
)
# The French text a course may carry (``lms.core.i18n.localised``).
FRENCH_FIELDS = ("title_fr", "summary_fr", "objectives_fr")


LANGUAGE_CODES = ("en", "fr", "es", "ar", "pt", "ru")


@dataclass(frozen=True)
class CompetencyLink:
    competency_id: int
    level_id: int
    outcome: PassOutcome = PassOutcome.EVIDENCE


@dataclass(frozen=True)
class TrackLink:
    track_id: int
    is_required: bool = True
    for_recertification: bool = False


HOURS_STEP = Decimal("0.1")
MAX_HOURS = Decimal("99999.9")


def _check_course_fields(code: str, title: str, hours: Any, languages: Sequence[str]) -> Decimal:
    if not (code or "").strip():
        raise ValidationError(_("Enter a course code."), field="code")
    if not (title or "").strip():
        raise ValidationError(_("Enter a title."), field="title")
    try:
        value = Decimal(str(hours))
        if not value.is_finite():
            raise InvalidOperation
        # Stored with one decimal (NUMERIC(6, 1)): check what will be stored, not what was
        # typed, so 0.01 is refused here rather than by the database's CHECK.
        value = value.quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Hours must be a number."), field="hours") from exc
    if value <= 0:
        raise ValidationError(_("Hours must be more than zero."), field="hours")
    if value > MAX_HOURS:
        raise ValidationError(
            _("A course lasts at most %(hours)s hours.", hours=MAX_HOURS), field="hours"
        )
    unknown = [lang for lang in languages if lang not in LANGUAGE_CODES]
    if unknown or not languages:
        raise ValidationError(_("Choose at least one known language."), field="languages")
    return value


def _set_competencies(session: Session, course: Course, links: Iterable[CompetencyLink]) -> None:
    wanted: dict[int, CompetencyLink] = {}
    for link in links:
        if link.competency_id in wanted:
            raise ValidationError(_("A competency is listed twice."), field="competencies")
        wanted[link.competency_id] = link
    competencies = {
        c.id: c
        for c in session.scalars(sa.select(Competency).where(Competency.id.in_(list(wanted))))
    }
    for competency_id, link in wanted.items():
        competency = competencies.get(competency_id)
        if competency is None:
            raise ValidationError(_("Unknown competency."), field="competencies")
        level = session.get(ScaleLevel, link.level_id)
        if level is None or level.scale_id != competency.framework.scale_id:
            raise ValidationError(
                _(
                    "The level chosen for %(code)s is not on its framework's scale.",
                    code=competency.code,
                ),
                field="competencies",
            )
    existing = {cc.competency_id: cc for cc in course.competencies}
    for competency_id, cc in existing.items():
        if competency_id not in wanted:
            course.competencies.remove(cc)
    for competency_id, link in wanted.items():
        cc = existing.get(competency_id)
        if cc is None:
            course.competencies.append(
                CourseCompetency(
                    competency_id=competency_id, level_id=link.level_id, outcome=link.outcome
                )
            )
        else:
            cc.level_id, cc.outcome = link.level_id, link.outcome


def _set_tracks(session: Session, course: Course, links: Iterable[TrackLink]) -> set[int]:
    """Set the tracks the course is on; returns the tracks whose requirements changed."""
    wanted = {link.track_id: link for link in links}
    for track_id in wanted:
        if session.get(Track, track_id) is None:
            raise ValidationError(_("Unknown track."), field="tracks")
    changed: set[int] = set()
    existing = {tc.track_id: tc for tc in course.track_links}
    for track_id, tc in existing.items():
        if track_id not in wanted:
            course.track_links.remove(tc)
            changed.add(track_id)
    for track_id, link in wanted.items():
        tc = existing.get(track_id)
        if tc is None:
            course.track_links.append(
                TrackCourse(
                    track_id=track_id,
                    is_required=link.is_required,
                    for_recertification=link.for_recertification,
                )
            )
            changed.add(track_id)
        elif (tc.is_required, tc.for_recertification) != (
            link.is_required,
            link.for_recertification,
        ):
            tc.is_required, tc.for_recertification = link.is_required, link.for_recertification
            changed.add(track_id)
    return changed


def _requirements_changed(session: Session, track_ids: set[int]) -> None:
    """Tell the features above (progress's stored summaries) once the links are flushed."""
    if track_ids:
        session.flush()
        signals.track_requirements_changed.send(session, track_ids=sorted(track_ids))


def _set_prerequisites(session: Session, course: Course, ids: Iterable[int]) -> None:
    ids = set(ids)
    if course.id in ids:
        raise ValidationError(_("A course cannot be its own prerequisite."), field="prerequisites")
    prerequisites = list(session.scalars(sa.select(Course).where(Course.id.in_(ids))))
    if len(prerequisites) != len(ids):
        raise ValidationError(_("Unknown prerequisite course."), field="prerequisites")
    # Refuse cycles: no prerequisite may (transitively) require this course.
    if course.id is not None:
        frontier, seen = set(ids), set()
        while frontier:
            if course.id in frontier:
                raise ValidationError(
                    _("These prerequisites would make a cycle."), field="prerequisites"
                )
            seen |= frontier
            rows = session.scalars(sa.select(Course).where(Course.id.in_(frontier))).all()
            frontier = {p.id for c in rows for p in c.prerequisites} - seen
    course.prerequisites = sorted(prerequisites, key=lambda c: c.code)


def create_course(
    session: Session,
    *,
    actor: Any,
    code: str,
    title: str,
    delivery_mode: DeliveryMode | str,
    hours: Any,
    languages: Sequence[str],
    summary: str = "",
    objectives: str = "",
    status: CourseStatus | str = CourseStatus.DRAFT,
    competencies: Iterable[CompetencyLink] = (),
    tracks: Iterable[TrackLink] = (),
    prerequisite_ids: Iterable[int] = (),
    results_from_start: bool = False,
    french: dict[str, str | None] | None = None,
) -> Course:
    hours = _check_course_fields(code, title, hours, languages)
    code = code.strip().upper()
    if session.scalar(sa.select(Course.id).where(Course.code == code)):
        raise ConflictError(
            _("A course with the code %(code)s already exists.", code=code), field="code"
        )
    course = Course(
        code=code,
        title=title.strip(),
        summary=summary or "",
        objectives=objectives or "",
        delivery_mode=DeliveryMode(delivery_mode),
        hours=hours,
        languages=list(dict.fromkeys(languages)),  # each language once
        status=CourseStatus(status),
        results_from_start=bool(results_from_start),
    )
    apply_french(course, french, FRENCH_FIELDS)
    session.add(course)
    session.flush()
    _set_competencies(session, course, competencies)
    changed = _set_tracks(session, course, tracks)
    _set_prerequisites(session, course, prerequisite_ids)
    session.flush()
    _requirements_changed(session, changed)
    record_change(
        session,
        actor=actor,
        action="course.created",
        entity=course,
        after=snapshot(course, COURSE_FIELDS),
        summary=code,
    )
    return course


def update_course(
    session: Session,
    course: Course,
    *,
    actor: Any,
    code: str,
    title: str,
    delivery_mode: DeliveryMode | str,
    hours: Any,
    languages: Sequence[str],
    summary: str,
    objectives: str,
    status: CourseStatus | str,
    competencies: Iterable[CompetencyLink],
    tracks: Iterable[TrackLink],
    prerequisite_ids: Iterable[int],
    results_from_start: bool | None = None,
    french: dict[str, str | None] | None = None,
) -> Course:
    """``results_from_start`` None keeps the course's setting; ``french`` None its French
    text."""
    with audited(
        session, course, COURSE_FIELDS, actor=actor, action="course.updated", summary=lambda: code
    ):
        hours = _check_course_fields(code, title, hours, languages)
        code = code.strip().upper()
        clash = session.scalar(
            sa.select(Course.id).where(Course.code == code, Course.id != course.id)
        )
        if clash:
            raise ConflictError(
                _("A course with the code %(code)s already exists.", code=code), field="code"
            )
        course.code, course.title = code, title.strip()
        course.summary, course.objectives = summary or "", objectives or ""
        course.delivery_mode, course.hours = DeliveryMode(delivery_mode), hours
        course.languages, course.status = list(dict.fromkeys(languages)), CourseStatus(status)
        if results_from_start is not None:
            course.results_from_start = bool(results_from_start)
        apply_french(course, french, FRENCH_FIELDS)
        _set_competencies(session, course, competencies)
        changed = _set_tracks(session, course, tracks)
        _set_prerequisites(session, course, prerequisite_ids)
        session.flush()
    _requirements_changed(session, changed)
    return course


def catalogue_query(
    *,
    q: str = "",
    track_id: int | None = None,
    competency_id: int | None = None,
    mode: str = "",
    language: str = "",
    include_unpublished: bool = False,
    status: str = "",
) -> sa.Select:
    """The catalogue search. Drafts and retired courses only for editors
    (``include_unpublished``), who may also filter by ``status``."""
    stmt = sa.select(Course)
    if not include_unpublished:
        stmt = stmt.where(Course.status == CourseStatus.PUBLISHED)
    elif status in {s.value for s in CourseStatus}:
        stmt = stmt.where(Course.status == status)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Course.title).like(like),
                sa.func.lower(sa.func.coalesce(Course.title_fr, "")).like(like),
                sa.func.lower(Course.code).like(like),
                sa.func.lower(Course.summary).like(like),
            )
        )
    if track_id:
        stmt = stmt.where(
            Course.id.in_(sa.select(TrackCourse.course_id).where(TrackCourse.track_id == track_id))
        )
    if competency_id:
        stmt = stmt.where(
            Course.id.in_(
                sa.select(CourseCompetency.course_id).where(
                    CourseCompetency.competency_id == competency_id
                )
            )
        )
    if mode in {m.value for m in DeliveryMode}:
        stmt = stmt.where(Course.delivery_mode == mode)
    if language in LANGUAGE_CODES:
        # Languages are a short JSON list; a text match on the quoted code is portable.
        stmt = stmt.where(sa.cast(Course.languages, sa.String).like(f'%"{language}"%'))
    return stmt.order_by(Course.code)


def courses_developing(session: Session, competency: Competency) -> list[CourseCompetency]:
    return list(
        session.scalars(
            sa.select(CourseCompetency)
            .join(Course)
            .where(
                CourseCompetency.competency_id == competency.id,
                Course.status == CourseStatus.PUBLISHED,
            )
            .order_by(Course.code)
        )
    )


def catalogue_filter_options(session: Session) -> tuple[list[Track], list[Competency]]:
    """The catalogue's filter choices: every track, and the competencies of published
    frameworks (a draft framework's competencies are not searchable yet)."""
    tracks = list(session.scalars(sa.select(Track).order_by(Track.name)))
    competencies = list(
        session.scalars(
            sa.select(Competency)
            .join(Framework)
            .where(Framework.status == FrameworkStatus.PUBLISHED)
            .order_by(Competency.code)
        )
    )
    return tracks, competencies


@dataclass(frozen=True)
class CourseFormOptions:
    prerequisites: list[Course]
    tracks: list[Track]
    competencies: list[Competency]


def course_form_options(session: Session, course: Course | None) -> CourseFormOptions:
    """What the course form offers: other courses as prerequisites, every track, and the
    competencies of frameworks that are not archived (with their framework loaded)."""
    courses = session.scalars(sa.select(Course).order_by(Course.code)).all()
    return CourseFormOptions(
        prerequisites=[c for c in courses if course is None or c.id != course.id],
        tracks=list(session.scalars(sa.select(Track).order_by(Track.name))),
        competencies=list(
            session.scalars(
                sa.select(Competency)
                .join(Framework)
                .options(joinedload(Competency.framework))
                .where(Framework.status != FrameworkStatus.ARCHIVED)
                .order_by(Framework.code, Competency.code)
            )
        ),
    )


def recertification_courses(session: Session, track: Track) -> list[Course]:
    """The courses of a track's shorter recertification path."""
    return list(
        session.scalars(
            sa.select(Course)
            .join(TrackCourse)
            .where(TrackCourse.track_id == track.id, TrackCourse.for_recertification.is_(True))
            .order_by(Course.code)
        )
    )
