"""``trainees_in_remit`` gives, for a whole list of trainees, the answer ``can_view_trainee``
gives for each one, in a number of queries that does not grow with the list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress.models import ClaimStatus, PriorLearningClaim, ReviewRequest, ReviewStatus
from lms.progress.services import can_view_trainee, trainees_in_remit
from tests.courses.fixtures import TODAY


@pytest.fixture
def people(world, make_user, make_member, make_project):
    """Trainees reached by each rule, and viewers of every kind."""
    s = db.session
    beneficiary, elsewhere = make_member(), make_member()
    other_trainer = make_user(Role.TRAINER, email="other.trainer@example.org")
    manager = make_user(Role.PROJECT_MANAGER, email="pm@example.org")
    make_project(manager=manager, beneficiaries=[beneficiary])
    trainee = {
        name: make_user(Role.TRAINEE, email=f"{name}@example.org", member=member)
        for name, member in (
            ("in_session", elsewhere),
            ("reviewing", elsewhere),
            ("claiming", elsewhere),
            ("beneficiary", beneficiary),
            ("nobody", elsewhere),
            ("no_member", None),
        )
    }
    courses.request_enrolment(
        s, world.session_a, trainee["in_session"], actor=trainee["in_session"], today=TODAY
    )
    level = next(iter(world.levels.values()))
    s.add_all(
        [
            ReviewRequest(
                user_id=trainee["reviewing"].id,
                competency_id=world.quality.id,
                status=ReviewStatus.OPEN,
            ),
            PriorLearningClaim(
                user_id=trainee["claiming"].id,
                competency_id=world.stats.id,
                level_id=level.id,
                description="Two years in the data team",
                status=ClaimStatus.PENDING,
            ),
        ]
    )
    s.commit()
    viewers = {
        "trainer": world.trainer,
        "other trainer": other_trainer,
        "project manager": manager,
        "directorate": world.manager,
        "admin": make_user(Role.ADMIN),
        "trainee": trainee["nobody"],
        "trainer and manager": make_user([Role.TRAINER, Role.PROJECT_MANAGER]),
        "anonymous": AnonymousUserMixin(),
    }
    return trainee, viewers


def test_the_set_is_the_answer_of_can_view_trainee_for_each_trainee(people):
    trainee, viewers = people
    everyone = list(trainee.values())
    for name, viewer in viewers.items():
        one_by_one = {t.id for t in everyone if can_view_trainee(db.session, viewer, t)}
        assert trainees_in_remit(db.session, viewer, everyone) == one_by_one, name


def test_each_rule_grants_its_own_trainees(people):
    trainee, viewers = people
    everyone = list(trainee.values())
    ids = {name: t.id for name, t in trainee.items()}
    granted = {name: trainees_in_remit(db.session, v, everyone) for name, v in viewers.items()}
    waiting = {ids["reviewing"], ids["claiming"]}
    assert granted["trainer"] == {ids["in_session"]} | waiting
    assert granted["other trainer"] == waiting  # no session of hers; the queue is everyone's
    assert granted["project manager"] == {ids["beneficiary"]}
    assert granted["directorate"] == granted["admin"] == set(ids.values())
    assert granted["trainee"] == {ids["nobody"]}  # herself
    assert granted["anonymous"] == set()
    assert trainees_in_remit(db.session, viewers["admin"], []) == set()


def test_the_queries_do_not_grow_with_the_list(people, world):
    trainee, viewers = people
    everyone = list(trainee.values())
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for person in [*everyone, *viewers.values()]:  # loaded, as a page's rows are
        getattr(person, "member_administration_id", None), getattr(person, "roles", None)
    figures = {}
    for size in (2, len(everyone)):
        for name in ("trainer", "project manager", "trainer and manager"):
            statements.clear()
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                trainees_in_remit(db.session, viewers[name], everyone[:size])
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
            figures[name, size] = len(statements)
    assert figures[("trainer", 2)] == figures[("trainer", len(everyone))] == 1
    assert figures[("project manager", 2)] == figures[("project manager", len(everyone))] == 1
    assert figures[("trainer and manager", len(everyone))] == 2


def test_the_trainees_list_links_only_the_trainees_in_remit(people, client, world):
    from tests.conftest import login

    trainee, viewers = people
    login(client, viewers["project manager"])
    html = client.get("/trainees/").get_data(as_text=True)
    assert f'href="/trainees/{trainee["beneficiary"].id}"' in html
    assert f'href="/trainees/{trainee["in_session"].id}"' not in html
    assert html.count("outside your remit") == len(trainee) - 1
