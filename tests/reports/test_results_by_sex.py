"""Results by sex (participants, passed, pass rate), with a row for trainees whose sex is not
recorded: each figure counted here again from the rows the test made."""

from __future__ import annotations

from collections import Counter

import pytest

from lms.accounts.models import Region, Role, Sex
from lms.core.extensions import db
from lms.progress import services as tracks
from lms.reports.data import directorate_data
from lms.reports.data.results import Results
from lms.reports.documents import directorate_pdf
from tests.reports.conftest import complete, pdf_text
from tests.reports.test_directorate_results import END, START, fail


def test_results_by_sex_match_counts_made_from_the_rows(
    app, client, logged_in, world, make_user, make_member, senegal
):
    world.session_a.capacity = 10
    ghana = make_member(name="Ghana Revenue Authority", country_code="GH", region=Region.WCA)
    awa = make_user(Role.TRAINEE, full_name="Awa Diop", member=senegal, sex=Sex.FEMALE)
    kofi = make_user(Role.TRAINEE, full_name="Kofi Mensah", member=ghana, sex=Sex.MALE)
    abena = make_user(Role.TRAINEE, full_name="Abena Owusu", member=ghana, sex=Sex.FEMALE)
    sam = make_user(Role.TRAINEE, full_name="Sam Ndiaye", member=senegal)  # not recorded
    for trainee in (awa, kofi, abena, sam):
        tracks.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    rows = [  # (trainee, session, passed)
        (awa, world.session_a, True),
        (awa, world.session_b, True),
        (kofi, world.session_a, False),
        (abena, world.session_a, False),
        (sam, world.session_a, True),
        (sam, world.session_b, False),
    ]
    for trainee, course_session, passed in rows:
        (complete if passed else fail)(world, trainee, course_session)
    db.session.commit()

    participants, passed = Counter(), Counter()
    for trainee, _s, ok in rows:
        participants[trainee.sex] += 1
        passed[trainee.sex] += ok
    expected = [(sex, Results(participants[sex], passed[sex])) for sex in [*Sex, None]]

    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)
        tables = {t.key: t for t in data.tables()}
        pdf = directorate_pdf(data)

    assert data.results.by_sex == expected
    assert dict(data.results.by_sex)[None] == Results(2, 1)  # the not-recorded row
    assert dict(data.results.by_sex)[Sex.FEMALE] == Results(3, 2)
    table = tables["results_by_sex"]
    assert [row[0] for row in table.rows] == [
        "Female",
        "Male",
        "Prefer not to say",
        "Not recorded",
        "Total",
    ]
    assert table.rows[0][1:] == [3, 2, f"{round(100 * 2 / 3)} %"]
    assert table.rows[1][1:] == [1, 0, "0 %"]
    assert table.rows[2][1:] == [0, 0, "—"]
    assert table.rows[3][1:] == [2, 1, "50 %"]
    assert table.rows[-1][1:] == [len(rows), sum(ok for *_x, ok in rows), "50 %"]
    # Every sex row adds up to the total.
    assert sum(r.participants for _s, r in data.results.by_sex) == data.results.total.participants
    # The PDF prints the table, and the statistics page renders it.
    text, _pages = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "Results by sex" in flat and "Not recorded 2 1 50 %" in flat
    logged_in(Role.DIRECTORATE)
    html = client.get(f"/reports/statistics?start={START}&end={END}").get_data(as_text=True)
    assert "Results by sex" in html and "Prefer not to say" in html


@pytest.mark.demo
def test_demo_trainees_have_a_sex_some_not_recorded(app):
    import sqlalchemy as sa

    from lms.accounts.demo import generated_trainee_emails
    from lms.accounts.models import User

    emails = generated_trainee_emails()
    sexes = Counter(db.session.scalars(sa.select(User.sex).where(User.email.in_(emails))).all())
    assert sum(sexes.values()) == len(emails) > 0
    assert sexes[Sex.FEMALE] and sexes[Sex.MALE] and sexes[None]
