"""The demo framework: realistic size, indicators on every competency, three tracks."""

from __future__ import annotations

import json

import jsonschema
import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.frameworks import services
from lms.frameworks.exporters import export_case_package, export_moodle_csv
from lms.frameworks.importers import parse_moodle_csv
from lms.frameworks.models import Framework, FrameworkStatus, Track
from tests.shared import CASE_SCHEMA, require_shared

pytestmark = pytest.mark.demo


@pytest.fixture
def demo(demo_summary):
    return demo_summary


def test_demo_framework_and_tracks(demo):
    assert "Demo frameworks: CDA v1 with 34 competencies, 3 tracks." in demo
    fw = db.session.scalar(sa.select(Framework))
    assert fw.status == FrameworkStatus.PUBLISHED
    competencies = services.load_competencies(db.session, fw)
    assert len(competencies) == 34
    leaves = [c for c in competencies if c.parent_id is not None]
    assert all(len(c.indicators) == 4 for c in leaves)
    tracks = {t.name: t for t in db.session.scalars(sa.select(Track))}
    assert set(tracks) == {"Leaders", "Data specialists", "Experts"}
    assert tracks["Experts"].prerequisite_track == tracks["Data specialists"]
    assert {name: len(t.targets) for name, t in tracks.items()} == {
        "Leaders": 12,
        "Data specialists": 18,
        "Experts": 15,
    }
    assert {name: len(t.stages) for name, t in tracks.items()} == {
        "Leaders": 3,
        "Data specialists": 4,
        "Experts": 3,
    }


def test_demo_framework_exports_cleanly(demo):
    fw = db.session.scalar(sa.select(Framework))
    result = parse_moodle_csv(export_moodle_csv(db.session, fw))
    assert result.ok, result.problems
    assert len(result.plan.competencies) == 34


def test_demo_framework_is_a_valid_case_package(demo):
    schema = json.loads(require_shared(CASE_SCHEMA).read_text(encoding="utf-8"))
    fw = db.session.scalar(sa.select(Framework))
    jsonschema.validate(export_case_package(db.session, fw), schema)
