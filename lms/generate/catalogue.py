"""The catalogue: the demo's framework (scale, competencies with their level indicators,
roll-up rules) and tracks through the frameworks services (a few dozen rows, audited as the
demo's are), the tracks' certification policies, then the courses in bulk: each on one track
(or none), developing some of the track's target competencies at the track's levels, a
required path per track and electives around it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.courses.models import (
    Course,
    CourseCompetency,
    CourseStatus,
    DeliveryMode,
    PassOutcome,
    TrackCourse,
)
from lms.frameworks.demo import load_frameworks
from lms.frameworks.models import Competency, ScaleLevel, Track, TrackStage, TrackTarget
from lms.generate.bulk import Loader
from lms.generate.sizes import Size
from lms.progress.models import TrackCertificationPolicy

PREFIX = {"LEADERS": "LD", "DATA-SPECIALISTS": "DS", "EXPERTS": "EX", None: "GEN"}
TRACK_SHARE = {"LEADERS": 25, "DATA-SPECIALISTS": 45, "EXPERTS": 20, None: 10}
PATH_LENGTH = {"LEADERS": 4, "DATA-SPECIALISTS": 6, "EXPERTS": 5}
STYLES = (
    "foundations",
    "in practice",
    "workshop",
    "case studies",
    "for managers",
    "masterclass",
    "clinic",
    "advanced methods",
    "regional seminar",
    "refresher",
)
MODES = [
    (DeliveryMode.WORKSHOP, 40),
    (DeliveryMode.E_LEARNING, 25),
    (DeliveryMode.VIRTUAL_CLASSROOM, 20),
    (DeliveryMode.BLENDED, 15),
]
OUTCOMES = [(PassOutcome.RATE, 60), (PassOutcome.EVIDENCE, 30), (PassOutcome.REVIEW, 10)]


@dataclass
class CourseInfo:
    id: int
    code: str
    title: str
    track: str | None
    mode: DeliveryMode
    # (competency id, level id, level position, outcome)
    links: list[tuple[int, int, int, PassOutcome]] = field(default_factory=list)


@dataclass
class Catalogue:
    framework_id: int
    tracks: dict[str, int]
    levels: dict[int, int]  # position -> level id
    level_position: dict[int, int]  # level id -> position
    targets: dict[str, dict[int, int]]  # track -> competency id -> level position
    leaves: list[int]
    courses: list[CourseInfo] = field(default_factory=list)
    paths: dict[str, list[CourseInfo]] = field(default_factory=dict)
    electives: list[CourseInfo] = field(default_factory=list)


def _framework(session: Session) -> Catalogue:
    load_frameworks(session)  # the demo's own framework, through the services
    session.flush()
    tracks = {t.code: t for t in session.scalars(sa.select(Track))}
    framework_id = tracks["DATA-SPECIALISTS"].framework_id
    levels = {
        lv.position: lv.id
        for lv in session.scalars(
            sa.select(ScaleLevel).where(
                ScaleLevel.scale_id == tracks["DATA-SPECIALISTS"].framework.scale_id
            )
        )
    }
    position = {v: k for k, v in levels.items()}
    targets: dict[str, dict[int, int]] = {code: {} for code in tracks}
    for target in session.scalars(sa.select(TrackTarget)):
        code = next(c for c, t in tracks.items() if t.id == target.track_id)
        targets[code][target.competency_id] = position[target.level_id]
    leaves = list(
        session.scalars(
            sa.select(Competency.id)
            .where(Competency.framework_id == framework_id, Competency.parent_id.is_not(None))
            .order_by(Competency.id)
        )
    )
    return Catalogue(
        framework_id=framework_id,
        tracks={code: t.id for code, t in tracks.items()},
        levels=levels,
        level_position=position,
        targets=targets,
        leaves=leaves,
    )


def build_catalogue(
    session: Session, loader: Loader, rng: random.Random, size: Size, now: datetime
) -> Catalogue:
    with loader.progress("Framework and tracks", 1) as advance:
        catalogue = _framework(session)
        advance(1)
    policies = TrackCertificationPolicy.__table__
    for code, months, days, note in (
        ("LEADERS", 24, 60, "Leaders renew by taking the current executive seminar."),
        ("DATA-SPECIALISTS", 36, 90, "The refresher course renews the certificate."),
    ):
        loader.add(
            policies,
            {
                "track_id": catalogue.tracks[code],
                "validity_months": months,
                "reminder_days_before": days,
                "recertification_note": note,
            },
        )
    stages: dict[int, list[int]] = {}
    for stage in session.scalars(sa.select(TrackStage).order_by(TrackStage.position)):
        stages.setdefault(stage.track_id, []).append(stage.id)
    names = dict(session.execute(sa.select(Competency.id, Competency.short_name)).all())

    courses, links, track_links = (
        Course.__table__,
        CourseCompetency.__table__,
        TrackCourse.__table__,
    )
    tracks = list(TRACK_SHARE)
    # Every track's required path first, so even XS has them; the rest drawn by share.
    plan: list[str | None] = [t for t in PATH_LENGTH for _ in range(PATH_LENGTH[t])]
    while len(plan) < size.courses:
        plan.append(rng.choices(tracks, list(TRACK_SHARE.values()))[0])
    numbers: dict[str | None, int] = {}
    with loader.progress("Courses", len(plan)) as advance:
        for track in plan:
            numbers[track] = numbers.get(track, 0) + 1
            number = numbers[track]
            course_id = loader.next_id(courses)
            pool = list(catalogue.targets[track]) if track else catalogue.leaves
            chosen = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
            mode = rng.choices([m for m, _ in MODES], [w for _, w in MODES])[0]
            title = f"{names[chosen[0]]}: {rng.choice(STYLES)}"
            info = CourseInfo(course_id, f"{PREFIX[track]}-{number:03d}", title, track, mode)
            loader.add(
                courses,
                {
                    "id": course_id,
                    "code": info.code,
                    "title": title,
                    "summary": f"{title}, for customs officers: methods applied to the "
                    "participants' own administration's data.",
                    "objectives": "Participants can apply the methods and explain the results.",
                    "delivery_mode": mode,
                    "hours": Decimal(rng.choice((4, 8, 12, 16, 24, 32, 40))),
                    "languages": rng.choices([["en"], ["en", "fr"], ["fr"]], [60, 30, 10])[0],
                    "status": CourseStatus.PUBLISHED,
                    "results_from_start": mode == DeliveryMode.E_LEARNING,
                    "created_at": now,
                },
            )
            for competency_id in chosen:
                target = catalogue.targets[track].get(competency_id, 2) if track else 2
                position = max(1, target - rng.choice((0, 0, 1)))
                outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
                info.links.append((competency_id, catalogue.levels[position], position, outcome))
                loader.add(
                    links,
                    {
                        "id": loader.next_id(links),
                        "course_id": course_id,
                        "competency_id": competency_id,
                        "level_id": catalogue.levels[position],
                        "outcome": outcome,
                    },
                )
            path = catalogue.paths.setdefault(track, []) if track else None
            required = path is not None and len(path) < PATH_LENGTH[track]
            if required:
                path.append(info)
            else:
                catalogue.electives.append(info)
            if track:
                track_id = catalogue.tracks[track]
                track_stages = stages.get(track_id, [])
                position = len(path) if required else PATH_LENGTH[track] + number
                stage = (
                    track_stages[
                        min(
                            len(track_stages) - 1,
                            (len(path) - 1) * len(track_stages) // PATH_LENGTH[track],
                        )
                    ]
                    if required and track_stages
                    else None
                )
                loader.add(
                    track_links,
                    {
                        "id": loader.next_id(track_links),
                        "track_id": track_id,
                        "course_id": course_id,
                        "stage_id": stage,
                        "is_required": required,
                        "for_recertification": False,
                        "position": position,
                    },
                )
            catalogue.courses.append(info)
            advance(1)
    loader.flush()
    return catalogue
