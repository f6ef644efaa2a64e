"""The access matrix's and the fuzz tests' world: built once per module (``arena``), each
request rolled back (tests/access/harness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from lms import create_app
from lms.core.extensions import db
from tests.access.harness import Caller, checksums, log_in
from tests.access.world import IDENTITIES, TODAY, World, build_world
from tests.conftest import FreshContextClient, _config, clean_database


@dataclass
class Arena:
    app: Flask
    world: World
    callers: dict[str, Caller]
    baseline: dict[str, str]  # table -> checksum of the world as built


def build_arena(database_url: str, password_hash: str, tmp) -> Iterator[Arena]:
    app = create_app(
        _config(
            database_url,
            LMS_TODAY=TODAY,
            LMS_EVIDENCE_DIR=str(tmp / "evidence"),
            LMS_BADGE_KEY_FILE=str(tmp / "badge_key.pem"),
        )
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        clean_database()
        world = build_world(app, password_hash)
        db.session.commit()
        callers = {
            name: log_in(app, world.users.get(name), world.bearer.get(name)) for name in IDENTITIES
        }
        db.session.remove()
        yield Arena(app, world, callers, checksums(db.engine))
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def arena(database_url, _schema, _password_hash, tmp_path_factory) -> Iterator[Arena]:
    yield from build_arena(database_url, _password_hash, tmp_path_factory.mktemp("arena"))
