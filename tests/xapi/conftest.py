"""xAPI test fixtures: the LRS (Ralph) and the LMS configured to send to it."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_token  # noqa: F401 (a fixture)
from tests.xapi.ralph import PASSWORD, USERNAME, Ralph


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    lrs = Ralph(tmp_path_factory.mktemp("ralph"))
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def lrs_config(app, ralph):
    """The app sends statements to the test LRS for this test."""
    app.config.update(
        LMS_XAPI_LRS_URL=ralph.url,
        LMS_XAPI_LRS_USERNAME=USERNAME,
        LMS_XAPI_LRS_PASSWORD=PASSWORD,
    )
    if ralph.process is None:
        ralph.start()
    yield ralph
    if ralph.process is None:
        ralph.start()
