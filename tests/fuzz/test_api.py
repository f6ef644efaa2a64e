"""Issue 16 item 6, the API: every operation of /api/v1/openapi.json gets hostile calls from an
identity the access matrix allows: ids of its own records, of the other administration's and
none at all; query parameters and JSON bodies of the wrong type, huge, unicode, NUL, markup,
numbers and dates out of range, fields missing, unknown or the whole body not JSON. No answer
may be a 5xx, every refusal is a problem document, and no call may change the records its
area has no business with (tests/fuzz/guards.py). (tests/api/test_openapi.py checks, with
schemathesis, that the answers match the document.)"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms import create_app
from tests.access.harness import changed_tables, rolled_back, send
from tests.access.test_matrix import entry
from tests.conftest import TEST_PASSWORD
from tests.fuzz.guards import forbidden_changes
from tests.fuzz.strategies import SWEEP, hostile_json, hostile_text


def _operations() -> tuple[list[tuple[str, str, dict]], dict, object]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]
    return found, spec["components"]["schemas"], app.url_map


OPERATIONS, SCHEMAS, URL_MAP = _operations()
# Path ids: the world's own records (A), the other administration's (B), none, out of range.
ID_KEYS = ("user_id", "session_id", "project_id", "session_b_id", "project_b_id", "track_id")


def _endpoint(method: str, path: str) -> str:
    sample = re.sub(r"{\w+}", "1", path)
    endpoint, _args = URL_MAP.bind("localhost").match(sample, method=method)
    return endpoint


def _body_fields(operation: dict) -> list[str]:
    schema = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
    )
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


def _caller(endpoint: str, method: str) -> str:
    allowed = entry(endpoint, method).allowed
    return "admin" if "admin" in allowed or not allowed else allowed[0]


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{m}-{p.removeprefix('/api/v1/')}" for m, p, _o in OPERATIONS],
)
def test_hostile_api_input_is_refused_cleanly(arena, method, path, operation):
    endpoint = _endpoint(method, path)
    identity = _caller(endpoint, method)
    caller = arena.callers[identity]
    headers = {}
    if endpoint == "api.create_token":  # the token endpoint takes the password, not a token
        user = arena.world.users[identity]
        raw = base64.b64encode(f"{user.email}:{TEST_PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {raw}"
    values = arena.world.values
    ids = st.one_of(
        st.sampled_from([values[k] for k in ID_KEYS]),
        st.sampled_from([0, 999_999, 2**31, 2**63, -1]),
    ).map(str)
    path_names = re.findall(r"{(\w+)}", path)
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    fields = _body_fields(operation)
    writes = method != "GET"
    bodies = st.one_of(
        st.fixed_dictionaries({}, optional={f: hostile_json() for f in fields}),
        st.dictionaries(st.sampled_from([*fields, "id", "x"]), hostile_json(), max_size=5),
        hostile_json(),  # not an object at all
    )

    def sweep():
        """Each hostile value in every body field and query parameter at once, on A's ids."""
        own = {n: str(values.get(n, values["user_id"])) for n in path_names}
        for value in SWEEP:
            body = {f: value for f in fields} if writes else None
            call(own, dict.fromkeys(queries, value), body, None)

    @given(
        ids=st.fixed_dictionaries({n: ids for n in path_names}),
        query=st.dictionaries(st.sampled_from(queries or ["x"]), hostile_text(), max_size=3),
        body=bodies if writes else st.none(),
        garbage=st.sampled_from([None, None, None, b"{", b"\xff\xfe", b'{"a": ' * 80]),
    )
    def check(ids, query, body, garbage):
        call(ids, query, body, garbage)

    def call(ids, query, body, garbage):
        url = path.format(**ids)
        kwargs: dict = {"headers": dict(headers)}
        if query:
            kwargs["query_string"] = query
        if writes and garbage is not None:
            kwargs["data"] = garbage
            kwargs["headers"]["Content-Type"] = "application/json"
        elif writes:
            kwargs["json"] = body
        with rolled_back(arena.app) as conn:
            answer = send_raw(arena, caller, method, url, **kwargs)
            changed = changed_tables(conn, arena.baseline, every=False)
        told = f"{identity} {method} {url} {query!r} {body!r:.300}"
        assert answer.status < 500, f"{told}: {answer.text[:800]}"
        if answer.status >= 400:
            assert answer.mimetype == "application/problem+json", f"{told}: {answer.mimetype}"
        wrong = forbidden_changes(changed, endpoint, method)
        assert not wrong, f"{told} changed {wrong}"

    sweep()
    check()


def send_raw(arena, caller, method, url, *, headers, query_string=None, **body):
    if query_string:
        url = f"{url}?{urlencode(query_string)}"
    if "data" in body:
        return send(arena.app, caller, method, url, api=True, data=body["data"], headers=headers)
    return send(arena.app, caller, method, url, api=True, json=body.get("json"), headers=headers)
