"""What is measured: each role's main pages and the PDF reports, as data. Adding a page (an
API list endpoint, say) is one line in ``PAGES``; a ``{placeholder}`` in its path is filled
from ``IDS`` (one SQL query each, against the loaded data)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

ROLES = {
    "anonymous": None,
    "trainee": "trainee@example.org",
    "trainer": "trainer@example.org",
    "manager": "manager@example.org",
    "directorate": "directorate@example.org",
    "admin": "admin@example.org",
}


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    path: str


PAGES = [
    Page("login page", "anonymous", "/auth/login"),
    Page("trainee dashboard", "trainee", "/"),
    Page("learning page", "trainee", "/learning"),
    Page("competency profile", "trainee", "/trainees/{trainee_id}"),
    Page("catalogue search", "trainee", "/courses/?q=data"),
    Page("competency page", "trainee", "/competencies/{competency_id}"),
    Page("trainer's sessions", "trainer", "/trainer/sessions"),
    Page("session roster", "trainer", "/sessions/{session_id}"),
    Page("review queue", "trainer", "/assessments/"),
    Page("trainees list", "trainer", "/trainees/"),
    Page("project portfolio", "manager", "/projects/"),
    Page("project page", "manager", "/projects/{project_id}"),
    Page("statistics page", "directorate", "/reports/statistics"),
    Page("admin users", "admin", "/admin/users"),
    Page("admin jobs", "admin", "/admin/jobs"),
]

# The record each placeholder names: the demo accounts' own (their "realistic share"), the
# biggest of them where there is a choice, so a page shows the most its role would see.
IDS = {
    "trainee_id": "SELECT id FROM users WHERE email = 'trainee@example.org'",
    "competency_id": (
        "SELECT competency_id FROM competency_ratings GROUP BY competency_id "
        "ORDER BY count(*) DESC, competency_id LIMIT 1"
    ),
    "session_id": (
        "SELECT st.session_id FROM session_trainers st JOIN users u ON u.id = st.user_id "
        "LEFT JOIN session_enrolments e ON e.session_id = st.session_id "
        "WHERE u.email = 'trainer@example.org' GROUP BY st.session_id "
        "ORDER BY count(e.id) DESC, st.session_id LIMIT 1"
    ),
    "project_id": (
        "SELECT pm.project_id FROM project_managers pm JOIN users u ON u.id = pm.user_id "
        "LEFT JOIN milestones m ON m.project_id = pm.project_id "
        "WHERE u.email = 'manager@example.org' GROUP BY pm.project_id "
        "ORDER BY count(m.id) DESC, pm.project_id LIMIT 1"
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(path: str) -> list[str]:
    return _PLACEHOLDER.findall(path)


def resolve(path: str, ids: dict[str, int | None]) -> str | None:
    """The path with its placeholders filled; None when one has no record in the data."""
    values = {}
    for name in placeholders(path):
        if ids.get(name) is None:
            return None
        values[name] = ids[name]
    return path.format(**values)


def lookup_ids(connection: sa.Connection, names: set[str]) -> dict[str, int | None]:
    return {name: connection.execute(sa.text(IDS[name])).scalar() for name in sorted(names)}


@dataclass(frozen=True)
class Pdf:
    name: str
    kind: str  # trainee, project, directorate
    all_years: bool = False


PDFS = [
    Pdf("trainee report", "trainee"),
    Pdf("project report", "project"),
    Pdf("directorate report, this year", "directorate"),
    Pdf("directorate report, all years", "directorate", all_years=True),
]

# Tables whose row counts describe the data (every other table is in the JSON too).
KEY_TABLES = [
    "users",
    "member_administrations",
    "courses",
    "course_sessions",
    "session_enrolments",
    "competency_ratings",
    "competency_evidence",
    "track_enrolments",
    "certificates",
    "projects",
    "milestones",
    "indicators",
    "indicator_actuals",
]
