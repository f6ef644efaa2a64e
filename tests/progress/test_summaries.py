"""The stored progress summary per trainee and track: after every kind of change it holds
what a fresh ``track_progress`` computes (and the figures counted by hand here), in the same
transaction; ``lms rebuild-summaries`` recomputes it; a missing row is computed on read; and
the trainee dashboard's statement count does not grow with the data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.services import corrections as course_corrections
from lms.frameworks import tracks as track_services
from lms.progress import services
from lms.progress.models import RatingSource
from lms.progress.services import corrections
from tests.conftest import count_statements, login
from tests.courses.fixtures import TODAY

FIGURES = (
    "enrolment_status",
    "required_total",
    "required_done",
    "targets_total",
    "targets_met",
    "percent",
    "is_complete",
)


def _stored(user_id: int, track_id: int) -> dict | None:
    """The stored row, read with plain SQL (not through the model)."""
    row = (
        db.session.execute(
            sa.text(
                "SELECT enrolment_status, required_total, required_done, targets_total,"
                " targets_met, percent, is_complete, gaps FROM track_progress_summaries"
                " WHERE user_id = :u AND track_id = :t"
            ),
            {"u": user_id, "t": track_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    found = dict(row)
    found["is_complete"] = bool(found["is_complete"])
    gaps = found.pop("gaps")
    if isinstance(gaps, str):  # SQLite hands the JSON text back
        import json

        gaps = json.loads(gaps)
    found["gap_ids"] = sorted(gap[0] for gap in gaps)
    return found


def _fresh(user, track) -> dict:
    """What ``track_progress`` computes now, in the stored row's terms."""
    state = services.track_progress(db.session, user, track)
    return {
        "enrolment_status": state.enrolment.status.value if state.enrolment else None,
        "required_total": len(state.required_courses),
        "required_done": state.required_done,
        "targets_total": len(state.targets),
        "targets_met": state.targets_met,
        "percent": state.percent,
        "is_complete": state.is_complete,
        "gap_ids": sorted(g.competency.id for g in state.gaps),
    }


def _check(user, track, **expected) -> dict:
    """The stored row equals a fresh computation, and the figures named here."""
    stored = _stored(user.id, track.id)
    assert stored == _fresh(user, track)
    for name, value in expected.items():
        assert stored[name] == value, name
    return stored


def _held(world):
    for number, course_session in enumerate((world.session_a, world.session_b), start=1):
        course_session.starts_on = TODAY - timedelta(days=10 * number)
        course_session.ends_on = TODAY - timedelta(days=10 * number - 2)
    db.session.flush()


def _enrolled(world, trainee):
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    enrolments = [
        courses.request_enrolment(db.session, s, trainee, actor=trainee, today=TODAY)
        for s in (world.session_a, world.session_b)
    ]
    _held(world)
    return enrolments


def _pass(world, enrolment, passed=True):
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal("80") if passed else Decimal("30"),
        passed=passed,
        actor=world.trainer,
        today=TODAY,
    )


def test_results_attendance_and_completion_update_the_summary_in_the_same_transaction(
    world, make_user
):
    trainee = make_user(Role.TRAINEE)
    a, b = _enrolled(world, trainee)
    # Two required courses, two targets (DM.1 and DM.2 at Practitioner): nothing done.
    _check(
        trainee,
        world.specialists,
        enrolment_status="active",
        required_total=2,
        required_done=0,
        targets_total=2,
        targets_met=0,
        percent=0,
        gap_ids=sorted([world.quality.id, world.stats.id]),
    )
    courses.mark_attendance(db.session, a, attended=True, actor=world.trainer)
    _check(trainee, world.specialists, required_done=0, percent=0)
    _pass(world, b, passed=False)
    _check(trainee, world.specialists, required_done=0, percent=0)
    # Passing DQ101 completes one course and rates DM.1: 2 of 4 steps.
    _pass(world, a)
    _check(trainee, world.specialists, required_done=1, targets_met=1, percent=50)
    db.session.commit()

    # The failed ST201 corrected to a pass completes the track (DM.2 rated too), in the
    # correction's transaction: rolled back, the summary goes back with it.
    course_corrections.correct_result(
        db.session,
        b,
        score=Decimal("75"),
        passed=True,
        reason="Marked wrongly",
        actor=world.trainer,
        today=TODAY,
    )
    _check(
        trainee,
        world.specialists,
        enrolment_status="completed",
        required_done=2,
        targets_met=2,
        percent=100,
        is_complete=True,
        gap_ids=[],
    )
    db.session.rollback()
    _check(trainee, world.specialists, enrolment_status="active", percent=50)


def test_a_pass_corrected_to_a_fail_reopens_the_track_in_the_summary(world, make_user):
    trainee = make_user(Role.TRAINEE)
    a, b = _enrolled(world, trainee)
    _pass(world, a)
    _pass(world, b)
    _check(trainee, world.specialists, enrolment_status="completed", percent=100)
    db.session.commit()
    course_corrections.correct_result(
        db.session,
        a,
        score=Decimal("40"),
        passed=False,
        reason="Wrong paper",
        actor=world.trainer,
        today=TODAY,
    )
    # DQ101 no longer passed and its DM.1 rating withdrawn: 2 of 4 steps, track reopened.
    _check(
        trainee,
        world.specialists,
        enrolment_status="active",
        required_done=1,
        targets_met=1,
        percent=50,
        is_complete=False,
        gap_ids=[world.quality.id],
    )
    course_corrections.withdraw_result(
        db.session, b, reason="Recorded for the wrong trainee", actor=world.trainer, today=TODAY
    )
    _check(trainee, world.specialists, required_done=0, targets_met=0, percent=0)


def _rate(world, trainee, competency, level_name):
    return services.rate_competency(
        db.session,
        user=trainee,
        competency=competency,
        level=world.levels[level_name],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )


def test_ratings_and_their_corrections_update_the_summary(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)  # no-op
    first = _rate(world, trainee, world.quality, "Practitioner")
    # One of two targets met, no course: 1 of 4 steps. Experts (not joined) is not stored.
    _check(trainee, world.specialists, targets_met=1, percent=25)
    assert _stored(trainee.id, world.experts.id) is None
    expert = _rate(world, trainee, world.quality, "Expert")
    _check(trainee, world.specialists, targets_met=1, percent=25)
    # Withdrawing the later rating: Practitioner is current again, still met.
    corrections.withdraw_rating(
        db.session, expert, reason="Wrong trainee", actor=world.trainer, today=TODAY
    )
    _check(trainee, world.specialists, targets_met=1)
    # The first one corrected down to Awareness, under the target: a gap again.
    corrections.correct_rating(
        db.session,
        first,
        level=world.levels["Awareness"],
        reason="Assessed against the wrong criteria",
        actor=world.trainer,
        today=TODAY,
    )
    _check(trainee, world.specialists, targets_met=0, percent=0)
    _rate(world, trainee, world.stats, "Advanced")
    _check(trainee, world.specialists, targets_met=1, gap_ids=[world.quality.id])


def test_prior_learning_claims_decided_and_corrected_update_the_summary(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    claim = services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.stats,
        level=world.levels["Practitioner"],
        description="Six years as a statistician",
    )
    _check(trainee, world.specialists, targets_met=0)
    services.review_claim(db.session, claim, accept=True, actor=world.trainer)
    _check(trainee, world.specialists, targets_met=1, gap_ids=[world.quality.id])
    corrections.correct_claim_decision(
        db.session,
        claim,
        accept=False,
        reason="Another officer's CV",
        actor=world.trainer,
        today=TODAY,
    )
    _check(trainee, world.specialists, targets_met=0)


def test_withdrawing_from_a_track_is_stored(world, make_user):
    trainee = make_user(Role.TRAINEE)
    enrolment = services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    services.withdraw_from_track(db.session, enrolment, actor=trainee)
    _check(trainee, world.specialists, enrolment_status="withdrawn")
    assert services.track_progress_summaries(db.session, [trainee.id]) == {}


def _course_fields(course) -> dict:
    return dict(
        code=course.code,
        title=course.title,
        delivery_mode=course.delivery_mode,
        hours=course.hours,
        languages=course.languages,
        summary=course.summary,
        objectives=course.objectives,
        status=course.status,
        competencies=[
            courses.CompetencyLink(cc.competency_id, cc.level_id, cc.outcome)
            for cc in course.competencies
        ],
        prerequisite_ids=[p.id for p in course.prerequisites],
    )


def test_a_change_of_a_tracks_requirements_refreshes_all_its_summaries(world, make_user):
    first, second = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    for trainee in (first, second):
        services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, first, world.quality, "Practitioner")
    db.session.commit()
    # DM.2 dropped from the targets, DM.1 kept: 2 courses + 1 target; the first has met it.
    track_services.set_targets(
        db.session,
        world.specialists,
        {world.quality.id: world.levels["Practitioner"].id, world.stats.id: None},
        actor=world.manager,
    )
    _check(first, world.specialists, targets_total=1, targets_met=1, percent=33)
    _check(second, world.specialists, targets_total=1, targets_met=0, percent=0)
    # DQ101 becomes an elective of the track: one required course left.
    courses.update_course(
        db.session,
        world.course_a,
        actor=world.manager,
        tracks=[courses.TrackLink(world.specialists.id, is_required=False)],
        **_course_fields(world.course_a),
    )
    _check(first, world.specialists, required_total=1, targets_met=1, percent=50)
    # ST201 leaves the track: no course required, the target alone makes the share.
    courses.update_course(
        db.session, world.course_b, actor=world.manager, tracks=[], **_course_fields(world.course_b)
    )
    _check(first, world.specialists, required_total=0, percent=100, is_complete=True)
    _check(second, world.specialists, required_total=0, percent=0)


def test_rebuild_summaries_command_recomputes_every_row(app, world, make_user):
    trainees = [make_user(Role.TRAINEE) for _ in range(3)]
    for trainee in trainees:
        services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, trainees[0], world.quality, "Practitioner")
    _rate(world, trainees[1], world.stats, "Practitioner")
    db.session.commit()
    # Spoil the stored rows behind the services' back: all wrong, one missing.
    db.session.execute(sa.text("UPDATE track_progress_summaries SET percent = 99"))
    db.session.execute(
        sa.text("DELETE FROM track_progress_summaries WHERE user_id = :u"), {"u": trainees[2].id}
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "3 progress summaries rebuilt."
    db.session.expire_all()
    for trainee in trainees:
        _check(trainee, world.specialists)
    assert [_stored(t.id, world.specialists.id)["percent"] for t in trainees] == [25, 25, 0]

    # For some trainees only.
    db.session.execute(sa.text("UPDATE track_progress_summaries SET percent = 99"))
    assert services.rebuild_track_summaries(db.session, user_ids=[trainees[0].id]) == 1
    assert _stored(trainees[0].id, world.specialists.id)["percent"] == 25
    assert _stored(trainees[1].id, world.specialists.id)["percent"] == 99


def test_a_missing_row_is_computed_on_read_and_stored(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, trainee, world.quality, "Practitioner")
    db.session.commit()
    db.session.execute(sa.text("DELETE FROM track_progress_summaries"))
    read = services.track_progress_summaries(db.session, [trainee.id])
    assert list(read) == [(trainee.id, world.specialists.id)]
    summary = read[(trainee.id, world.specialists.id)]
    assert (summary.percent, summary.targets_met, summary.track.code) == (25, 1, "DS")
    _check(trainee, world.specialists, percent=25)
    # A track the trainee is not on, asked for by name: computed and stored too.
    both = services.track_progress_summaries(
        db.session, [trainee.id], [world.specialists.id, world.experts.id]
    )
    assert set(both) == {(trainee.id, world.specialists.id), (trainee.id, world.experts.id)}
    _check(trainee, world.experts, enrolment_status=None, targets_total=1, targets_met=0)
    # And kept current from then on.
    _rate(world, trainee, world.quality, "Expert")
    _check(trainee, world.experts, targets_met=1, percent=100)


def _extra_track(world, number: int):
    track = track_services.create_track(
        db.session,
        actor=world.manager,
        code=f"X{number}",
        name=f"Extra {number}",
        framework=world.framework,
    )
    expert = world.levels["Expert"].id
    track_services.set_targets(
        db.session, track, {world.quality.id: expert, world.stats.id: expert}, actor=world.manager
    )
    return track


def test_the_trainee_dashboard_reads_a_constant_number_of_statements(client, world, make_user):
    trainee = make_user(Role.TRAINEE, email="counted@example.org")
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, trainee, world.quality, "Practitioner")
    db.session.commit()
    assert login(client, trainee.email).status_code == 302

    def home() -> str:
        response = client.get("/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    home()  # warm: first-request work is not the page's
    small = count_statements(home)
    assert home().count('data-gap="') == 1

    # Four more tracks with two gaps each, many more ratings, other trainees with their data.
    for number in range(4):
        services.enrol_in_track(db.session, trainee, _extra_track(world, number), actor=trainee)
    for _ in range(5):
        _rate(world, trainee, world.quality, "Practitioner")
        _rate(world, trainee, world.stats, "Awareness")
    for _ in range(5):
        other = make_user(Role.TRAINEE)
        services.enrol_in_track(db.session, other, world.specialists, actor=other)
        _rate(world, other, world.quality, "Expert")
    db.session.commit()
    assert home().count('data-gap="') == 1 + 4 * 2
    assert count_statements(home) == small


def test_a_new_framework_version_carries_ratings_and_the_moved_track_is_refreshed(world, make_user):
    from lms.frameworks import services as frameworks

    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, trainee, world.quality, "Advanced")
    db.session.commit()
    v2 = frameworks.create_new_version(db.session, world.framework, actor=world.manager)
    frameworks.publish_framework(db.session, v2, actor=world.manager)
    track_services.move_track_to_version(db.session, world.specialists, v2, actor=world.manager)
    new_quality = frameworks.map_competency(db.session, world.quality, v2)
    new_stats = frameworks.map_competency(db.session, world.stats, v2)
    # The targets are now v2's competencies; the carried rating meets DM.1 again.
    stored = _check(trainee, world.specialists, targets_total=2, targets_met=1, percent=25)
    assert stored["gap_ids"] == [new_stats.id] and new_quality.id != world.quality.id


def test_the_trainees_list_shows_each_visible_trainees_tracks(client, world, make_user):
    inside, outside = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    for trainee in (inside, outside):
        services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, inside, world.quality, "Practitioner")
    _rate(world, outside, world.stats, "Practitioner")
    courses.request_enrolment(db.session, world.session_a, inside, actor=inside, today=TODAY)
    db.session.execute(sa.text("DELETE FROM track_progress_summaries"))  # read computes them
    db.session.commit()
    assert login(client, world.trainer.email).status_code == 302  # remit: her sessions only
    html = client.get("/trainees/").get_data(as_text=True)
    assert html.count('data-track="DS" data-percent="25"') == 1
    row = html[html.index(inside.full_name) :]
    assert row[: row.index("</tr>")].count('data-track="DS"') == 1
    row = html[html.index(outside.full_name) :]
    assert 'data-track="' not in row[: row.index("</tr>")]
    # What the page had to compute was stored (the inside trainee's row only).
    assert _stored(inside.id, world.specialists.id)["percent"] == 25
    assert _stored(outside.id, world.specialists.id) is None


def test_track_totals_for_the_reports(world, make_user):
    trainees = [make_user(Role.TRAINEE) for _ in range(3)]
    for trainee in trainees:
        services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _rate(world, trainees[0], world.quality, "Practitioner")  # 25%
    _rate(world, trainees[1], world.quality, "Practitioner")
    _rate(world, trainees[1], world.stats, "Practitioner")  # 50%
    enrolment = services.enrol_in_track(db.session, trainees[2], world.specialists, actor=None)
    services.withdraw_from_track(db.session, enrolment, actor=None)  # left out
    services.track_progress_summaries(db.session, [trainees[0].id], [world.experts.id])  # not on
    totals = services.track_summary_totals(db.session)
    assert set(totals) == {world.specialists.id}
    assert totals[world.specialists.id] == services.TrackTotals(2, 0, 37.5)
    only = services.track_summary_totals(db.session, user_ids=[trainees[1].id])
    assert only[world.specialists.id] == services.TrackTotals(1, 0, 50.0)
