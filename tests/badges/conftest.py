"""Badge fixtures: the issuer's key in the test's own folder, a certified trainee, and the
independent verifier (openbadgeslib, from PyPI) in its own virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.accounts.models import Role
from lms.badges.models import BadgeAward
from lms.core.extensions import db
from lms.progress import services as progress
from lms.progress.models import Certificate
from tests.api.conftest import make_token  # noqa: F401  (the API tests' token fixture)
from tests.conftest import _config
from tests.courses.fixtures import TODAY

BASE = "http://localhost"  # LMS_BASE_URL in the tests' configuration
VERIFIER_REQUIREMENT = "openbadgeslib>=4.6,<5"


@pytest.fixture
def app_config(database_url: str, tmp_path) -> dict:
    return _config(
        database_url,
        LMS_BADGE_KEY_FILE=str(tmp_path / "keys" / "badge_key.pem"),
        LMS_BADGE_ISSUER_NAME="Test Directorate",
        LMS_BADGE_ISSUER_EMAIL="badges@test.example.org",
    )


@dataclass
class Certified:
    trainee: object
    certificate: Certificate
    award: BadgeAward


@pytest.fixture
def certified(world, make_user) -> Certified:
    """A trainee who completed Data specialists: her certificate, issued by progress's
    service, and the badge it earned."""
    trainee = make_user(Role.TRAINEE, email="amina.diallo@example.org", full_name="Amina Diallo")
    certificate = progress.issue_certificate(
        db.session, trainee, world.specialists, today=TODAY, actor=world.manager
    )
    db.session.commit()
    award = db.session.query(BadgeAward).filter_by(certificate_id=certificate.id).one()
    return Certified(trainee, certificate, award)


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    return url[len(BASE) :]


@pytest.fixture(scope="session")
def verifier_venv() -> Path:
    """openbadgeslib in its own virtual environment (made once, kept in the user's cache;
    ``OPENBADGES_VERIFIER_VENV`` names another). A verifier that cannot be installed fails
    the tests that need it: it is never skipped."""
    default = Path.home() / ".cache" / "lms-tests" / "openbadges-verifier"
    venv = Path(os.environ.get("OPENBADGES_VERIFIER_VENV") or default)
    cli = venv / "bin" / "openbadges-verifier"
    if not cli.exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True
        )
        if made.returncode != 0:
            pytest.fail(f"could not make the verifier's venv: {made.stderr}")
        installed = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", VERIFIER_REQUIREMENT],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0 or not cli.exists():
            pytest.fail(f"could not install {VERIFIER_REQUIREMENT}: {installed.stderr[-2000:]}")
    return venv
