"""A run's parameters in words on the run page and the runs list (never raw JSON), from one
function; the schedule recipients picker has a search box over a plain multi-select."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.reports.models import ReportKind, ReportRun
from lms.reports.parameters import run_parameters
from tests.conftest import post_form


def _latest_run() -> ReportRun:
    db.session.expire_all()
    return db.session.scalar(sa.select(ReportRun).order_by(ReportRun.id.desc()))


def test_the_run_page_shows_the_project_code_and_title_not_its_id(
    client, make_project, logged_in, fixed_today
):
    project = make_project(code="DS-ESA-2024")
    logged_in(Role.DIRECTORATE)
    post_form(
        client, "/reports/generate", {"kind": "project", "format": "pdf", "project_id": project.id}
    )
    run = _latest_run()
    html = client.get(f"/reports/runs/{run.id}").get_data(as_text=True)
    assert "project_id" not in html and "{&#34;" not in html and '{"' not in html
    assert f"DS-ESA-2024 — {project.title}" in html
    assert '<dt class="col-sm-3">Project</dt>' in html
    listing = client.get("/reports/").get_data(as_text=True)
    runs = listing[listing.index('data-testid="runs"') :]
    assert "project_id" not in runs and f"DS-ESA-2024 — {project.title}" in runs


def test_a_directorate_run_shows_its_period_in_words(client, logged_in, app):
    logged_in(Role.DIRECTORATE)
    post_form(
        client,
        "/reports/generate",
        {"kind": "directorate", "format": "pdf", "start": "2025-01-01", "end": "2026-11-30"},
    )
    run = _latest_run()
    html = client.get(f"/reports/runs/{run.id}").get_data(as_text=True)
    assert "Period" in html and "2025-01-01 to 2026-11-30" in html
    assert '"start"' not in html and "&#34;start&#34;" not in html


def test_run_parameters_name_each_record_and_keep_unknown_keys(app, make_user, make_project):
    from lms.frameworks.models import Track

    trainee = make_user(Role.TRAINEE, full_name="Élodie Laurent", email="elodie@example.org")
    project = make_project(code="RM-WCA-2023")
    track = db.session.scalar(sa.select(Track).limit(1))
    with app.test_request_context():
        assert [
            str(p) for p in run_parameters(db.session, ReportKind.TRAINEE, {"user_id": trainee.id})
        ] == ["Trainee: Élodie Laurent <elodie@example.org>"]
        project_params = run_parameters(db.session, ReportKind.PROJECT, {"project_id": project.id})
        assert [(p.label, p.value) for p in project_params] == [
            ("Project", f"RM-WCA-2023 — {project.title}")
        ]
        gone = run_parameters(db.session, ReportKind.PROJECT, {"project_id": 999_999})
        assert gone[0].value == "no longer on record (#999999)"
        params = {"start": "2025-01-01", "end": "2026-11-30", "region": "esa"}
        params["narrative"] = "A year of growth.\n\n" + "x" * 500
        if track is not None:
            params["track_id"] = track.id
        labelled = [str(p) for p in run_parameters(db.session, ReportKind.DIRECTORATE, params)]
        assert labelled[0] == "Period: 2025-01-01 to 2026-11-30"
        if track is not None:
            assert f"Track: {track.name}" in labelled
        assert labelled[-1] == "Region: esa"
        overview = next(p for p in labelled if p.startswith("Overview: "))
        assert overview.startswith("Overview: A year of growth. xxx") and overview.endswith("…")
        assert len(overview) == len("Overview: ") + 120


def test_the_recipients_picker_has_a_search_box_over_a_plain_multi_select(
    client, logged_in, make_user
):
    logged_in(Role.DIRECTORATE)
    make_user(Role.TRAINER, full_name="Okello Mwangi", email="okello@example.org")
    html = client.get("/reports/schedules/new").get_data(as_text=True)
    box = html[html.index('<div class="option-filter mb-2" data-option-filter="recipient_ids"') :]
    box = box[: box.index("</select>")]
    assert box.split(">", 1)[0].endswith(" hidden")  # shown by the script only
    assert 'type="search"' in box and 'aria-controls="recipient_ids"' in box
    assert 'aria-label="Search recipients by name or email"' in box
    assert 'role="status"' in box and 'aria-live="polite"' in box
    assert re.search(r"<select [^>]*id=\"recipient_ids\" multiple", box)
    assert "Okello Mwangi &lt;okello@example.org&gt;" in box
    assert 'data-option-filter="member_roles" hidden' in html  # the other long picker too
    # The script is a static file of the application: no inline script, no CDN.
    assert re.search(
        r'<script src="/static/js/option-filter\.js\?v=[0-9a-f]+" defer></script>', html
    )
    assert "<script>" not in html and "cdn." not in html
    script = client.get("/static/js/option-filter.js")
    assert script.status_code == 200 and "data-option-filter" in script.get_data(as_text=True)
