"""API test fixtures: a personal token for any user, and request helpers."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from lms.api import tokens
from lms.core import clock
from lms.core.extensions import db


@pytest.fixture
def make_token(app) -> Callable[..., dict[str, str]]:
    """``make_token(user, scope="read-write")`` → the Authorization header of a new token."""

    def make(user, scope: str = "read-write", days: int = 30) -> dict[str, str]:
        _record, secret = tokens.create_token(
            db.session, user, name="test", scope=scope, days=days, now=clock.now()
        )
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def basic(email: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def assert_problem(response, status: int) -> dict:
    """An RFC 9457 problem document with ``status``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body
