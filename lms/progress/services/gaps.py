"""Gap analysis: what a trainee still lacks on a track, and the courses and sessions that
would close each gap."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.courses.models import (
    Course,
    CourseCompetency,
    CourseSession,
)
from lms.courses.services import next_open_sessions
from lms.frameworks.models import (
    ScaleLevel,
    Track,
)
from lms.progress.services.tracks import TargetStatus, track_progress


@dataclass
class Gap:
    status: TargetStatus
    courses: list[CourseCompetency]
    sessions: dict[int, list[CourseSession]]


def gap_analysis(session: Session, user: User, track: Track, *, today: date) -> list[Gap]:
    """Each competency below target, with the published courses that develop it to the target
    level or above, and their next open sessions."""

    progress = track_progress(session, user, track)
    gaps = progress.gaps
    if not gaps:
        return []
    links = session.scalars(
        sa.select(CourseCompetency)
        .options(joinedload(CourseCompetency.course))
        .join(Course)
        .join(ScaleLevel, ScaleLevel.id == CourseCompetency.level_id)
        .where(
            CourseCompetency.competency_id.in_([g.competency.id for g in gaps]),
            Course.status == "published",
        )
    ).all()
    by_competency: dict[int, list[CourseCompetency]] = defaultdict(list)
    for link in links:
        by_competency[link.competency_id].append(link)
    upcoming = next_open_sessions(session, [link.course_id for link in links], today)
    result = []
    for status in gaps:
        useful = [
            link
            for link in by_competency[status.competency.id]
            if link.level.position >= status.target_level.position
        ]
        useful.sort(key=lambda link: link.course.code)
        result.append(
            Gap(
                status,
                useful,
                {link.course_id: upcoming.get(link.course_id, [])[:3] for link in useful},
            )
        )
    return result
