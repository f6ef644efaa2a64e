"""The whole learning path through the API alone: a token from email and password, a course
and a session, a trainee joining the track and enrolling, her trainer's result, then her
progress, competencies, certificate and badge as the pages compute them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.frameworks import tracks as track_services
from lms.progress import services as progress
from tests.api.conftest import basic
from tests.conftest import TEST_PASSWORD
from tests.courses.fixtures import TODAY, after


def test_a_trainee_completes_a_track_through_the_api(client, world, make_user, monkeypatch):
    s = db.session
    track = track_services.create_track(
        s, actor=world.manager, code="API", name="API track", framework=world.framework
    )
    s.flush()
    practitioner = world.levels["Practitioner"]
    track_services.set_targets(s, track, {world.stats.id: practitioner.id}, actor=world.manager)
    s.commit()
    editor = make_user(Role.DIRECTORATE, email="editor@example.org")
    trainee = make_user(Role.TRAINEE, email="learner@example.org")

    def token_for(user) -> dict[str, str]:
        response = client.post(
            "/api/v1/tokens", headers=basic(user.email, TEST_PASSWORD), json={"name": "path"}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    as_editor, as_trainee, as_trainer = (
        token_for(editor),
        token_for(trainee),
        token_for(world.trainer),
    )

    course = client.post(
        "/api/v1/courses",
        headers=as_editor,
        json={
            "code": "api-101",
            "title": "Statistics through the API",
            "delivery_mode": "workshop",
            "hours": 7,
            "languages": ["en"],
            "status": "published",
            "competencies": [
                {"competency_id": world.stats.id, "level_id": practitioner.id, "outcome": "rate"}
            ],
            "tracks": [{"track_id": track.id}],
        },
    )
    assert course.status_code == 201, course.get_data(as_text=True)
    course = course.get_json()
    assert course["code"] == "API-101"
    assert course["activity_id"] == "http://localhost/xapi/activities/course/API-101"

    session = client.post(
        "/api/v1/sessions",
        headers=as_editor,
        json={
            "course_id": course["id"],
            "starts_on": (TODAY + timedelta(days=5)).isoformat(),
            "ends_on": (TODAY + timedelta(days=6)).isoformat(),
            "capacity": 5,
            "timezone": "Africa/Nairobi",
            "trainer_ids": [world.trainer.id],
        },
    )
    assert session.status_code == 201, session.get_data(as_text=True)
    session = session.get_json()
    assert session["trainer_ids"] == [world.trainer.id]

    joined = client.post(f"/api/v1/tracks/{track.id}/enrolments", headers=as_trainee, json={})
    assert joined.status_code == 201, joined.get_data(as_text=True)
    enrolment = client.post(
        f"/api/v1/sessions/{session['id']}/enrolments", headers=as_trainee, json={}
    )
    assert enrolment.status_code == 201, enrolment.get_data(as_text=True)
    enrolment = enrolment.get_json()
    assert enrolment["status"] == "enrolled" and enrolment["user_id"] == trainee.id

    before = client.get(
        f"/api/v1/users/{trainee.id}/tracks/{track.id}/progress", headers=as_trainee
    ).get_json()
    assert before["percent"] == 0 and not before["complete"] and before["enrolled"]

    from lms.courses.models import CourseSession

    ended = after(db.session.get(CourseSession, session["id"]))
    monkeypatch.setattr(clock, "now", lambda: ended)
    monkeypatch.setattr(clock, "today", lambda: ended.date())
    result = client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        headers=as_trainer,
        json={"status": "attended", "result": {"score": 86.5, "passed": True}},
    )
    assert result.status_code == 200, result.get_data(as_text=True)
    result = result.get_json()
    assert result["status"] == "completed" and result["passed"] is True
    assert Decimal(result["score"]) == Decimal("86.5")

    done = client.get(
        f"/api/v1/users/{trainee.id}/tracks/{track.id}/progress", headers=as_trainee
    ).get_json()
    expected = progress.track_progress(db.session, trainee, track)  # the record page's figures
    assert done["percent"] == expected.percent == 100
    assert done["complete"] is True
    assert [t["met"] for t in done["targets"]] == [True]

    levels = client.get(f"/api/v1/users/{trainee.id}/competencies", headers=as_trainee).get_json()
    stats = next(item for item in levels["items"] if item["competency_id"] == world.stats.id)
    assert stats["current"]["level"] == "Practitioner"
    assert len(stats["history"]) == 1

    certificates = client.get("/api/v1/certificates", headers=as_trainee).get_json()
    assert [(c["track_id"], c["status"]) for c in certificates["items"]] == [(track.id, "valid")]
    assert certificates["total"] == 1

    # The completion's badge, and its baked image and hosted assertion where the API says.
    badges = client.get("/api/v1/badges", headers=as_trainee).get_json()
    (badge,) = badges["items"]
    assert badge["track_id"] == track.id and badge["revoked"] is False
    assert badge["certificate_id"] == certificates["items"][0]["id"]
    assert badge["recipient_email"] == trainee.email
    baked = client.get(urlsplit(badge["baked_url"]).path)
    assert baked.status_code == 200 and baked.mimetype == "image/png"
    assert baked.data.startswith(b"\x89PNG") and b"openbadges" in baked.data
    assertion = client.get(
        urlsplit(badge["assertion_url"]).path, headers={"Accept": "application/json"}
    )
    assert assertion.get_json()["id"] == badge["assertion_url"]
    assert client.get(urlsplit(badge["issuer_key_url"]).path).status_code == 200
