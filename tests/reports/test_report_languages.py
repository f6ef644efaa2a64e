"""Reports in their reader's language: a run is written in the language of whoever asked for
it (on a page or in the background), and a schedule renders once per language its recipients
read, each recipient getting the file and the email in their own language.

A tiny French catalogue is installed for these tests (``tests.translations``), so the switch is
proven whatever the state of the real catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import OutboxMessage
from lms.reports import runner, services
from lms.reports.models import EmptyPolicy, Recurrence, ReportFormat, ReportKind, ReportRun
from lms.reports.services import RecipientSpec
from tests.conftest import login, post_form
from tests.reports.conftest import pdf_text
from tests.translations import install_french

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
FRENCH = {
    "Report parameters": "Paramètres du rapport",
    "Capacity LMS · generated on %(date)s": "Capacity LMS · généré le %(date)s",
    "Report ready: %(name)s": "Rapport prêt : %(name)s",
    "Profile": "Profil",
}


@pytest.fixture
def french(monkeypatch):
    install_french(monkeypatch, FRENCH)


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.recipient)))


def _runs() -> list[ReportRun]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ReportRun).order_by(ReportRun.language)))


def test_a_schedule_renders_once_per_language_and_each_recipient_gets_theirs(
    app, make_user, elodie, french
):
    director = make_user(Role.DIRECTORATE, email="director@example.org", preferred_language="en")
    fatou = make_user(Role.DIRECTORATE, email="fatou@example.org", preferred_language="fr")
    moussa = make_user(Role.DIRECTORATE, email="moussa@example.org", preferred_language="fr")
    services.save_schedule(
        db.session,
        actor=director,
        name="Monthly capacity report",
        kind=ReportKind.DIRECTORATE,
        parameters={"period": "previous_month"},
        format=ReportFormat.PDF,
        recurrence=Recurrence.MONTHLY,
        empty_policy=EmptyPolicy.SEND,
        next_run_at=NOW,
        recipients=[RecipientSpec(user_id=u.id) for u in (director, fatou, moussa)],
    )
    db.session.commit()

    runs = services.run_due_schedules(db.session, NOW)
    db.session.commit()
    assert len(runs) == 2  # one per language, not one per recipient
    english, french_run = _runs()
    assert (english.language, french_run.language) == ("en", "fr")
    english_text, _pages = pdf_text(english.content)
    french_text, _pages = pdf_text(french_run.content)
    assert "generated on" in english_text and "généré le" not in english_text
    assert "généré le" in french_text and "generated on" not in french_text

    messages = {m.recipient: m for m in _outbox()}
    assert set(messages) == {"director@example.org", "fatou@example.org", "moussa@example.org"}
    assert messages["director@example.org"].subject == "Report ready: Monthly capacity report"
    assert f"/reports/runs/{english.id}" in messages["director@example.org"].body
    for address in ("fatou@example.org", "moussa@example.org"):
        assert messages[address].subject == "Rapport prêt : Monthly capacity report"
        assert f"/reports/runs/{french_run.id}" in messages[address].body

    # Polled again for the same tick: nothing more, in either language.
    assert services.run_due_schedules(db.session, NOW) == []
    db.session.commit()
    assert len(_runs()) == 2


def test_a_report_asked_for_on_a_page_is_in_the_askers_language(client, elodie, french):
    elodie.preferred_language = "fr"
    db.session.commit()
    login(client, elodie)
    response = post_form(
        client,
        "/reports/generate",
        {"kind": "trainee", "format": "pdf", "user_id": str(elodie.id)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    run = db.session.scalar(sa.select(ReportRun))
    assert run.language == "fr"
    text, _pages = pdf_text(client.get(response.headers["Location"]).data)
    assert "Profil" in text and "généré le" in text and "generated on" not in text


def test_a_background_run_is_written_in_the_requesters_language(app, make_user, elodie, french):
    director = make_user(Role.DIRECTORATE, preferred_language="fr")
    with app.app_context():  # no request: the run records the requester's language
        run = services.request_run(
            db.session,
            user=director,
            kind="directorate",
            params={"start": "2026-01-01", "end": "2026-12-31"},
            format="pdf",
            today=date(2026, 3, 2),
        )
        db.session.commit()
        assert run.language == "fr"
        runner.execute_run(run.id)
        db.session.expire_all()
        text, _pages = pdf_text(db.session.get(ReportRun, run.id).content)
    assert "généré le" in text and "generated on" not in text
