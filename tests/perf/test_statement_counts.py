"""SQL statements per page stay constant as the data grows.

The data is made by the generator (``lms.generate``) at two sizes of its ladder, XS and S
(``SIZES``); each main page is requested by the same demo account at each size and the
statements its request sends are counted. A page whose count grows with the data loads
something row by row (an N+1) and fails here with both counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms import create_app
from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import User
from lms.core.extensions import db
from lms.courses.models import Course, CourseSession, SessionEnrolment, session_trainers
from lms.frameworks.models import TrackTarget
from lms.generate import SIZES as LADDER
from lms.generate import Size, generate
from lms.notifications.models import Notification
from lms.progress.models import (
    CompetencyRating,
    ReviewRequest,
    ReviewStatus,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.progress.services import rebuild_track_summaries, track_progress_summaries
from lms.projects.models import (
    Indicator,
    Milestone,
    Project,
    project_focal_points,
    project_managers,
)
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, ScheduledJob
from lms.scheduler.services import sync_jobs
from tests.conftest import FreshContextClient, _config, clean_database, csrf_token, login

SIZES = ("XS", "S")
TODAY = date(2026, 3, 2)
SEARCH = "customs officers"  # every generated course's summary says it is for customs officers
DEMO_ACCOUNTS = (
    "trainee@example.org",
    "trainer@example.org",
    "manager@example.org",
    "admin@example.org",
    "directorate@example.org",
)


@dataclass(frozen=True)
class Programme:
    """The records each measured page is about, found in the generated data."""

    trainee_id: int  # trainee@example.org
    competency_id: int  # the competency the demo trainee is rated on most often
    session_id: int  # the demo trainer's busiest session (most enrolments)
    project_id: int  # the demo manager's first project by code with co-managers and focal points
    search: str = SEARCH


def _user_id(session: Session, email: str) -> int:
    user_id = session.scalar(sa.select(User.id).where(User.email == email))
    assert user_id is not None, f"the generator made no {email}"
    return user_id


def _find_programme(session: Session) -> Programme:
    trainee_id = _user_id(session, "trainee@example.org")
    trainer_id = _user_id(session, "trainer@example.org")
    manager_id = _user_id(session, "manager@example.org")
    ratings = sa.func.count(CompetencyRating.id)
    competency_id = session.scalars(
        sa.select(CompetencyRating.competency_id)
        .where(CompetencyRating.user_id == trainee_id)
        .group_by(CompetencyRating.competency_id)
        .order_by(ratings.desc(), CompetencyRating.competency_id)
    ).first()
    enrolments = sa.func.count(SessionEnrolment.id)
    session_id = session.scalars(
        sa.select(CourseSession.id)
        .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
        .outerjoin(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
        .where(session_trainers.c.user_id == trainer_id)
        .group_by(CourseSession.id)
        .order_by(enrolments.desc(), CourseSession.id)
    ).first()

    def others_in(table) -> sa.Case:  # 0 when the project has someone else in that table
        other = table.alias()
        others = sa.exists().where(other.c.project_id == Project.id, other.c.user_id != manager_id)
        return sa.case((others, 0), else_=1)

    project_id = session.scalars(
        sa.select(Project.id)
        .join(project_managers, project_managers.c.project_id == Project.id)
        .where(project_managers.c.user_id == manager_id)
        .order_by(others_in(project_managers), others_in(project_focal_points), Project.code)
    ).first()
    assert None not in (competency_id, session_id, project_id), "a page has nothing to show"
    return Programme(trainee_id, competency_id, session_id, project_id)


def _add_jobs_and_notifications(session: Session, size: Size) -> None:
    """What the generator leaves out, in proportion to the size: the registered jobs with a
    run history (the admin jobs page) and unread and read notifications of the demo accounts
    (the navbar's count)."""
    sync_jobs(session)
    start = datetime.combine(TODAY, datetime.min.time(), UTC) - timedelta(days=30)
    runs = size.trainer_sessions  # 6 at XS, 15 at S
    for job in session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.id)):
        for k in range(runs):
            begun = start + timedelta(hours=k)
            failed = k % 3 == 2
            session.add(
                JobRun(
                    job_id=job.id,
                    trigger=RunTrigger.SCHEDULE,
                    started_at=begun,
                    finished_at=begun + timedelta(seconds=2),
                    duration_ms=2000,
                    status=JobRunStatus.FAILED if failed else JobRunStatus.OK,
                    error="Timed out" if failed else None,
                )
            )
    for email in DEMO_ACCOUNTS:
        user_id = _user_id(session, email)
        for n in range(runs):
            session.add(
                Notification(
                    user_id=user_id,
                    kind="session.reminder",
                    title=f"Reminder {n}",
                    link="/",
                    read_at=None if n % 2 else start,
                )
            )
    session.flush()


def _make_sections_comparable(session: Session) -> None:
    """What the generator may leave empty at the smaller size, so that each page shows the
    same sections at both sizes (an empty section sends no statements for its rows): an open
    review request of the demo trainee, a session of the demo trainer this week, and an active
    track with gaps for the demo trainee."""
    trainee = session.get(User, _user_id(session, "trainee@example.org"))
    trainer = session.get(User, _user_id(session, "trainer@example.org"))
    competency_id = session.scalar(
        sa.select(CompetencyRating.competency_id)
        .where(CompetencyRating.user_id == trainee.id)
        .order_by(CompetencyRating.competency_id.desc())
    )
    session.add(
        ReviewRequest(
            user_id=trainee.id,
            competency_id=competency_id,
            note="Please review.",
            status=ReviewStatus.OPEN,
        )
    )
    monday = TODAY - timedelta(days=TODAY.weekday())
    course = session.scalars(sa.select(Course).order_by(Course.id)).first()
    this_week = CourseSession(
        course_id=course.id, starts_on=monday, ends_on=monday + timedelta(days=1), capacity=20
    )
    this_week.trainers.append(trainer)
    session.add(this_week)
    summaries = track_progress_summaries(session, [trainee.id]).values()
    if not any(s.enrolment_status == TrackEnrolmentStatus.ACTIVE and s.gaps for s in summaries):
        enrolled = sa.select(TrackEnrolment.track_id).where(TrackEnrolment.user_id == trainee.id)
        track_id = session.scalar(
            sa.select(TrackTarget.track_id)
            .where(TrackTarget.track_id.not_in(enrolled))
            .order_by(TrackTarget.track_id)
        )
        session.add(
            TrackEnrolment(
                user_id=trainee.id, track_id=track_id, status=TrackEnrolmentStatus.ACTIVE
            )
        )
        session.flush()
        rebuild_track_summaries(session, [trainee.id])
    session.flush()


@dataclass(frozen=True)
class Page:
    name: str
    email: str  # the demo account the page is seen as
    path: Callable[[Programme], str]
    status: int = 200
    form: Callable[[Programme], dict] | None = None  # a POST (with a CSRF token) when given


PAGES = {
    page.name: page
    for page in (
        Page("login page", "", lambda p: "/auth/login"),
        Page("trainee dashboard", "trainee@example.org", lambda p: "/"),
        Page("learning page", "trainee@example.org", lambda p: "/learning"),
        Page("competency profile", "trainee@example.org", lambda p: f"/trainees/{p.trainee_id}"),
        Page(
            "competency page",
            "trainer@example.org",
            lambda p: f"/trainees/{p.trainee_id}/competencies/{p.competency_id}",
        ),
        Page("catalogue search", "trainee@example.org", lambda p: f"/courses/?q={p.search}"),
        Page("session roster", "trainer@example.org", lambda p: f"/sessions/{p.session_id}"),
        Page("trainer's sessions", "trainer@example.org", lambda p: "/trainer/sessions"),
        Page("review queue", "trainer@example.org", lambda p: "/assessments/"),
        Page("trainees list", "trainer@example.org", lambda p: "/trainees/"),
        Page("trainees list (manager)", "manager@example.org", lambda p: "/trainees/"),
        Page("project portfolio", "manager@example.org", lambda p: "/projects/"),
        Page("project page", "manager@example.org", lambda p: f"/projects/{p.project_id}"),
        Page("statistics page", "directorate@example.org", lambda p: "/reports/statistics"),
        Page("admin users", "admin@example.org", lambda p: "/admin/users"),
        Page("admin jobs", "admin@example.org", lambda p: "/admin/jobs"),
        Page("admin home", "admin@example.org", lambda p: "/"),
        Page("trainer home", "trainer@example.org", lambda p: "/"),
        Page("manager home", "manager@example.org", lambda p: "/"),
        Page(
            "trainee profile (trainer)",
            "trainer@example.org",
            lambda p: f"/trainees/{p.trainee_id}",
        ),
        Page("report trainees list", "trainer@example.org", lambda p: "/reports/trainees/"),
        Page(
            "trainee PDF",
            "trainee@example.org",
            lambda p: "/reports/generate",
            status=302,
            form=lambda p: {"kind": "trainee", "format": "pdf", "user_id": str(p.trainee_id)},
        ),
    )
}


# Pages whose queries belong to other work in progress: each has its own test below.
OTHERS = ("statistics page", "project page", "project portfolio", "report trainees list")


def _count_statements(client, page: Page, programme: Programme) -> tuple[int, int]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    path = page.path(programme)
    if page.form:
        data = page.form(programme) | {"csrf_token": csrf_token(client, "/")}
        send = lambda: client.post(path, data=data)  # noqa: E731
    else:
        send = lambda: client.get(path)  # noqa: E731
    send()  # a first request may do first-request work (the base URL check)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = send()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return response.status_code, len(statements)


def _measure(app, programme: Programme) -> dict[str, tuple[int, int]]:
    clients: dict[str, FreshContextClient] = {}
    figures = {}
    for page in PAGES.values():
        if page.email not in clients:
            clients[page.email] = client = app.test_client()
            if page.email:
                response = login(client, page.email, DEMO_PASSWORD)
                assert response.status_code == 302, page.email
        figures[page.name] = _count_statements(clients[page.email], page, programme)
    return figures


def _lists(session: Session, programme: Programme) -> dict[str, int]:
    """How many rows each measured list holds: what must differ between the sizes."""
    trainer_id = _user_id(session, "trainer@example.org")
    manager_id = _user_id(session, "manager@example.org")

    def count(model, *where) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return {
        "users (admin users, trainees lists)": count(User),
        "catalogue courses matching the search": count(
            Course,
            sa.or_(
                sa.func.lower(Course.title).like(f"%{SEARCH}%"),
                sa.func.lower(Course.summary).like(f"%{SEARCH}%"),
            ),
        ),
        "enrolments in the roster session": count(
            SessionEnrolment, SessionEnrolment.session_id == programme.session_id
        ),
        "the demo trainer's sessions": count(
            session_trainers, session_trainers.c.user_id == trainer_id
        ),
        "open review requests": count(ReviewRequest, ReviewRequest.status == ReviewStatus.OPEN),
        "the demo trainee's ratings": count(
            CompetencyRating, CompetencyRating.user_id == programme.trainee_id
        ),
        "the demo trainee's ratings on the competency": count(
            CompetencyRating,
            CompetencyRating.user_id == programme.trainee_id,
            CompetencyRating.competency_id == programme.competency_id,
        ),
        "the demo trainee's enrolments": count(
            SessionEnrolment, SessionEnrolment.user_id == programme.trainee_id
        ),
        "the demo manager's projects": count(
            project_managers, project_managers.c.user_id == manager_id
        ),
        "milestones of the project": count(Milestone, Milestone.project_id == programme.project_id),
        "indicators of the project": count(Indicator, Indicator.project_id == programme.project_id),
        "job runs": count(JobRun),
        "notifications": count(Notification),
    }


@dataclass(frozen=True)
class Measured:
    statements: dict[str, dict[str, tuple[int, int]]]  # {page: {size: (status, statements)}}
    lists: dict[str, dict[str, int]]  # {size: {list: rows}}


@pytest.fixture(scope="module")
def measured(database_url, _schema) -> Iterator[Measured]:
    """The data, made once per size for the module: the generator's, plus the jobs' runs and
    the notifications it leaves out; then every page requested at every size."""
    statements: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in PAGES}
    lists: dict[str, dict[str, int]] = {}
    config = _config(database_url, LMS_TODAY=TODAY.isoformat())
    for size in SIZES:
        app = create_app(config)
        app.test_client_class = FreshContextClient
        with app.app_context():
            clean_database()
            generate(db.session, size, seed=0, today=TODAY)
            _add_jobs_and_notifications(db.session, LADDER[size])
            _make_sections_comparable(db.session)
            programme = _find_programme(db.session)
            lists[size] = _lists(db.session, programme)
            db.session.commit()
            for name, figure in _measure(app, programme).items():
                statements[name][size] = figure
            db.session.remove()
            clean_database()
            db.engine.dispose()
    yield Measured(statements, lists)


@pytest.fixture
def counts(measured) -> dict[str, dict[str, tuple[int, int]]]:
    return measured.statements


def _assert_constant(counts, name: str) -> None:
    by_size = counts[name]
    statuses = {size: status for size, (status, _n) in by_size.items()}
    assert set(statuses.values()) == {PAGES[name].status}, f"{name}: answered {statuses}"
    (small, n_small), (large, n_large) = ((s, by_size[s][1]) for s in SIZES)
    assert n_small == n_large, (
        f"{name}: {n_small} SQL statements at the {small} size, {n_large} at the {large} size"
    )


@pytest.mark.parametrize(
    "name",
    [name for name in PAGES if name not in OTHERS],
)
def test_statements_per_page_do_not_grow_with_the_data(counts, name):
    _assert_constant(counts, name)


def test_the_statistics_page_statements_do_not_grow_with_the_data(counts):
    _assert_constant(counts, "statistics page")


def test_the_project_page_statements_do_not_grow_with_the_data(counts):
    _assert_constant(counts, "project page")


def test_the_project_portfolio_statements_do_not_grow_with_the_data(counts):
    _assert_constant(counts, "project portfolio")


def test_the_report_trainees_list_statements_do_not_grow_with_the_data(counts):
    _assert_constant(counts, "report trainees list")


def test_the_data_grows_between_the_sizes(measured):
    """The larger size really holds more of every list the pages show (else the counts above
    would be equal for nothing), counted in the data the pages were requested on."""
    small, large = (measured.lists[size] for size in SIZES)
    for name, rows in small.items():
        assert large[name] > rows, f"{name}: {rows} rows at {SIZES[0]}, {large[name]} at {SIZES[1]}"
