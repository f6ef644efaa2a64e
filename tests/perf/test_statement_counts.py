"""SQL statements per page stay constant as the data grows.

The programme is built at two sizes (``SIZES``: the growth of the larger is three times the
smaller's); each main page is requested by the same role at each size and the statements
its request sends are counted. A page whose count grows with the data loads something row by
row (an N+1) and fails here with both counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.accounts.demo import DEMO_PASSWORD
from lms.core.extensions import db
from tests.conftest import FreshContextClient, _config, clean_database, csrf_token, login
from tests.perf.programme import DEMO_TRAINEES, TODAY, Programme, build_programme

SIZES = {"small": 1, "large": 3}


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


@pytest.fixture(scope="module")
def counts(database_url, _schema) -> Iterator[dict[str, dict[str, tuple[int, int]]]]:
    """{page: {size: (status, statements)}} for every page at every size."""
    figures: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in PAGES}
    config = _config(database_url, LMS_TODAY=TODAY.isoformat(), LMS_DEMO_TRAINEES=DEMO_TRAINEES)
    for size, scale in SIZES.items():
        app = create_app(config)
        app.test_client_class = FreshContextClient
        with app.app_context():
            clean_database()
            programme = build_programme(db.session, scale)
            db.session.commit()
            for name, figure in _measure(app, programme).items():
                figures[name][size] = figure
            db.session.remove()
            clean_database()
            db.engine.dispose()
    yield figures


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


def test_the_data_grows_between_the_sizes(counts, database_url, _schema):
    """The larger programme really holds more of what the pages list (else the counts
    above would be equal for nothing): measured on the pages' own figures."""
    # Statement counts alone cannot show it; the builder's own totals are checked instead.
    config = _config(database_url, LMS_TODAY=TODAY.isoformat(), LMS_DEMO_TRAINEES=DEMO_TRAINEES)
    app = create_app(config)
    totals = {}
    with app.app_context():
        for size, scale in SIZES.items():
            clean_database()
            build_programme(db.session, scale)
            db.session.commit()
            totals[size] = {
                table: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
                for table in ("users", "session_enrolments", "competency_ratings", "job_runs")
            }
            db.session.remove()
        clean_database()
        db.engine.dispose()
    for table, small in totals["small"].items():
        assert totals["large"][table] > small, (table, totals)
