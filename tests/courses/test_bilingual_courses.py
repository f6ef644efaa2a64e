"""Courses and sessions in two languages: the catalogue, the course and the session pages
show the reader's language, the other one where a text is missing; editors enter the French
text on the course and session forms."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses.models import Course, CourseSession
from tests.conftest import login, post_form


def _french_course(world) -> Course:
    course = world.course_a
    course.title_fr = "La qualité des données en douane"
    course.summary_fr = "Repérer et corriger les erreurs des déclarations."
    world.specialists.name_fr = "Spécialistes des données"
    world.session_a.venue = "Training centre, Dakar"
    world.session_a.venue_fr = "Centre de formation, Dakar"
    db.session.commit()
    return course


def test_a_french_reader_sees_french_titles_and_english_where_there_is_none(
    app, client, world, make_user
):
    course = _french_course(world)
    awa = make_user(Role.TRAINEE, email="awa@example.org", preferred_language="fr")
    login(client, awa)
    catalogue = client.get("/courses/").get_data(as_text=True)
    assert "La qualité des données en douane" in catalogue
    assert "Data quality in customs" not in catalogue
    assert "Statistics for risk analysis" in catalogue  # no French title: the English one
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Repérer et corriger les erreurs des déclarations." in page
    assert "Spécialistes des données" in page
    session_page = client.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "Centre de formation, Dakar" in session_page
    assert "La qualité des données en douane" in session_page
    # The catalogue search finds a course by its French title too.
    found = client.get("/courses/?q=qualité des données").get_data(as_text=True)
    assert "La qualité des données en douane" in found

    other = app.test_client()
    ann = make_user(Role.TRAINEE, email="ann@example.org", preferred_language="en")
    login(other, ann)
    catalogue = other.get("/courses/").get_data(as_text=True)
    assert "Data quality in customs" in catalogue
    assert "La qualité des données en douane" not in catalogue
    session_page = other.get(f"/sessions/{world.session_a.id}").get_data(as_text=True)
    assert "Training centre, Dakar" in session_page


def test_an_english_reader_sees_the_french_text_when_there_is_no_english(client, world, make_user):
    course = world.course_b
    course.summary, course.summary_fr = "", "Les statistiques au service de l'analyse des risques."
    db.session.commit()
    login(client, make_user(Role.TRAINEE, preferred_language="en"))
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Les statistiques au service de l&#39;analyse des risques." in page


def test_editors_enter_french_text_on_the_course_and_session_forms(client, world, make_user):
    login(client, world.manager)
    course = world.course_b
    edit = client.get(f"/courses/{course.id}/edit").get_data(as_text=True)
    assert 'name="title_fr"' in edit and 'name="summary_fr"' in edit
    response = post_form(
        client,
        f"/courses/{course.id}/edit",
        {
            "code": course.code,
            "title": course.title,
            "title_fr": "Statistiques pour l'analyse des risques",
            "summary": "",
            "summary_fr": "",
            "objectives": "",
            "objectives_fr": "Calculer des indicateurs de risque.",
            "delivery_mode": course.delivery_mode.value,
            "hours": "21",
            "status": "published",
            "languages": ["en", "fr"],
            "required_tracks": [str(world.specialists.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert course.title_fr == "Statistiques pour l'analyse des risques"
    assert course.summary_fr is None  # blank: the English text shows
    assert course.objectives_fr == "Calculer des indicateurs de risque."

    course_session = world.session_b
    form = client.get(f"/sessions/{course_session.id}/edit").get_data(as_text=True)
    assert 'name="venue_fr"' in form
    response = post_form(
        client,
        f"/sessions/{course_session.id}/edit",
        {
            "starts_on": course_session.starts_on.isoformat(),
            "ends_on": course_session.ends_on.isoformat(),
            "start_time": "09:00",
            "end_time": "17:00",
            "timezone": "UTC",
            "venue": "Online",
            "venue_fr": "En ligne",
            "virtual_link": "",
            "capacity": "10",
            "language": "en",
            "status": "open",
            "trainer_ids": [str(world.trainer.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CourseSession, course_session.id).venue_fr == "En ligne"
