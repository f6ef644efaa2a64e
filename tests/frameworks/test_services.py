"""Scales, the hierarchy, publishing and versions, the old→new mapping, roll-ups and tracks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.core.errors import ConflictError, ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.models import (
    Competency,
    CompetencyMapping,
    CompetencyRelation,
    FrameworkStatus,
    RollupRule,
)
from tests.frameworks.conftest import competency, describe


def test_default_scale_has_four_levels_proficient_from_practitioner(app):
    scale = services.default_scale(db.session)
    assert [lv.name for lv in scale.levels] == ["Awareness", "Practitioner", "Advanced", "Expert"]
    assert scale.default_level.name == "Practitioner"
    assert scale.proficient_from.name == "Practitioner"
    assert [lv.is_proficient for lv in scale.levels] == [False, True, True, True]
    assert services.default_scale(db.session) is scale  # created once


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([services.LevelSpec("Only", is_default=True, is_proficient=True)], "at least two"),
        (
            [services.LevelSpec("A", is_proficient=True), services.LevelSpec("B")],
            "Exactly one level must be the default",
        ),
        (
            [services.LevelSpec("A", is_default=True), services.LevelSpec("B")],
            "proficient",
        ),
        (
            [
                services.LevelSpec("A", is_default=True, is_proficient=True),
                services.LevelSpec("a"),
            ],
            "different",
        ),
    ],
)
def test_scale_levels_are_checked(app, levels, message):
    with pytest.raises(ValidationError, match=message):
        services.create_scale(db.session, actor=None, name="Bad", levels=levels)


def test_framework_tree_order_and_depths(make_framework):
    fw = make_framework()
    tree = services.flatten(services.build_tree(services.load_competencies(db.session, fw)))
    assert [(n.competency.code, n.depth) for n in tree] == [
        ("GOV", 1),
        ("GOV.1", 2),
        ("GOV.2", 2),
        ("RISK", 1),
        ("RISK.1", 2),
        ("RISK.1.a", 3),
        ("RISK,2", 2),
    ]
    assert fw.taxonomy_term(1) == "domain" and fw.taxonomy_term(3) == "skill"


def test_tree_search_keeps_the_ancestors_of_hits(make_framework):
    fw = make_framework()
    tree = services.build_tree(services.load_competencies(db.session, fw), "selectivity")
    flat = services.flatten(tree)
    assert [(n.competency.code, n.matches) for n in flat] == [
        ("RISK", False),
        ("RISK.1", False),
        ("RISK.1.a", True),
    ]


def test_codes_are_unique_in_a_framework(make_framework, editor):
    fw = make_framework()
    with pytest.raises(ConflictError, match=r"GOV\.1 is already used"):
        services.create_competency(db.session, fw, actor=editor, code="GOV.1", short_name="X")
    with pytest.raises(ValidationError, match="short name"):
        services.create_competency(db.session, fw, actor=editor, code="NEW", short_name="  ")


def test_unique_code_is_also_a_database_constraint(make_framework):
    fw = make_framework()
    db.session.add(Competency(framework_id=fw.id, code="GOV", short_name="Again"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_moving_a_branch_and_refusing_cycles(make_framework, editor):
    fw = make_framework()
    risk, r1, r1a, gov = (competency(fw, c) for c in ("RISK", "RISK.1", "RISK.1.a", "GOV"))
    with pytest.raises(ValidationError, match="cannot move under itself"):
        services.move_competency(db.session, risk, r1a, actor=editor)
    with pytest.raises(ValidationError, match="cannot move under itself"):
        services.move_competency(db.session, risk, risk, actor=editor)
    services.move_competency(db.session, r1, gov, actor=editor)
    db.session.commit()
    assert r1.parent_id == gov.id
    assert r1a.parent_id == r1.id  # the branch moved with it
    assert [c.code for c in gov.children] == ["GOV.1", "GOV.2", "RISK.1"]
    services.move_competency(db.session, r1, None, actor=editor)
    db.session.commit()
    top = services.build_tree(services.load_competencies(db.session, fw))
    assert [n.competency.code for n in top] == ["GOV", "RISK", "RISK.1"]


def test_reordering_siblings(make_framework, editor):
    fw = make_framework()
    services.shift_competency(db.session, competency(fw, "GOV.2"), -1, actor=editor)
    services.shift_competency(db.session, competency(fw, "RISK"), -1, actor=editor)
    db.session.commit()
    tree = services.flatten(services.build_tree(services.load_competencies(db.session, fw)))
    assert [n.competency.code for n in tree][:4] == ["RISK", "RISK.1", "RISK.1.a", "RISK,2"]
    assert [c.code for c in competency(fw, "GOV").children] == ["GOV.2", "GOV.1"]


def test_publishing_freezes_and_offers_a_new_version(make_framework, editor):
    fw = make_framework(publish=True)
    assert fw.status == FrameworkStatus.PUBLISHED and fw.published_at is not None
    gov1 = competency(fw, "GOV.1")
    attempts = [
        lambda: services.create_competency(db.session, fw, actor=editor, code="N", short_name="N"),
        lambda: services.update_competency(
            db.session,
            gov1,
            actor=editor,
            code="GOV.1",
            short_name="Changed",
            description="",
            indicators={},
        ),
        lambda: services.move_competency(db.session, gov1, None, actor=editor),
        lambda: services.delete_competency(db.session, gov1, actor=editor),
        lambda: services.set_related(db.session, gov1, [], actor=editor),
        lambda: services.update_framework(
            db.session,
            fw,
            actor=editor,
            name="X",
            description="",
            source_document="",
            language="en",
            taxonomy=[],
        ),
    ]
    for attempt in attempts:
        with pytest.raises(services.FrameworkFrozen, match="Create a new version"):
            attempt()
        db.session.rollback()
    db.session.expire_all()
    assert competency(fw, "GOV.1").short_name == "Data ownership"
    with pytest.raises(ConflictError, match="kept for its history"):
        services.delete_framework(db.session, fw, actor=editor)


def test_new_version_copies_everything_and_maps_old_to_new(make_framework, editor):
    fw = make_framework(publish=True)
    v2 = services.create_new_version(db.session, fw, actor=editor)
    db.session.commit()
    assert (v2.code, v2.version, v2.status, v2.previous_version_id) == (
        "DATA",
        2,
        FrameworkStatus.DRAFT,
        fw.id,
    )
    old, new = describe(fw), describe(v2)
    assert new.pop("version") == 2 and old.pop("version") == 1
    assert new == old
    for code in ("GOV", "GOV.1", "RISK.1.a"):
        mapped = services.map_competency(db.session, competency(fw, code), v2)
        assert mapped.code == code and mapped.framework_id == v2.id
        assert mapped.uuid != competency(fw, code).uuid
    assert services.mapped_from(db.session, competency(v2, "GOV.1")) == [competency(fw, "GOV.1")]
    with pytest.raises(ConflictError, match="already in draft"):
        services.create_new_version(db.session, fw, actor=editor)
    # the old version is untouched and still frozen
    assert fw.status == FrameworkStatus.PUBLISHED


def test_progress_carries_over_two_versions_and_stops_at_dropped_competencies(
    make_framework, editor
):
    v1 = make_framework(publish=True)
    v2 = services.create_new_version(db.session, v1, actor=editor)
    services.update_competency(
        db.session,
        competency(v2, "GOV.1"),
        actor=editor,
        code="GOV.OWN",
        short_name="Data ownership and stewardship",
        description="",
        indicators={},
    )
    services.delete_competency(db.session, competency(v2, "GOV.2"), actor=editor)
    services.publish_framework(db.session, v2, actor=editor)
    v3 = services.create_new_version(db.session, v2, actor=editor)
    db.session.commit()
    assert v1.status == FrameworkStatus.ARCHIVED  # publishing v2 archived v1
    # A rating made against v1's GOV.1 finds its competency in v3 through v2, renamed.
    assert services.map_competency(db.session, competency(v1, "GOV.1"), v3).code == "GOV.OWN"
    assert services.map_competency(db.session, competency(v1, "GOV.2"), v3) is None
    assert services.map_competency(db.session, competency(v3, "RISK"), v3) == competency(v3, "RISK")


def test_deleting_a_draft_competency_with_children_or_targets_is_refused(make_framework, editor):
    fw = make_framework()
    with pytest.raises(ConflictError, match="has sub-competencies"):
        services.delete_competency(db.session, competency(fw, "RISK"), actor=editor)
    track = track_services.create_track(
        db.session, actor=editor, code="LEAD", name="Leaders", framework=fw
    )
    level = fw.scale.levels[1]
    track_services.set_targets(
        db.session, track, {competency(fw, "GOV.2").id: level.id}, actor=editor
    )
    with pytest.raises(ConflictError, match="target of track"):
        services.delete_competency(db.session, competency(fw, "GOV.2"), actor=editor)
    services.delete_competency(db.session, competency(fw, "RISK.1.a"), actor=editor)
    db.session.commit()
    assert competency(fw, "RISK.1.a") is None


def test_relations_are_symmetric_and_stored_once(make_framework, editor):
    fw = make_framework()
    gov1, r1 = competency(fw, "GOV.1"), competency(fw, "RISK.1")
    assert [c.code for c in services.related_competencies(db.session, r1)] == ["GOV.1"]
    assert [c.code for c in services.related_competencies(db.session, gov1)] == [
        "RISK,2",
        "RISK.1",
    ]
    with pytest.raises(ValidationError, match="No competency with code"):
        services.set_related(db.session, gov1, ["NOPE"], actor=editor)
    db.session.rollback()
    db.session.add(CompetencyRelation(competency_id=r1.id, related_id=gov1.id))
    with pytest.raises(IntegrityError):  # the pair is stored lower id first, once
        db.session.flush()
    db.session.rollback()


def test_points_rule_needs_a_threshold_in_the_database_too(make_framework):
    fw = make_framework()
    gov = competency(fw, "GOV")
    gov.rule = RollupRule.POINTS
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_rollup_rules(make_framework):
    fw = make_framework()
    gov, risk = competency(fw, "GOV"), competency(fw, "RISK")
    g1, g2 = competency(fw, "GOV.1"), competency(fw, "GOV.2")
    r1, r2 = competency(fw, "RISK.1"), competency(fw, "RISK,2")
    assert services.rollup_met(gov, [g1.id, g2.id])
    assert not services.rollup_met(gov, [g1.id])
    # RISK: threshold 3; RISK.1 (2 points, required), RISK,2 (1 point)
    assert services.rollup_met(risk, [r1.id, r2.id])
    assert not services.rollup_met(risk, [r1.id])  # 2 points < 3
    assert not services.rollup_met(risk, [r2.id])  # required child missing
    assert not services.rollup_met(g1, [])  # no rule


def test_track_targets_and_moving_a_track_to_a_new_version(make_framework, editor):
    v1 = make_framework(publish=True)
    leaders = track_services.create_track(
        db.session,
        actor=editor,
        code="LEAD",
        name="Leaders",
        framework=v1,
        expected_duration_weeks=12,
    )
    levels = v1.scale.levels
    track_services.set_targets(
        db.session,
        leaders,
        {competency(v1, "GOV.1").id: levels[2].id, competency(v1, "GOV.2").id: levels[1].id},
        actor=editor,
    )
    track_services.set_stages(
        db.session,
        leaders,
        track_services.parse_stages("Foundations: online\nCapstone"),
        actor=editor,
    )
    db.session.commit()
    assert [(s.position, s.name, s.description) for s in leaders.stages] == [
        (1, "Foundations", "online"),
        (2, "Capstone", ""),
    ]
    v2 = services.create_new_version(db.session, v1, actor=editor)
    services.delete_competency(db.session, competency(v2, "GOV.2"), actor=editor)
    services.publish_framework(db.session, v2, actor=editor)
    dropped = track_services.move_track_to_version(db.session, leaders, v2, actor=editor)
    db.session.commit()
    assert dropped == ["GOV.2"]
    assert leaders.framework_id == v2.id
    assert [
        (t.competency.code, t.competency.framework_id, t.level.name) for t in leaders.targets
    ] == [("GOV.1", v2.id, "Advanced")]


def test_track_rules(make_framework, editor):
    fw = make_framework()
    other = make_framework("OTHER")
    a = track_services.create_track(db.session, actor=editor, code="A", name="A", framework=fw)
    b = track_services.create_track(
        db.session, actor=editor, code="B", name="B", framework=fw, prerequisite=a
    )
    with pytest.raises(ValidationError, match="cannot require itself"):
        track_services.update_track(
            db.session,
            a,
            actor=editor,
            code="A",
            name="A",
            description="",
            target_audience="",
            expected_duration_weeks=None,
            entry_requirements="",
            prerequisite=b,
        )
    with pytest.raises(ValidationError, match="another framework"):
        track_services.set_targets(
            db.session, a, {competency(other, "GOV").id: fw.scale.levels[0].id}, actor=editor
        )
    with pytest.raises(ConflictError, match="taken"):
        track_services.create_track(db.session, actor=editor, code="A", name="C", framework=fw)


def test_changes_are_audited(make_framework, editor):
    fw = make_framework(publish=True)
    services.create_new_version(db.session, fw, actor=editor)
    db.session.commit()
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {
        "framework.created",
        "competency.created",
        "framework.published",
        "framework.version_created",
    } <= actions
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyMapping)) == 7
