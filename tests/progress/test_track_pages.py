"""Track pages: intakes and manager enrolment, the certification policy of a track."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.extensions import db
from tests.conftest import post_form


def test_intake_page_enrols_members(client, world, logged_in, make_user, make_member):
    logged_in(Role.DIRECTORATE)
    kenya = make_member(country_code="KE")
    trainee = make_user(Role.TRAINEE, member=kenya, full_name="David Otieno")
    response = post_form(
        client,
        "/intakes/",
        {
            "name": "2026 intake — Kenya",
            "track_id": str(world.specialists.id),
            "year": "2026",
            "member_administration_id": str(kenya.id),
        },
    )
    assert response.status_code == 302
    intake_url = response.headers["Location"]
    response = post_form(client, intake_url, {"user_id": str(trainee.id)}, follow_redirects=True)
    assert "David Otieno joined the intake" in response.get_data(as_text=True)


def test_editor_sets_the_certification_policy_of_a_track(client, world, logged_in):
    from lms.progress.models import TrackCertificationPolicy

    logged_in(Role.DIRECTORATE)
    url = f"/tracks/{world.specialists.id}/certification"
    assert client.get(url).status_code == 200
    response = post_form(
        client,
        url,
        {
            "validity_months": "36",
            "reminder_days_before": "90",
            "recertification_note": "Refresher course",
        },
    )
    assert response.status_code == 302
    policy = db.session.get(TrackCertificationPolicy, world.specialists.id)
    assert (policy.validity_months, policy.reminder_days_before) == (36, 90)


def test_trainee_cannot_set_a_certification_policy(client, world, logged_in):
    logged_in(Role.TRAINEE)
    url = f"/tracks/{world.specialists.id}/certification"
    assert client.get(url).status_code == 403
