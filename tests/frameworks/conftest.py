"""Factories for frameworks: a small, varied framework built through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.frameworks import services
from lms.frameworks.models import Competency, Framework, RollupRule


def describe(framework: Framework, *, with_ids: bool = False) -> dict[str, Any]:
    """Everything that makes a framework what it is, keyed by codes (not database ids)."""
    competencies = services.load_competencies(db.session, framework)
    by_id = {c.id: c for c in competencies}
    related: dict[str, list[str]] = {}
    for a, b in services.relation_pairs(db.session, framework):
        related.setdefault(by_id[a].code, []).append(by_id[b].code)
        related.setdefault(by_id[b].code, []).append(by_id[a].code)
    out: dict[str, Any] = {
        "name": framework.name,
        "code": framework.code,
        "version": framework.version,
        "description": framework.description,
        "taxonomy": framework.taxonomy,
        "scale": [(lv.name, lv.is_default, lv.is_proficient) for lv in framework.scale.levels],
        "competencies": {
            c.code: {
                "parent": by_id[c.parent_id].code if c.parent_id else None,
                "short_name": c.short_name,
                "description": c.description,
                "sort_order": c.sort_order,
                "rule": c.rule,
                "rule_threshold": c.rule_threshold,
                "rule_points": c.rule_points,
                "rule_required": c.rule_required,
                "indicators": sorted((i.level.name, i.text) for i in c.indicators),
                "related": sorted(related.get(c.code, [])),
            }
            for c in competencies
        },
    }
    if with_ids:
        out["uuid"] = framework.uuid
        out["scale_uuid"] = framework.scale.uuid
        out["level_uuids"] = [lv.uuid for lv in framework.scale.levels]
        out["language"] = framework.language
        out["source_document"] = framework.source_document
        for c in competencies:
            out["competencies"][c.code]["uuid"] = c.uuid
    return out


@pytest.fixture
def editor(make_user):
    from lms.accounts.models import Role

    return make_user(Role.DIRECTORATE, email="editor@example.org")


@pytest.fixture
def make_framework(app, editor) -> Callable[..., Framework]:
    """A three-level framework with indicators, a cross-reference and both roll-up rules."""

    def make(code: str = "DATA", *, publish: bool = False, commit: bool = True) -> Framework:
        session = db.session
        scale = services.default_scale(session, actor=editor)
        levels = {lv.name: lv.id for lv in scale.levels}
        fw = services.create_framework(
            session,
            actor=editor,
            name="Customs data analytics",
            code=code,
            scale=scale,
            description="Competencies for data work in customs.",
            source_document="Data strategy 2026, annex B",
            language="en",
            taxonomy=["domain", "competency", "skill"],
        )
        gov = services.create_competency(
            session, fw, actor=editor, code="GOV", short_name="Data governance, policy"
        )
        gov1 = services.create_competency(
            session,
            fw,
            actor=editor,
            parent=gov,
            code="GOV.1",
            short_name="Data ownership",
            description='Knows who owns which data, and why "ownership" matters.',
            indicators={
                levels["Awareness"]: "Names the data owners of the declaration data.",
                levels["Expert"]: "Designs the ownership model, for others too.",
            },
        )
        services.create_competency(
            session,
            fw,
            actor=editor,
            parent=gov,
            code="GOV.2",
            short_name="Data sharing agreements",
            indicators={levels["Practitioner"]: "Drafts an agreement, with the legal team."},
        )
        gov.rule = RollupRule.ALL
        risk = services.create_competency(
            session,
            fw,
            actor=editor,
            code="RISK",
            short_name="Risk analytics",
            rule=RollupRule.POINTS,
            rule_threshold=3,
        )
        r1 = services.create_competency(
            session,
            fw,
            actor=editor,
            parent=risk,
            code="RISK.1",
            short_name="Risk indicators",
            rule_points=2,
            rule_required=True,
        )
        services.create_competency(
            session,
            fw,
            actor=editor,
            parent=r1,
            code="RISK.1.a",
            short_name="Selectivity rules",
            description="Line one.\nLine two, with a comma.",
        )
        services.create_competency(
            session,
            fw,
            actor=editor,
            parent=risk,
            code="RISK,2",
            short_name="Fraud models",
            rule_points=1,
        )
        services.set_related(session, gov1, ["RISK.1", "RISK,2"], actor=editor)
        if publish:
            services.publish_framework(session, fw, actor=editor)
        if commit:
            session.commit()
        return fw

    return make


def competency(framework: Framework, code: str) -> Competency:
    return db.session.scalar(
        sa.select(Competency).where(
            Competency.framework_id == framework.id, Competency.code == code
        )
    )
