"""The pages: who sees what, the editors, the freeze message, import preview and commit,
exports, tracks and their matrix."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.exporters import export_moodle_csv
from lms.frameworks.models import (
    Competency,
    Framework,
    FrameworkImport,
    FrameworkStatus,
    ImportStatus,
    Track,
)
from tests.conftest import post_form
from tests.frameworks.conftest import competency


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_users_go_to_the_login_page(client, make_framework):
    fw = make_framework(publish=True)
    for path in ("/frameworks/", f"/frameworks/{fw.id}", "/tracks/"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.location


def test_trainees_browse_published_frameworks_but_not_drafts_or_editors(
    client, logged_in, make_framework
):
    published = make_framework("PUB", publish=True)
    draft = make_framework("DRAFT")
    logged_in(Role.TRAINEE)
    listing = _html(client.get("/frameworks/"))
    assert "PUB" in listing and "DRAFT" not in listing
    assert client.get(f"/frameworks/{published.id}").status_code == 200
    assert client.get(f"/frameworks/{draft.id}").status_code == 403
    assert client.get(f"/competencies/{competency(draft, 'GOV').id}").status_code == 403
    assert client.get("/frameworks/new").status_code == 403
    assert client.get("/frameworks/import").status_code == 403
    response = post_form(client, f"/frameworks/{published.id}/new-version")
    assert response.status_code == 403
    assert "New framework" not in listing


def test_directorate_creates_a_framework_and_competencies(client, logged_in):
    logged_in(Role.DIRECTORATE)
    assert client.get("/frameworks/new").status_code == 200
    response = post_form(
        client,
        "/frameworks/new",
        {
            "name": "Customs data",
            "code": "CD",
            "language": "en",
            "scale_id": str(services.default_scale(db.session).id),
            "taxonomy": "domain, competency",
            "description": "",
            "source_document": "",
        },
    )
    assert response.status_code == 302, _html(response)
    db.session.expire_all()
    fw = db.session.scalar(sa.select(Framework))
    assert (fw.code, fw.status, fw.taxonomy) == (
        "CD",
        FrameworkStatus.DRAFT,
        ["domain", "competency"],
    )
    level = fw.scale.levels[0]
    data = {
        "code": "D1",
        "short_name": "Data governance",
        "description": "",
        "parent_id": "",
        "related": "",
        "rule": "none",
        "rule_points": "0",
        f"level_{level.id}": "Knows the data policy.",
    }
    assert post_form(client, f"/frameworks/{fw.id}/competencies/new", data).status_code == 302
    # A duplicate code is refused on the form, and what was typed is kept.
    again = post_form(
        client, f"/frameworks/{fw.id}/competencies/new", {**data, "short_name": "Typed"}
    )
    assert again.status_code == 200
    assert "D1 is already used in this framework" in _html(again)
    assert 'value="Typed"' in _html(again)
    db.session.expire_all()
    d1 = db.session.scalar(sa.select(Competency))
    assert d1.indicator_for(level) == "Knows the data policy."


def test_editing_a_published_framework_is_refused_with_an_offer_of_a_new_version(
    client, logged_in, make_framework
):
    fw = make_framework(publish=True)
    logged_in(Role.ADMIN)
    gov1 = competency(fw, "GOV.1")
    response = client.get(f"/competencies/{gov1.id}/edit", follow_redirects=True)
    assert "is frozen. Create a new version to change it." in _html(response)
    response = post_form(
        client,
        f"/competencies/{gov1.id}/edit",
        {"code": "GOV.1", "short_name": "Changed", "rule": "none"},
        follow_redirects=True,
    )
    assert "Create a new version" in _html(response)
    page = _html(client.get(f"/frameworks/{fw.id}"))
    assert "Create new version" in page and "Add competency" not in page
    db.session.expire_all()
    assert competency(fw, "GOV.1").short_name == "Data ownership"
    response = post_form(client, f"/frameworks/{fw.id}/new-version")
    db.session.expire_all()
    v2 = db.session.scalar(sa.select(Framework).where(Framework.version == 2))
    assert response.location.endswith(f"/frameworks/{v2.id}")
    assert v2.status == FrameworkStatus.DRAFT
    # Shown on the new version's competency: where it comes from.
    page = _html(client.get(f"/competencies/{competency(v2, 'GOV.1').id}"))
    assert "Carries over from" in page


def test_moving_a_branch_under_its_own_child_shows_the_reason(client, logged_in, make_framework):
    fw = make_framework()
    logged_in(Role.ADMIN)
    risk, r1a = competency(fw, "RISK"), competency(fw, "RISK.1.a")
    form = _html(client.get(f"/competencies/{risk.id}/edit"))
    assert f'value="{r1a.id}"' not in form  # descendants are not offered as parents
    response = post_form(
        client,
        f"/competencies/{risk.id}/edit",
        {
            "code": "RISK",
            "short_name": "Risk analytics",
            "parent_id": str(r1a.id),
            "rule": "points",
            "rule_threshold": "3",
            "rule_points": "0",
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert competency(fw, "RISK").parent_id is None


def test_tree_browser_search_and_query_count(client, logged_in, make_framework, editor):
    fw = make_framework(publish=True)
    logged_in(Role.TRAINEE)
    page = _html(client.get(f"/frameworks/{fw.id}?q=selectivity"))
    assert "1 of 7 competencies match" in page
    assert "RISK.1.a · Selectivity rules" in page and "GOV.1" not in page

    from sqlalchemy import event

    def count_queries(path: str) -> int:
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    small = count_queries(f"/frameworks/{fw.id}")
    bigger = services.create_new_version(db.session, fw, actor=editor)
    parent = competency(bigger, "GOV")
    for n in range(20):
        services.create_competency(
            db.session,
            bigger,
            actor=editor,
            parent=parent,
            code=f"X{n}",
            short_name=f"Extra {n}",
            indicators={bigger.scale.levels[0].id: "Shows it."},
        )
    services.publish_framework(db.session, bigger, actor=editor)
    db.session.commit()
    assert count_queries(f"/frameworks/{bigger.id}") == small


def test_import_preview_then_commit(client, logged_in, make_framework, editor):
    fw = make_framework()
    exported = export_moodle_csv(db.session, fw).encode()
    services.delete_framework(db.session, fw, actor=editor)
    db.session.commit()
    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/frameworks/import",
        {"format": "moodle_csv", "file": (io.BytesIO(exported), "data.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = _html(client.get(response.location))
    assert "Customs data analytics (DATA, v1)" in preview
    assert "RISK.1.a" in preview and "Import this framework" in preview
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0
    staged = db.session.scalar(sa.select(FrameworkImport))
    committed = post_form(client, f"/frameworks/import/{staged.id}/commit")
    db.session.expire_all()
    imported = db.session.scalar(sa.select(Framework))
    assert committed.location.endswith(f"/frameworks/{imported.id}")
    assert len(imported.competencies) == 7
    assert db.session.get(FrameworkImport, staged.id).status == ImportStatus.COMMITTED
    # Committing twice does not import twice.
    post_form(client, f"/frameworks/import/{staged.id}/commit")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 1


def test_a_broken_upload_lists_the_rows_and_creates_nothing(client, logged_in):
    logged_in(Role.DIRECTORATE)
    broken = (
        b'"Parent ID number","ID number","Short name",Description,"Description format",'
        b'"Scale values","Scale configuration","Rule type (optional)","Rule outcome (optional)",'
        b'"Rule config (optional)","Cross-referenced competency ID numbers",'
        b'"Exported ID (optional)","Is framework",Taxonomy\n'
        b',FW,Framework,,4,"Low,High","[{""scaleid"":1},{""id"":1,""scaledefault"":1,'
        b'""proficient"":1}]",,,,,,1,\n'
        b",A,Alpha,,4,,,,,null,,,,\n"
        b"MISSING,B,Beta,,4,,,,,null,,,,\n"
        b",A,Again,,4,,,,,null,,,,\n"
    )
    response = post_form(
        client,
        "/frameworks/import",
        {"format": "moodle_csv", "file": (io.BytesIO(broken), "broken.csv")},
        content_type="multipart/form-data",
    )
    page = _html(response)
    assert response.status_code == 200
    assert "row 4" in page and "unknown parent MISSING" in page
    assert "row 5" in page and "duplicate code A" in page
    db.session.expire_all()
    for model in (Framework, Competency, FrameworkImport):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_exports_download(client, logged_in, make_framework):
    fw = make_framework(publish=True)
    logged_in(Role.TRAINEE)
    csv_response = client.get(f"/frameworks/{fw.id}/export.csv")
    assert csv_response.mimetype == "text/csv"
    # The csv module quotes only where needed: the header has no comma or quote to protect.
    assert csv_response.get_data(as_text=True).startswith("Parent ID number,ID number,")
    case = client.get(f"/frameworks/{fw.id}/case.json")
    assert json.loads(case.get_data(as_text=True))["CFDocument"]["identifier"] == fw.uuid


def test_tracks_matrix_and_targets(client, logged_in, make_framework, editor):
    fw = make_framework(publish=True)
    admin = logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/tracks/new",
        {
            "code": "LEAD",
            "name": "Leaders",
            "framework_id": str(fw.id),
            "description": "Evidence-based policy making for customs executives.",
            "target_audience": "Directors general",
            "expected_duration_weeks": "10",
            "entry_requirements": "",
            "prerequisite_track_id": "",
            "stages": "Orientation: one week\nPolicy lab",
        },
    )
    assert response.status_code == 302, _html(response)
    db.session.expire_all()
    track = db.session.scalar(sa.select(Track))
    assert [s.name for s in track.stages] == ["Orientation", "Policy lab"]
    advanced = fw.scale.levels[2]
    gov1 = competency(fw, "GOV.1")
    response = post_form(
        client, f"/tracks/{track.id}/targets", {f"target_{gov1.id}": str(advanced.id)}
    )
    assert response.status_code == 302
    page = _html(client.get(f"/tracks/{track.id}"))
    assert 'data-target="Advanced"' in page
    assert "GOV · Data governance, policy" in page  # the ancestor gives it its place
    assert "RISK.1" not in page
    competency_page = _html(client.get(f"/competencies/{gov1.id}"))
    assert "Leaders</a>: Advanced" in competency_page
    assert admin.is_admin


def test_a_track_in_french_audience_requirements_and_stages(client, logged_in, make_framework):
    """The French text entered on the form is shown to a French reader, English to others; one
    French line a stage in order, fewer leave the rest English, more are refused."""
    fw = make_framework(publish=True)
    admin = logged_in(Role.ADMIN)
    fields = {
        "code": "LEAD",
        "name": "Leaders",
        "framework_id": str(fw.id),
        "target_audience": "Directors general",
        "target_audience_fr": "Directeurs généraux",
        "entry_requirements": "A nomination",
        "entry_requirements_fr": "Une désignation",
        "stages": "Orientation: one week\nPolicy lab: a real question",
        "stages_fr": "Orientation : une semaine\nLaboratoire : une vraie question\nDe trop",
    }
    response = post_form(client, "/tracks/new", fields)
    assert response.status_code == 200
    assert "There are more French stages than stages" in _html(response)
    assert db.session.scalar(sa.select(sa.func.count(Track.id))) == 0  # refused, nothing kept
    fields["stages_fr"] = "Orientation: une semaine"
    assert post_form(client, "/tracks/new", fields).status_code == 302
    track = db.session.scalar(sa.select(Track))
    english = _html(client.get(f"/tracks/{track.id}"))
    assert "Directors general" in english and "Orientation</strong> — one week" in english
    admin.preferred_language = "fr"
    db.session.commit()
    french = _html(client.get(f"/tracks/{track.id}"))
    assert "Directeurs généraux" in french and "Une désignation" in french
    assert "Orientation</strong> — une semaine" in french
    assert "Policy lab</strong> — a real question" in french  # no French line: English
    edit = _html(client.get(f"/tracks/{track.id}/edit"))
    assert "Orientation: une semaine</textarea>" in edit


def test_trainees_do_not_see_inactive_tracks(client, logged_in, make_framework, editor):
    fw = make_framework(publish=True)
    track = track_services.create_track(
        db.session, actor=editor, code="X", name="Hidden", framework=fw
    )
    track.is_active = False
    db.session.commit()
    logged_in(Role.TRAINEE)
    assert "Hidden" not in _html(client.get("/tracks/"))
    assert client.get(f"/tracks/{track.id}").status_code == 403


@pytest.mark.parametrize("path", ["/frameworks/", "/tracks/", "/scales/"])
def test_empty_states(client, logged_in, path):
    logged_in(Role.TRAINEE)
    assert 'data-testid="empty-state"' in _html(client.get(path))


def test_editor_pages_render_and_act(client, logged_in, make_framework, editor):
    fw = make_framework()
    logged_in(Role.DIRECTORATE)
    for path in (
        f"/frameworks/{fw.id}/edit",
        f"/frameworks/{fw.id}/competencies/new",
        f"/competencies/{competency(fw, 'GOV').id}/edit",
        "/scales/new",
        "/tracks/new",
        "/frameworks/import",
    ):
        assert client.get(path).status_code == 200, path
    # reorder, then delete a leaf, then a refused delete shows its reason
    gov2 = competency(fw, "GOV.2")
    post_form(client, f"/competencies/{gov2.id}/shift/up")
    db.session.expire_all()
    assert [c.code for c in competency(fw, "GOV").children] == ["GOV.2", "GOV.1"]
    post_form(client, f"/competencies/{gov2.id}/delete")
    refused = post_form(
        client, f"/competencies/{competency(fw, 'RISK').id}/delete", follow_redirects=True
    )
    assert "RISK has sub-competencies; move or delete them first." in _html(refused)
    db.session.expire_all()
    assert competency(fw, "GOV.2") is None and competency(fw, "RISK") is not None
    # edit the framework's details
    response = post_form(
        client,
        f"/frameworks/{fw.id}/edit",
        {
            "name": "Renamed",
            "description": "",
            "source_document": "",
            "language": "fr",
            "scale_id": str(fw.scale_id),
            "taxonomy": "domain, nonsense",
        },
    )
    assert "Unknown taxonomy term(s): nonsense" in _html(response)
    # publish, archive
    post_form(client, f"/frameworks/{fw.id}/publish")
    post_form(client, f"/frameworks/{fw.id}/archive")
    db.session.expire_all()
    assert db.session.get(Framework, fw.id).status == FrameworkStatus.ARCHIVED


def test_scale_editor(client, logged_in):
    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/scales/new",
        {
            "name": "Three steps",
            "description": "",
            "levels": "Novice | starting\nCompetent | works alone\nLead | leads others",
            "default_position": "2",
            "proficient_position": "2",
        },
    )
    assert response.status_code == 302, _html(response)
    page = _html(client.get("/scales/"))
    assert "Three steps" in page and "works alone" in page
    bad = post_form(
        client,
        "/scales/new",
        {"name": "Bad", "levels": "One\nTwo", "default_position": "5", "proficient_position": "1"},
    )
    assert "Level numbers go from 1 to 2." in _html(bad)


def test_track_edit_and_move_pages(client, logged_in, make_framework, editor):
    v1 = make_framework(publish=True)
    track = track_services.create_track(
        db.session, actor=editor, code="T", name="Track", framework=v1
    )
    track_services.set_targets(
        db.session, track, {competency(v1, "GOV.2").id: v1.scale.levels[1].id}, actor=editor
    )
    v2 = services.create_new_version(db.session, v1, actor=editor)
    services.publish_framework(db.session, v2, actor=editor)
    db.session.commit()
    logged_in(Role.ADMIN)
    assert "Track to complete first" in _html(client.get(f"/tracks/{track.id}/edit"))
    assert "GOV.2" in _html(client.get(f"/tracks/{track.id}/targets"))
    page = _html(client.get(f"/tracks/{track.id}/move"))
    assert f'value="{v2.id}"' in page
    response = post_form(
        client, f"/tracks/{track.id}/move", {"framework_id": str(v2.id)}, follow_redirects=True
    )
    assert "every target was carried over" in _html(response)
    db.session.expire_all()
    moved = db.session.get(Track, track.id)
    assert moved.framework_id == v2.id
    assert [t.competency.framework_id for t in moved.targets] == [v2.id]


def test_discarding_a_staged_import(client, logged_in, make_framework, editor):
    fw = make_framework()
    exported = export_moodle_csv(db.session, fw).encode()
    services.delete_framework(db.session, fw, actor=editor)
    db.session.commit()
    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/frameworks/import",
        {"format": "moodle_csv", "file": (io.BytesIO(exported), "data.csv")},
        content_type="multipart/form-data",
    )
    import_id = int(response.location.rsplit("/", 1)[1])
    post_form(client, f"/frameworks/import/{import_id}/discard")
    post_form(client, f"/frameworks/import/{import_id}/commit")
    db.session.expire_all()
    assert db.session.get(FrameworkImport, import_id).status == ImportStatus.DISCARDED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0


def test_an_oversized_upload_is_refused(client, logged_in):
    from lms.frameworks.forms import MAX_IMPORT_BYTES

    logged_in(Role.ADMIN)
    response = post_form(
        client,
        "/frameworks/import",
        {"format": "moodle_csv", "file": (io.BytesIO(b"x" * (MAX_IMPORT_BYTES + 1)), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The file is larger than 5 MB." in _html(response)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkImport)) == 0


def test_an_edit_form_posted_without_a_field_is_refused_on_the_form(
    client, logged_in, make_framework, editor
):
    """Edit forms start from the record; a field missing from the post is an error on the form,
    never the record's list read as text (a 500)."""
    fw = make_framework()
    track = track_services.create_track(
        db.session, actor=editor, code="T", name="Track", framework=fw
    )
    track_services.set_stages(db.session, track, [("One", "first"), ("Two", "")], actor=editor)
    db.session.commit()
    logged_in(Role.ADMIN)
    missing = "This field was missing from the form."
    form = _html(client.get(f"/frameworks/{fw.id}/edit"))
    assert 'value="domain, competency, skill"' in form  # the record's list, shown as text
    response = post_form(
        client,
        f"/frameworks/{fw.id}/edit",
        {"name": "Renamed", "language": "en", "scale_id": str(fw.scale_id)},
    )
    assert response.status_code == 200 and missing in _html(response)
    assert "One: first\nTwo" in _html(client.get(f"/tracks/{track.id}/edit"))
    response = post_form(client, f"/tracks/{track.id}/edit", {"code": "T", "name": "Renamed"})
    assert response.status_code == 200 and missing in _html(response)
    db.session.expire_all()
    assert db.session.get(Framework, fw.id).name == "Customs data analytics"
    assert db.session.get(Track, track.id).name == "Track"
    # With the field present (blank is fine) the edit goes through.
    response = post_form(
        client,
        f"/tracks/{track.id}/edit",
        {"code": "T", "name": "Renamed", "stages": "", "stages_fr": "", "is_active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Track, track.id).stages == []


def test_the_competency_page_renders_blocks_from_other_features(client, logged_in, make_framework):
    from lms.core import signals

    fw = make_framework(publish=True)
    gov = competency(fw, "GOV")

    def answer(session, *, competency, **kwargs):
        links = (
            [signals.RelatedLink("Workshop <b>", "/w", "a note")] if competency.id == gov.id else []
        )
        return signals.RelatedBlock("Other things", links, "Nothing else yet.", "other-things")

    signals.competency_related.connect(answer, weak=False)
    try:
        logged_in(Role.TRAINEE)
        page = _html(client.get(f"/competencies/{gov.id}"))
        other = _html(client.get(f"/competencies/{competency(fw, 'RISK').id}"))
    finally:
        signals.competency_related.disconnect(answer)
    assert '<h2 class="h5">Other things</h2>' in page
    assert 'data-testid="other-things"' in page
    assert '<a href="/w">Workshop &lt;b&gt;</a> — a note' in page
    assert "Nothing else yet." in other
