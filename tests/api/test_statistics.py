"""/api/v1/statistics: the statistics page's figures, for the staff who see that page."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress import services as progress
from tests.api.conftest import assert_problem


def test_the_figures_count_trainees_once_and_are_for_staff_only(
    client, world, make_user, make_member, make_token
):
    member = make_member(name="Kenya Revenue Authority")
    joined = [make_user(Role.TRAINEE, member=member) for _ in range(3)]
    for trainee in joined:
        progress.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    db.session.commit()
    year = {"start": "2026-01-01", "end": "2026-12-31"}
    body = client.get(
        "/api/v1/statistics", headers=make_token(make_user(Role.DIRECTORATE)), query_string=year
    )
    assert body.status_code == 200, body.get_data(as_text=True)
    figures = body.get_json()
    assert figures["total"] == {"enrolled": len(joined), "completed": 0, "certified": 0}
    by_track = {row["name"]: row["enrolled"] for row in figures["by_track"]}
    assert by_track[world.specialists.name] == len(joined)
    assert sum(row["enrolled"] for row in figures["by_region"]) == len(joined)
    for role in (Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER):
        refused = client.get("/api/v1/statistics", headers=make_token(make_user(role)))
        assert_problem(refused, 403)


def test_a_period_ending_before_it_starts_is_refused(client, make_user, make_token):
    response = client.get(
        "/api/v1/statistics?start=2026-05-01&end=2026-04-01",
        headers=make_token(make_user(Role.ADMIN)),
    )
    assert assert_problem(response, 422)["errors"].keys() == {"end"}
