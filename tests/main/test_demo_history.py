"""The demo's three years of history (a reduced run of the same builder): the statistics read
model and page give the counts plain SQL over the tables gives, and the history has the shape
the README promises (every quarter, all three tracks, lapsed certificates, results after the
sessions, dates spread over the three years), the same on every load."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Region
from lms.core.extensions import db
from lms.core.model_base import UTCDateTime
from lms.demo import DEMO_PASSWORD, load_demo
from lms.reports.data import directorate_data
from lms.reports.views import STATISTICS_SHOWN_ROWS
from tests.conftest import _config, login

TODAY = date(2026, 3, 2)
START = date(2023, 3, 2)  # three years before
SIZE = 40


@pytest.fixture
def app_config(database_url: str) -> dict:
    return _config(database_url, LMS_TODAY=TODAY.isoformat(), LMS_DEMO_TRAINEES=SIZE)


def _rows(sql: str, columns: dict | None = None, **params):
    """Plain SQL; datetime parameters and columns go through the UTC type, so SQLite and
    PostgreSQL compare instants alike."""
    statement = sa.text(sql).bindparams(
        *(
            sa.bindparam(name, value, type_=UTCDateTime())
            if isinstance(value, datetime)
            else sa.bindparam(name, value)
            for name, value in params.items()
        )
    )
    if columns:
        statement = statement.columns(**columns)
    return db.session.execute(statement).all()


def _count(sql: str, **params) -> int:
    return _rows(sql, **params)[0][0]


@pytest.mark.demo
def test_the_statistics_equal_counts_made_with_sql_over_the_tables(app, client):
    low = datetime.combine(START, time.min, tzinfo=UTC)
    high = datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=UTC)

    enrolled = _count(
        "SELECT COUNT(DISTINCT user_id) FROM track_enrolments "
        "WHERE enrolled_at >= :low AND enrolled_at < :high",
        low=low,
        high=high,
    )
    completed = _count(
        "SELECT COUNT(DISTINCT user_id) FROM track_enrolments "
        "WHERE completed_at >= :low AND completed_at < :high",
        low=low,
        high=high,
    )
    certified = _count(
        "SELECT COUNT(DISTINCT user_id) FROM certificates "
        "WHERE issued_on >= :start AND issued_on <= :end AND status <> 'revoked'",
        start=START,
        end=TODAY,
    )
    by_track = {
        code: n
        for code, n in _rows(
            "SELECT t.name, COUNT(DISTINCT e.user_id) FROM track_enrolments e "
            "JOIN tracks t ON t.id = e.track_id "
            "WHERE e.enrolled_at >= :low AND e.enrolled_at < :high GROUP BY t.name",
            low=low,
            high=high,
        )
    }
    by_region = Counter()
    for region, n in _rows(
        "SELECT m.region, COUNT(DISTINCT e.user_id) FROM track_enrolments e "
        "JOIN users u ON u.id = e.user_id "
        "JOIN member_administrations m ON m.id = u.member_administration_id "
        "WHERE e.enrolled_at >= :low AND e.enrolled_at < :high GROUP BY m.region",
        low=low,
        high=high,
    ):
        by_region[Region[region].label] = n
    sessions = _rows(
        "SELECT s.id, "
        "SUM(CASE WHEN e.status IN ('attended', 'completed') THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.passed THEN 1 ELSE 0 END) "
        "FROM course_sessions s LEFT JOIN session_enrolments e ON e.session_id = s.id "
        "WHERE s.ends_on >= :start AND s.ends_on <= :end AND s.status <> 'cancelled' "
        "GROUP BY s.id",
        start=START,
        end=TODAY,
    )

    data = directorate_data(db.session, START, TODAY, TODAY)
    assert enrolled >= SIZE - 17  # every generated trainee (beyond the 17 stories') joined
    assert (data.total.enrolled, data.total.completed, data.total.certified) == (
        enrolled,
        completed,
        certified,
    )
    assert {name: f.enrolled for name, f in data.by_track} == by_track
    assert set(by_track) == {"Leaders", "Data specialists", "Experts"}
    assert {name: f.enrolled for name, f in data.by_region if f.enrolled} == dict(by_region)
    assert len(data.sessions) == len(sessions) > 3 * 12
    assert sum(row[5] for row in data.sessions) == sum(int(r[1] or 0) for r in sessions)
    assert sum(row[6] for row in data.sessions) == sum(int(r[2] or 0) for r in sessions)

    login(client, "directorate@example.org", DEMO_PASSWORD)
    html = client.get(f"/reports/statistics?start={START}&end={TODAY}").get_data(as_text=True)
    assert (
        f"Trainees enrolled: {enrolled} · completed a track: {completed} · certified: {certified}"
    ) in html
    # A long table shows its first rows on the page, the rest one click away.
    shown = STATISTICS_SHOWN_ROWS
    assert len(data.sessions) > shown
    assert _table_rows(html, "sessions") == shown
    assert f"The first {shown} of {len(data.sessions)} rows." in html
    whole = client.get(f"/reports/statistics?start={START}&end={TODAY}&full=sessions")
    html = whole.get_data(as_text=True)
    assert _table_rows(html, "sessions") == len(data.sessions)
    assert 'data-testid="more-sessions"' not in html


def _table_rows(html: str, key: str) -> int:
    table = html.split(f'data-testid="table-{key}"', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].count("<tr>")


@pytest.mark.demo
def test_the_history_covers_three_years_through_the_rules(app):
    # A session with results ended in every quarter of the three years.
    ended = _rows(
        "SELECT DISTINCT s.ends_on FROM course_sessions s "
        "JOIN session_enrolments e ON e.session_id = s.id WHERE e.status = 'completed'",
        {"ends_on": sa.Date()},
    )
    quarters = {(day - START).days // 91 for (day,) in ended if day >= START}
    assert quarters >= set(range(12))

    # Enrolment before the session starts, attendance once it has, the result after it ends.
    rows = _rows(
        "SELECT s.starts_on, s.ends_on, e.requested_at, e.result_recorded_at, e.status, e.id "
        "FROM session_enrolments e JOIN course_sessions s ON s.id = e.session_id",
        {
            "starts_on": sa.Date(),
            "ends_on": sa.Date(),
            "requested_at": UTCDateTime(),
            "result_recorded_at": UTCDateTime(),
        },
    )
    assert all(requested.date() < starts for starts, _e, requested, _r, _s, _i in rows)
    results = [(ends, recorded) for _s, ends, _q, recorded, status, _i in rows if recorded]
    assert len(results) > 3 * (SIZE - 17)  # several courses per generated trainee
    assert all(recorded.date() > ends for ends, recorded in results)
    attended = _rows(
        "SELECT s.starts_on, ev.at FROM enrolment_events ev "
        "JOIN session_enrolments e ON e.id = ev.enrolment_id "
        "JOIN course_sessions s ON s.id = e.session_id "
        "WHERE ev.to_status IN ('attended', 'no_show')",
        {"starts_on": sa.Date(), "at": UTCDateTime()},
    )
    assert attended and all(at.date() >= starts for starts, at in attended)

    # Ratings are dated when they were made, across the three years.
    rated = [
        at.date()
        for (at,) in _rows("SELECT rated_at FROM competency_ratings", {"rated_at": UTCDateTime()})
    ]
    assert min(rated) < START + timedelta(days=120) and max(rated) <= TODAY

    # Certificates on all three tracks, some of them lapsed by now.
    certificates = _rows(
        "SELECT t.code, c.expires_on FROM certificates c JOIN tracks t ON t.id = c.track_id",
        {"expires_on": sa.Date()},
    )
    assert {code for code, _e in certificates} == {"LEADERS", "DATA-SPECIALISTS", "EXPERTS"}
    assert any(expires is not None and expires < TODAY for _c, expires in certificates)

    # Trainees in every region.
    regions = _rows(
        "SELECT DISTINCT m.region FROM track_enrolments e JOIN users u ON u.id = e.user_id "
        "JOIN member_administrations m ON m.id = u.member_administration_id"
    )
    assert len(regions) == len(Region)

    # Quarterly indicator figures, each dated the day it was reported, after its quarter.
    actuals = _rows(
        "SELECT a.period, a.period_end, a.reported_at FROM indicator_actuals a "
        "JOIN indicators i ON i.id = a.indicator_id WHERE i.period_kind = 'quarter'",
        {"period_end": sa.Date(), "reported_at": UTCDateTime()},
    )
    assert len(actuals) >= 8
    assert all(reported.date() > end for _p, end, reported in actuals)


def _fingerprint() -> tuple:
    return (
        _rows("SELECT email, full_name FROM users ORDER BY email"),
        _rows(
            "SELECT c.code, s.starts_on, s.venue FROM course_sessions s "
            "JOIN courses c ON c.id = s.course_id ORDER BY s.starts_on, c.code, s.venue"
        ),
        _rows(
            "SELECT u.email, c.code, e.status, e.score FROM session_enrolments e "
            "JOIN users u ON u.id = e.user_id JOIN course_sessions s ON s.id = e.session_id "
            "JOIN courses c ON c.id = s.course_id ORDER BY u.email, s.starts_on, c.code"
        ),
        _rows(
            "SELECT user_id, issued_on, expires_on FROM certificates ORDER BY user_id, issued_on"
        ),
    )


def test_the_demo_is_the_same_on_every_load(app):
    from tests.conftest import clean_database

    app.config["LMS_DEMO_TRAINEES"] = 24
    load_demo(db.session)
    db.session.commit()
    first = _fingerprint()
    db.session.remove()
    clean_database()
    load_demo(db.session)
    db.session.commit()
    assert _fingerprint() == first
    assert len(first[0]) > 24
