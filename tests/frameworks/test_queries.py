"""The list queries, page helpers and one-call saves the views delegate to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.core import signals
from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.frameworks import imports as import_services
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.exporters import export_moodle_csv
from lms.frameworks.models import (
    Competency,
    FrameworkImport,
    FrameworkStatus,
    ImportFormat,
    RollupRule,
)
from tests.frameworks.conftest import competency


def _codes(stmt) -> list[tuple[str, int]]:
    return [(f.code, f.version) for f in db.session.scalars(stmt)]


def test_frameworks_query_hides_drafts_filters_and_orders(make_framework, editor):
    data = make_framework("DATA", publish=True)
    services.create_new_version(db.session, data, actor=editor)  # DATA v2, a draft
    make_framework("RISKY")
    query = services.frameworks_query
    assert _codes(query(services.FrameworkFilters())) == [("DATA", 1)]
    everything = services.FrameworkFilters(include_drafts=True)
    assert _codes(query(everything)) == [("DATA", 2), ("DATA", 1), ("RISKY", 1)]
    drafts = services.FrameworkFilters(status="draft", include_drafts=True)
    assert _codes(query(drafts)) == [("DATA", 2), ("RISKY", 1)]
    unknown = services.FrameworkFilters(status="nonsense", include_drafts=True)
    assert len(_codes(query(unknown))) == 3  # an unknown status filters nothing
    assert _codes(query(services.FrameworkFilters(q="risk", include_drafts=True))) == [("RISKY", 1)]
    assert _codes(query(services.FrameworkFilters(q="risk"))) == []  # a draft, hidden


def test_competency_counts_versions_and_current_versions(make_framework, editor):
    v1 = make_framework("DATA", publish=True)
    v2 = services.create_new_version(db.session, v1, actor=editor)
    other = make_framework("OTHER")
    assert services.competency_counts(db.session, [v1.id, other.id]) == {v1.id: 7, other.id: 7}
    assert services.competency_counts(db.session, []) == {}
    assert [f.version for f in services.versions_of(db.session, v2)] == [1, 2]
    services.publish_framework(db.session, v2, actor=editor)  # archives v1
    assert v1.status == FrameworkStatus.ARCHIVED
    current = services.current_versions(db.session)
    assert v1 not in current and {v2, other} <= set(current)
    assert services.current_versions(db.session, "OTHER") == [other]


def test_successor_ancestors_and_tree_rows(make_framework, editor):
    v1 = make_framework(publish=True)
    r1a = competency(v1, "RISK.1.a")
    assert [c.code for c in services.ancestors_of(r1a)] == ["RISK", "RISK.1"]
    assert services.ancestors_of(competency(v1, "RISK")) == []
    assert services.successor_of(db.session, r1a) is None  # no later version yet
    v2 = services.create_new_version(db.session, v1, actor=editor)
    assert services.successor_of(db.session, r1a) == competency(v2, "RISK.1.a")
    competencies = services.load_competencies(db.session, v1)
    rows = services.rows_for_targets(competencies, [r1a.id, competency(v1, "GOV.2").id])
    assert [n.competency.code for n in rows] == ["GOV", "GOV.2", "RISK", "RISK.1", "RISK.1.a"]
    assert services.rows_for_targets(competencies, []) == []
    nodes = services.tree_nodes(db.session, v1)
    assert [n.competency.code for n in nodes] == [
        n.competency.code for n in services.flatten(services.build_tree(competencies))
    ]
    assert len(nodes) == 7


def test_save_competency_adds_places_and_cross_references_in_one_call(make_framework, editor):
    fw = make_framework()
    gov = competency(fw, "GOV")
    fields = {
        "code": "GOV.3",
        "short_name": "Data quality",
        "description": "",
        "indicators": {fw.scale.levels[0].id: "Knows  the\nchecks."},
        "rule": RollupRule.NONE,
    }
    c = services.save_competency(
        db.session, fw, None, actor=editor, parent_id=gov.id, related=["RISK.1"], **fields
    )
    assert c.parent is gov and c.indicators[0].text == "Knows the checks."
    assert [r.code for r in services.related_competencies(db.session, c)] == ["RISK.1"]
    services.save_competency(
        db.session, fw, c, actor=editor, parent_id=None, related=[], **{**fields, "code": "Q"}
    )
    assert (c.code, c.parent_id) == ("Q", None)
    assert services.related_competencies(db.session, c) == []


def test_save_competency_refuses_a_bad_cross_reference(make_framework, editor):
    fw = make_framework()
    with pytest.raises(ValidationError, match="No competency with code"):
        services.save_competency(
            db.session,
            fw,
            None,
            actor=editor,
            parent_id=None,
            related=["NOPE"],
            code="NEW",
            short_name="New",
            description="",
            indicators={},
        )


def test_related_blocks_collect_the_listeners_answers(make_framework):
    fw = make_framework()
    gov = competency(fw, "GOV")
    block = signals.RelatedBlock("Elsewhere", [signals.RelatedLink("X", "/x", "note")])

    def answer(session, *, competency, **kwargs):
        return block if competency.code == "GOV" else None

    before = services.related_blocks(db.session, gov)
    signals.competency_related.connect(answer, weak=False)
    try:
        assert services.related_blocks(db.session, gov) == [*before, block]
        assert block not in services.related_blocks(db.session, competency(fw, "RISK"))
    finally:
        signals.competency_related.disconnect(answer)


def test_scales_query_lists_every_scale_by_name(app, editor):
    default = services.default_scale(db.session)
    levels = services.parse_levels("Low\nHigh", 1, 2)
    services.create_scale(db.session, actor=editor, name="A two-step scale", levels=levels)
    names = [s.name for s in db.session.scalars(services.scales_query())]
    assert names == ["A two-step scale", default.name]
    assert [s.name for s in services.all_scales(db.session)] == names


def test_save_track_creates_and_updates_with_stages(make_framework, editor):
    fw = make_framework(publish=True)
    fields = {"code": "LEAD", "name": "Leaders", "description": "", "target_audience": ""}
    extra = {"expected_duration_weeks": None, "entry_requirements": ""}
    track = track_services.save_track(
        db.session,
        None,
        actor=editor,
        framework_id=fw.id,
        prerequisite_id=None,
        stages="Orientation: a week\nLab",
        **fields,
        **extra,
    )
    assert track.framework is fw and [s.name for s in track.stages] == ["Orientation", "Lab"]
    other = track_services.create_track(db.session, actor=editor, code="O", name="O", framework=fw)
    track_services.save_track(
        db.session,
        track,
        actor=editor,
        prerequisite_id=other.id,
        stages=None,
        is_active=False,
        **{**fields, "name": "Leaders 2"},
        **extra,
    )
    assert (track.name, track.is_active, track.stages) == ("Leaders 2", False, [])
    assert track.prerequisite_track is other
    with pytest.raises(ValidationError, match="Choose a framework version"):
        track_services.save_track(
            db.session, None, actor=editor, prerequisite_id=None, stages="", **fields, **extra
        )
    with pytest.raises(ValidationError, match="stage needs a name"):
        track_services.save_track(
            db.session, track, actor=editor, prerequisite_id=None, stages=": x", **fields, **extra
        )


def test_parse_targets_keeps_known_levels_only():
    posted = {"target_1": "10", "target_2": "99", "target_3": "", "target_4": "x", "other": "10"}
    assert track_services.parse_targets(posted, [1, 2, 3, 4, 5], {10, 11}) == {
        1: 10,
        2: None,
        3: None,
        4: None,
        5: None,
    }


def test_track_queries(make_framework, editor):
    published = make_framework(publish=True)
    draft = make_framework("DRAFTY")
    shown = track_services.create_track(
        db.session, actor=editor, code="A", name="Alpha", framework=published
    )
    inactive = track_services.create_track(
        db.session, actor=editor, code="B", name="Beta", framework=published
    )
    inactive.is_active = False
    on_draft = track_services.create_track(
        db.session, actor=editor, code="C", name="Gamma", framework=draft
    )
    track_services.set_targets(
        db.session,
        shown,
        {competency(published, "GOV.1").id: published.scale.levels[1].id},
        actor=editor,
    )
    db.session.flush()
    visible = track_services.tracks_query(track_services.TrackFilters())
    assert list(db.session.scalars(visible)) == [shown]
    everything = track_services.tracks_query(track_services.TrackFilters(include_hidden=True))
    assert list(db.session.scalars(everything)) == [shown, inactive, on_draft]
    counts = track_services.target_counts(db.session, [shown.id, inactive.id])
    assert counts == {shown.id: 1}
    assert track_services.tracks_on(db.session, published) == [shown, inactive]
    assert track_services.all_tracks(db.session) == [shown, inactive, on_draft]


def test_check_upload_writes_nothing_and_keep_upload_stages_it(make_framework, editor):
    fw = make_framework()
    content = export_moodle_csv(db.session, fw).encode()
    clash = import_services.check_upload(db.session, ImportFormat.MOODLE_CSV, content)
    assert not clash.ok and "already exists" in str(clash.problems[0])
    broken = import_services.check_upload(db.session, ImportFormat.MOODLE_CSV, b"nonsense")
    assert not broken.ok and broken.problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkImport)) == 0
    services.delete_framework(db.session, fw, actor=editor)
    result = import_services.check_upload(db.session, ImportFormat.MOODLE_CSV, content)
    assert result.ok
    staged = import_services.keep_upload(
        db.session,
        actor=editor,
        format=ImportFormat.MOODLE_CSV,
        filename="data.csv",
        content=content,
        plan=result.plan,
    )
    assert staged.summary == {"name": fw.name, "code": "DATA", "competencies": 7}
    assert staged.uploaded_by is editor
    framework = import_services.commit_import(db.session, staged, actor=editor)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Competency)
            .where(Competency.framework_id == framework.id)
        )
        == 7
    )
    with pytest.raises(ConflictError):
        import_services.commit_import(db.session, staged, actor=editor)
