"""Issue 16 item 1: every route of the URL map, pages and API, for every identity of the world
(tests/access/world.py), against the matrix (tests/access/matrix.py): the login page or a 401
for the anonymous visitor, 403 (or the 404 the code gives for another's record) for the
identities refused, a success for the others, and for a refused write nothing changed in any
table (checksums of every table before and after).

Each (endpoint, method) is one test, so xdist spreads them; the world is built once per module
and every request is rolled back."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask import url_for

from lms import create_app
from lms.accounts.models import User
from lms.core.extensions import db
from tests.access.harness import changed_tables, rolled_back, send
from tests.access.matrix import LOGIN, MATRIX, Expect
from tests.access.world import IDENTITIES

REFUSALS = {"login", "401", "403", "404"}


def _url_map():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return list(app.url_map.iter_rules())


RULES = _url_map()
ROUTES = sorted({(r.endpoint, m) for r in RULES for m in r.methods - {"HEAD", "OPTIONS"}})


def entry(endpoint: str, method: str) -> Expect | None:
    return MATRIX.get(f"{endpoint} {method}") or MATRIX.get(endpoint)


def test_every_route_has_an_entry():
    missing = [f"{e} {m}" for e, m in ROUTES if entry(e, m) is None]
    assert not missing, "give these routes a line in tests/access/matrix.py:\n" + "\n".join(missing)
    known = {e for e, _m in ROUTES} | {f"{e} {m}" for e, m in ROUTES}
    stale = sorted(set(MATRIX) - known)
    assert not stale, f"entries for routes that no longer exist: {stale}"


def _urls(arena, endpoint: str, method: str, expect: Expect) -> list[tuple[str, bool]]:
    values = dict(arena.world.values)
    values.update({k: values.get(v, v) for k, v in expect.args.items()})
    found = []
    with arena.app.test_request_context():
        for rule in RULES:
            if rule.endpoint == endpoint and method in rule.methods:
                url = url_for(endpoint, **{k: values[k] for k in rule.arguments})
                found.append((url, rule.rule.startswith("/api/")))
    return found


def _passes(outcome: str, status: int, expect: Expect) -> bool:
    if expect.status == LOGIN:
        return outcome == "login"
    return outcome not in REFUSALS and (status < 400 or status == expect.status)


@pytest.mark.parametrize(("endpoint", "method"), ROUTES, ids=[f"{e}-{m}" for e, m in ROUTES])
def test_route(arena, endpoint, method):
    expect = entry(endpoint, method)
    assert expect is not None, "no entry in tests/access/matrix.py"
    app, problems = arena.app, []
    write = method != "GET"
    body = {"json": {}} if write else {}
    for url, api in _urls(arena, endpoint, method, expect):
        api_body = body if api else {}
        refused = [i for i in IDENTITIES if expect.outcome(i, api) != "pass"]
        # The refused requests share one rolled-back transaction and so one checksum, unless
        # a refusal writes (a failed sign-in is counted, and the count would add up).
        groups = [[i] for i in refused] if expect.writes else [refused]
        for group in groups:
            with rolled_back(app) as conn:
                for identity in group:
                    answer = send(app, arena.callers[identity], method, url, api=api, **api_body)
                    want = expect.outcome(identity, api)
                    if answer.outcome != want:
                        problems.append(f"{identity}: {answer.outcome}, expected {want}")
                if write and group:
                    wrote = set(changed_tables(conn, arena.baseline)) - set(expect.writes)
                    if wrote:
                        problems.append(f"refused {method} {url} changed {sorted(wrote)}")
        for identity in IDENTITIES:
            if identity in refused:
                continue
            with rolled_back(app):
                answer = send(app, arena.callers[identity], method, url, api=api, **api_body)
            if not _passes(answer.outcome, answer.status, expect):
                problems.append(f"{identity}: {answer.outcome}, expected a success")
    assert not problems, f"{method} {endpoint}:\n" + "\n".join(problems)


def test_an_allowed_write_is_seen_then_rolled_back(arena):
    """The machinery: a request's writes are rolled back, and both ways of finding what it
    changed (every table's checksum; the tables its statements named) agree."""
    trainee = arena.world.values["user_id"]
    url = f"/admin/users/{trainee}/deactivate"
    with rolled_back(arena.app) as conn:
        answer = send(arena.app, arena.callers["admin"], "POST", url, api=False)
        every = changed_tables(conn, arena.baseline)
        named = changed_tables(conn, arena.baseline, every=False)
        active = conn.execute(sa.select(User.is_active).where(User.id == trainee)).scalar()
    assert answer.status == 302 and active is False
    assert "users" in every and every == named
    assert db.session.get(User, trainee).is_active
    with rolled_back(arena.app) as conn:
        assert changed_tables(conn, arena.baseline) == []


if os.environ.get("LMS_ACCESS_PRINT"):  # pragma: no cover - a maintainer's aid

    def test_print_the_observed_matrix(arena):
        """LMS_ACCESS_PRINT=1 pytest tests/access -k print -s: what each identity gets."""
        for endpoint, method in ROUTES:
            expect = entry(endpoint, method) or Expect(())
            for url, api in _urls(arena, endpoint, method, expect):
                row = []
                for identity in IDENTITIES:
                    with rolled_back(arena.app):
                        answer = send(
                            arena.app,
                            arena.callers[identity],
                            method,
                            url,
                            api=api,
                            **({"json": {}} if api and method != "GET" else {}),
                        )
                    row.append(answer.outcome)
                print(f"{endpoint:40} {method:6} " + " ".join(f"{c:>5}" for c in row))
