"""The synthetic data generator: XS into an empty database (SQLite or PostgreSQL, whichever
the suite runs on; PostgreSQL checks every constraint as the rows arrive), its counts against
the size table, the invariants the pages rely on, the demo accounts' logins and pages, and the
refusal to touch a database that holds data."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.courses.models import (
    CourseCompetency,
    CourseSession,
    SessionEnrolment,
    session_trainers,
)
from lms.generate import SIZES, generate
from lms.progress.models import (
    Certificate,
    CompetencyEvidence,
    CompetencyRating,
    TrackEnrolment,
)
from lms.projects.models import Milestone, Project, project_managers
from tests.conftest import login

# The size table as the issue states it (XL) and as the README declares the others.
DECLARED = {
    "XS": (60, 21, 20, 30, 500, 1_500, 3, 60, 24),
    "S": (300, 40, 40, 150, 3_000, 9_000, 10, 500, 200),
    "M": (1_500, 90, 120, 750, 15_000, 45_000, 25, 1_250, 500),
    "L": (5_000, 180, 250, 2_500, 50_000, 150_000, 50, 2_500, 1_000),
    "XL": (10_000, 180, 500, 5_000, 100_000, 300_000, 100, 5_000, 2_000),
    "XXL": (20_000, 180, 1_000, 10_000, 200_000, 600_000, 200, 10_000, 4_000),
}
FIELDS = (
    "users",
    "members",
    "courses",
    "sessions",
    "enrolments",
    "ratings",
    "projects",
    "milestones",
    "indicators",
)
TODAY = date(2026, 6, 15)


def test_the_ladder_keeps_its_proportions():
    for name, values in DECLARED.items():
        assert tuple(getattr(SIZES[name], f) for f in FIELDS) == values, name
    xl, xxl, large = SIZES["XL"], SIZES["XXL"], SIZES["L"]
    for field in FIELDS:
        if field == "members":
            continue  # the programme has 180 administrations at every large size
        assert getattr(xxl, field) == 2 * getattr(xl, field), field
        assert getattr(large, field) * 2 == getattr(xl, field), field


@pytest.fixture
def generated(app):
    counts = generate(db.session, "XS", seed=3, today=TODAY)
    db.session.commit()
    return counts


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_xs_counts_follow_the_size_table(generated):
    xs = dict(zip(FIELDS, DECLARED["XS"], strict=True))
    expected = {
        "users": xs["users"],
        "member_administrations": xs["members"],
        "courses": xs["courses"],
        "course_sessions": xs["sessions"],
        "session_enrolments": xs["enrolments"],
        "competency_ratings": xs["ratings"],
        "competency_evidence": xs["ratings"],
        "projects": xs["projects"],
        "milestones": xs["milestones"],
        "indicators": xs["indicators"],
    }
    assert {table: generated[table] for table in expected} == expected
    assert _count(User) == 60 and _count(SessionEnrolment) == 500
    # Every rating is audited, as the rating service does.
    audited = db.session.scalar(
        sa.text("SELECT count(*) FROM audit_entries WHERE action = 'rating.recorded'")
    )
    assert audited == 1_500


def test_every_reference_resolves(generated):
    """Every foreign key of every table points at a row (PostgreSQL also refused any that did
    not as the rows arrived; SQLite is asked here, key by key)."""
    checked = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child = fk.parent
            referred = fk.column.table.alias()  # an alias: some tables refer to themselves
            parent = referred.c[fk.column.name]
            dangling = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .outerjoin(referred, parent == child)
                .where(child.is_not(None), parent.is_(None))
            )
            assert dangling == 0, f"{table.name}.{child.name}"
            checked += 1
    assert checked > 100


def test_semantic_invariants(generated):
    xs = SIZES["XS"]
    # Course evidence and course ratings come from an enrolment in a session of a course that
    # develops that competency.
    for model in (CompetencyEvidence, CompetencyRating):
        orphans = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .join(SessionEnrolment, SessionEnrolment.id == model.session_enrolment_id)
            .join(CourseSession, CourseSession.id == SessionEnrolment.session_id)
            .outerjoin(
                CourseCompetency,
                sa.and_(
                    CourseCompetency.course_id == CourseSession.course_id,
                    CourseCompetency.competency_id == model.competency_id,
                ),
            )
            .where(CourseCompetency.id.is_(None))
        )
        assert orphans == 0, model
        # ... and only from a passed enrolment, not before its session ended.
        early = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .join(SessionEnrolment, SessionEnrolment.id == model.session_enrolment_id)
            .where(SessionEnrolment.passed.is_not(True))
        )
        assert early == 0
    # Every enrolment carries its own xAPI registration (a column default the bulk path fills).
    registrations = db.session.scalars(sa.select(SessionEnrolment.registration)).all()
    assert registrations and None not in registrations
    assert len(set(registrations)) == len(registrations)
    # Every rater is a trainer.
    raters = set(
        db.session.scalars(
            sa.select(CompetencyRating.rated_by_id).where(CompetencyRating.rated_by_id.is_not(None))
        )
    )
    trainers = set(
        db.session.scalars(sa.select(UserRole.user_id).where(UserRole.role == Role.TRAINER))
    )
    assert raters and raters <= trainers
    # Seats taken are the seat-holding enrolments, within capacity.
    for s in db.session.scalars(sa.select(CourseSession)):
        holding = sum(
            1
            for e in s.enrolments
            if e.status.value in ("enrolled", "attended", "completed", "no_show")
        )
        assert s.seats_taken == holding <= s.capacity
        for e in s.enrolments:
            if e.status.value == "requested":
                assert s.requires_approval  # a request waits only where approval is asked
            if e.result_recorded_at is not None:
                assert e.result_recorded_at.date() > s.ends_on
    # The demo trainer's and the demo manager's shares.
    trainer = db.session.scalar(sa.select(User.id).where(User.email == "trainer@example.org"))
    runs = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(session_trainers)
        .where(session_trainers.c.user_id == trainer)
    )
    assert runs == xs.trainer_sessions
    manager = db.session.scalar(sa.select(User.id).where(User.email == "manager@example.org"))
    manages = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(project_managers)
        .where(project_managers.c.user_id == manager)
    )
    assert manages == xs.manager_projects
    # Milestones sit within their project's dates; done ones are done by today.
    for m in db.session.scalars(sa.select(Milestone)):
        p = db.session.get(Project, m.project_id)
        assert p.start_date <= m.baseline_date <= p.end_date
        assert p.start_date <= m.due_date <= p.end_date
        assert m.completed_on is None or m.completed_on <= TODAY
    # A certificate means a completed track.
    for c in db.session.scalars(sa.select(Certificate)):
        record = db.session.scalar(
            sa.select(TrackEnrolment).where(
                TrackEnrolment.user_id == c.user_id, TrackEnrolment.track_id == c.track_id
            )
        )
        assert record.status.value == "completed" and record.completed_at.date() == c.issued_on
    # The demo trainee has a full history: passed courses and completed tracks.
    trainee = db.session.scalar(sa.select(User).where(User.email == "trainee@example.org"))
    passed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SessionEnrolment)
        .where(SessionEnrolment.user_id == trainee.id, SessionEnrolment.passed.is_(True))
    )
    assert passed >= 6
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Certificate).where(Certificate.user_id == trainee.id)
    )


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("trainee@example.org", "/"),
        ("manager@example.org", "/projects/"),
        ("directorate@example.org", "/reports/statistics"),
        ("trainer@example.org", "/"),
    ],
)
def test_demo_accounts_log_in_and_their_pages_render(generated, client, email, path):
    response = login(client, email, "demo-password")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(path)
    assert page.status_code == 200


def test_the_same_seed_builds_the_same_data(generated):
    first = db.session.execute(
        sa.select(User.email, User.full_name, User.member_administration_id).order_by(User.id)
    ).all()
    from tests.conftest import clean_database

    db.session.remove()
    clean_database()
    generate(db.session, "XS", seed=3, today=TODAY)
    again = db.session.execute(
        sa.select(User.email, User.full_name, User.member_administration_id).order_by(User.id)
    ).all()
    assert again == first


def test_refuses_a_database_that_holds_data(app, make_member):
    make_member()
    db.session.commit()
    with pytest.raises(ConflictError, match="not empty"):
        generate(db.session, "XS")
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["generate", "--size", "XS"])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert _count(User) == 0


def test_new_rows_after_generation_get_fresh_ids(generated, make_user, make_member):
    """The ids were assigned by the generator; the database's own counters moved past them
    (PostgreSQL sequences), so the application's next rows do not collide."""
    highest = db.session.scalar(sa.select(sa.func.max(User.id)))
    user = make_user(Role.TRAINEE)
    used = set(db.session.scalars(sa.select(MemberAdministration.country_code)))
    free = next(a + b for a in "ZYX" for b in "ZYXWV" if a + b not in used)
    member = make_member(country_code=free)
    assert user.id > highest and member.id > SIZES["XS"].members


def test_the_command_loads_xs_and_prints_the_counts(app):
    result = app.test_cli_runner().invoke(args=["generate", "--size", "xs", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "session_enrolments" in result.output and "Size XS:" in result.output
    db.session.remove()
    assert _count(SessionEnrolment) == 500 and _count(User) == 60
    assert _planner_knows_rows("session_enrolments") == 500


def _planner_knows_rows(table: str) -> int:
    """How many rows the query planner's statistics say ``table`` holds (ANALYZE's output;
    0 or unknown before it ran)."""
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(
            sa.text("SELECT reltuples::int FROM pg_class WHERE relname = :t"), {"t": table}
        )
    if not db.session.scalar(
        sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    ):
        return 0
    stat = db.session.scalar(
        sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"), {"t": table}
    )
    return int(stat.split()[0]) if stat else 0
