"""The progress read models other features use: ratings as of a date, a certificate's status
on a date, a trainee's record, the trainee search, and who may rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services
from lms.progress.models import CertificateStatus, CompetencyEvidence, TrackCertificationPolicy
from tests.courses.fixtures import TODAY, after


def _rate(world, trainee, level, when):
    rating = services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels[level],
        source=services.RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    rating.rated_at = when
    return rating


def test_ratings_as_of_a_date_take_the_latest_rating_up_to_that_day(world, make_user):
    ana, ben = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    first = _rate(world, ana, "Awareness", datetime(2026, 1, 10, 9, tzinfo=UTC))
    second = _rate(world, ana, "Advanced", datetime(2026, 2, 10, 9, tzinfo=UTC))
    bens = _rate(world, ben, "Practitioner", datetime(2026, 1, 20, 9, tzinfo=UTC))
    db.session.commit()
    key = (ana.id, world.quality.id)
    assert services.ratings_as_of(db.session, on=date(2026, 1, 9)) == {}
    assert services.ratings_as_of(db.session, on=date(2026, 1, 10))[key] == first
    assert services.ratings_as_of(db.session, user_ids=[ana.id])[key] == second
    assert services.ratings_as_of(db.session, on=date(2026, 1, 31)) == {
        key: first,
        (ben.id, world.quality.id): bens,
    }
    assert services.ratings_as_of(db.session, user_ids=[]) == {}
    # The one-trainee and many-trainee shapes read the same rule.
    assert services.latest_ratings(db.session, ana.id, on=date(2026, 1, 31)) == {
        world.quality.id: first
    }
    by_competency = services.latest_ratings_for_users(
        db.session, [ana.id, ben.id], [world.quality.id]
    )
    assert by_competency[world.quality.id] == {ana.id: second, ben.id: bens}
    on_the_31st = services.latest_ratings_for_users(
        db.session, [ana.id, ben.id], [world.quality.id], on=date(2026, 1, 31)
    )
    assert on_the_31st[world.quality.id] == {ana.id: first, ben.id: bens}


def test_certificate_status_on_a_date(world, make_user):
    trainee = make_user(Role.TRAINEE)
    db.session.add(
        TrackCertificationPolicy(
            track_id=world.specialists.id, validity_months=12, reminder_days_before=30
        )
    )
    db.session.flush()
    cert = services.issue_certificate(
        db.session, trainee, world.specialists, today=TODAY, actor=world.manager
    )
    db.session.commit()
    expires = cert.expires_on
    assert expires == date(2027, 3, 2)
    status = services.certificate_status
    assert status(cert, on=TODAY) == services.CertificateState.VALID
    assert status(cert, on=expires - timedelta(days=30)) == services.CertificateState.EXPIRING
    assert status(cert, on=expires) == services.CertificateState.EXPIRING
    assert status(cert, on=expires + timedelta(days=1)) == services.CertificateState.LAPSED
    assert status(cert, on=TODAY).is_current and not status(cert, on=date(2028, 1, 1)).is_current
    cert.status = CertificateStatus.SUPERSEDED
    assert status(cert, on=TODAY) == services.CertificateState.SUPERSEDED
    cert.status = CertificateStatus.REVOKED
    assert status(cert, on=TODAY) == services.CertificateState.REVOKED


def test_a_certificate_without_expiry_stays_valid(world, make_user):
    cert = services.issue_certificate(
        db.session, make_user(Role.TRAINEE), world.specialists, today=TODAY, actor=world.manager
    )
    assert services.certificate_status(cert, on=date(2099, 1, 1)) == "valid"


def test_trainee_record_gathers_tracks_sessions_transcript_and_certificates(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    a = courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    courses.request_enrolment(db.session, world.session_b, trainee, actor=trainee, today=TODAY)
    courses.record_result(
        db.session,
        a,
        score=None,
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(a.session),
    )
    db.session.commit()
    record = services.trainee_record(db.session, trainee, on=TODAY, with_competencies=True)
    assert [p.track for p in record.progress] == [world.specialists]
    assert [e.session for e in record.upcoming] == [world.session_b]
    assert [e.session for e in record.transcript] == [world.session_a]
    assert record.certificates == []
    assert [c for c, _rating, _self in record.competencies] == [world.quality]
    assert services.trainee_record(db.session, trainee, on=TODAY).competencies == []


def test_attendance_alone_changes_nothing_in_progress(world, make_user):
    trainee = make_user(Role.TRAINEE)
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    courses.mark_attendance(
        db.session, enrolment, attended=True, actor=world.trainer, now=after(enrolment.session)
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyEvidence)) == 0


def test_trainees_query_searches_trainees_only(world, make_user, make_member):
    kenya = make_member(country_code="KE")
    amina = make_user(Role.TRAINEE, full_name="Amina Njoroge", member=kenya)
    make_user(Role.TRAINEE, full_name="Bruno Keller", is_active=False)
    make_user(Role.TRAINER, full_name="Amina Trainer")
    names = lambda stmt: [u.full_name for u in db.session.scalars(stmt)]  # noqa: E731
    assert names(services.trainees_query(q="amina")) == ["Amina Njoroge"]
    assert names(services.trainees_query(q="AMINA")) == ["Amina Njoroge"]
    assert names(services.trainees_query(q=amina.email)) == ["Amina Njoroge"]
    assert "Bruno Keller" in names(services.trainees_query())
    assert "Bruno Keller" not in names(services.trainees_query(active_only=True))
    assert names(services.trainees_query(member_administration_id=kenya.id)) == ["Amina Njoroge"]


def test_any_trainer_but_the_trainee_may_rate(world, make_user):
    trainee = make_user(Role.TRAINEE)
    trainer_trainee = make_user([Role.TRAINER, Role.TRAINEE])
    assert services.can_rate(world.trainer, trainee)
    assert not services.can_rate(trainee, trainee)
    assert not services.can_rate(trainer_trainee, trainer_trainee)
    assert services.can_rate(trainer_trainee, trainee)
    assert not services.can_rate(world.manager, trainee)
    assert not services.can_rate(None, trainee)
