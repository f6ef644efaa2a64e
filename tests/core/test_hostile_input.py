"""Hostile input (issue 10): every route, list and form answers bad input with a clear page,
never a 5xx, and no row is ever written with a hostile value.

The routes come from ``app.url_map`` and the forms from the pages an administrator reaches
on the demo data, so a new route or form is covered without a line here.
"""

from __future__ import annotations

import math
import re
from collections import deque
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from lms import create_app
from lms.core.extensions import db
from lms.demo import DEMO_PASSWORD
from tests.conftest import FreshContextClient, _config, csrf_token

HOSTILE_IDS = (2**31, 2**63, 99999999999999999999)
HOSTILE_PAGES = ("0", "-1", "99999999999999999999", "abc")
NUL = "bad\x00value"
LONG = "x" * 10_000
HOSTILE_VALUES = (NUL, "NaN", "inf", "1e30", "0000", "9999-12-31", LONG)
ROTATED = HOSTILE_VALUES[1:]
# Routes that end the admin's session or start work the crawler must not trigger.
SKIP_ENDPOINTS = {"auth.logout", "static", "bootstrap.static"}
FILLERS = {
    "date": "2026-06-01",
    "datetime-local": "2026-06-01T10:00",
    "number": "1",
    "email": "hostile-test@example.org",
    "url": "https://example.org/",
    "time": "10:00",
}


class _Forms(HTMLParser):
    """The links and POST forms of a page, with each field's name, type and current value."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": a.get("method", "get"),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].append(
                    {"name": a["name"], "type": kind, "value": None, "option": a.get("value", "y")}
                )
                return
            self._form["fields"].append(
                {"name": a["name"], "type": kind, "value": a.get("value", "")}
            )
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "value": None, "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a or (self._select["value"] is None and value):
                self._select["value"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _baseline(fields: list[dict]) -> list[tuple[str, str]]:
    """What a browser would send, with empty free fields filled with plausible values."""
    data = []
    for n, field in enumerate(fields):
        value = field["value"]
        if field["type"] in ("checkbox", "radio"):
            if value is None:
                continue
        elif field["type"] == "file":
            continue
        elif not value and field["type"] != "hidden":
            value = FILLERS.get(field["type"], f"Hostile test {n}")
        data.append((field["name"], value))
    return data


def _free_fields(fields: list[dict]) -> list[str]:
    """The fields a user types or picks a value in; of repeated rows (``target_12``,
    ``stages-3-name``) only the first."""
    names, shapes = [], set()
    for field in fields:
        shape = re.sub(r"\d+", "N", field["name"])
        if field["type"] in ("hidden", "checkbox", "radio", "file") or shape in shapes:
            continue
        shapes.add(shape)
        names.append(field["name"])
    return names


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if ints:
            yield rule, ints


def _url(rule, values: dict) -> str:
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
        lambda m: str(values.get(m.group(2), "x")),
        rule.rule,
    )


class _Crash:
    """An exception the app let through: a 500 for the user."""

    def __init__(self, error: Exception) -> None:
        self.status_code = 500
        self.error = error


def _send(client, method: str, url: str, **kwargs):
    try:
        return client.open(url, method=method, **kwargs)
    except Exception as error:  # the test client re-raises what a server would answer 500 to
        db.session.rollback()
        return _Crash(error)


def _assert_answered(response, what: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        detail = f" ({response.error!r:.120})" if isinstance(response, _Crash) else ""
        failures.append(f"{response.status_code} {what}{detail}")


@pytest.fixture(scope="module")
def demo_app(database_url, _schema, _demo_templates):
    """One demo world for the module, a copy of the worker's demo data (tests/demo_copies.py);
    the tests only add rows, and the copy is dropped after the module."""
    url, _summary = _demo_templates.copy(_config(database_url))
    app = create_app({**_config(database_url), "SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _demo_templates.drop(url)


@pytest.fixture
def demo_admin(demo_app):
    client = demo_app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        data={"email": "admin@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_ids_beyond_the_integer_range_answer_404_or_400(demo_app, demo_admin):
    client = demo_admin
    token = csrf_token(client, "/")
    failures: list[str] = []
    for rule, ints in _int_rules(demo_app):
        for hostile in HOSTILE_IDS:
            for name in ints:
                url = _url(rule, {n: (hostile if n == name else 1) for n in ints})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    data = {"csrf_token": token} if method == "POST" else None
                    response = _send(client, method, url, data=data)
                    _assert_answered(response, f"{method} {url}", failures)
                    if name == ints[0] and response.status_code not in (400, 404):
                        failures.append(f"{response.status_code} (not 400/404) {method} {url}")
    assert not failures, "\n".join(failures)


def _list_pages(app):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or rule.arguments or "GET" not in rule.methods:
            continue
        yield adapter.build(rule.endpoint, {})


def test_every_list_page_answers_hostile_page_and_search_arguments(demo_app, demo_admin):
    client = demo_admin
    failures: list[str] = []
    for url in _list_pages(demo_app):
        dates = ("9999-12-31", "0000-01-01", "1899-12-31", "2026-13-45")
        for page, day in zip(HOSTILE_PAGES, dates, strict=True):
            args = {"page": page, "per_page": page, "q": LONG}
            args |= dict.fromkeys(("start", "end", "date", "as_of", "on"), day)
            response = _send(client, "GET", url, query_string=args)
            _assert_answered(response, f"{url}?page={page}&q=<long>&start={day}", failures)
        response = _send(client, "GET", url, query_string={"q": NUL})
        if response.status_code != 400:
            failures.append(f"{response.status_code} (not 400) {url}?q=<NUL>")
    assert not failures, "\n".join(failures)


def _crawl(client, failures: list[str], start: str = "/", per_endpoint: int = 1):
    """GET pages reachable from ``start``, at most ``per_endpoint`` URLs of each endpoint;
    yields (url, form) for every POST form with a field a user types into."""
    adapter = client.application.url_map.bind("localhost")
    seen_urls: set[str] = set()
    per: dict[str, int] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            continue
        if endpoint in SKIP_ENDPOINTS or per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        response = _send(client, "GET", url)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} GET {url}")
            continue
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form["method"].lower() == "post" and _free_fields(form["fields"]):
                yield url, form
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen_urls:
                seen_urls.add(link)
                queue.append(link)


def test_every_form_answers_hostile_values_without_a_5xx_or_a_bad_row(demo_app, demo_admin):
    client = demo_admin
    failures: list[str] = []
    adapter = demo_app.url_map.bind("localhost")
    forms = {}
    for url, form in _crawl(client, failures):
        action = urlsplit(form["action"] or url).path
        endpoint = adapter.match(action, method="POST")[0]
        forms.setdefault((endpoint, tuple(_free_fields(form["fields"]))), (action, form))
    assert len(forms) > 40, sorted(forms)
    for _key, (action, form) in sorted(forms.items()):
        baseline = _baseline(form["fields"])
        names = _free_fields(form["fields"])
        # Every field missing (a hand-made request): the form's errors, not an AttributeError.
        token = [(k, v) for k, v in baseline if k == "csrf_token"]
        response = _send(client, "POST", action, data=MultiDict(token))
        _assert_answered(response, f"POST {action} with no fields", failures)
        # Every other field left out (``taxonomy``, ``stages``…), the rest as shown.
        for parity in (0, 1):
            left_out = set(names[parity::2])
            data = MultiDict([(k, v) for k, v in baseline if k not in left_out])
            response = _send(client, "POST", action, data=data)
            _assert_answered(response, f"POST {action} without {sorted(left_out)}", failures)
        # NUL everywhere: refused before any view runs.
        data = MultiDict([(k, NUL if k in names else v) for k, v in baseline])
        response = _send(client, "POST", action, data=data)
        if response.status_code != 400:
            failures.append(f"{response.status_code} (not 400) POST {action} with NUL")
        # The other values rotate over the fields: after len(ROTATED) posts every field has
        # had every value, with the other fields holding other hostile values.
        for turn in range(len(ROTATED)):
            hostile = {n: ROTATED[(i + turn) % len(ROTATED)] for i, n in enumerate(names)}
            data = MultiDict([(k, hostile.get(k, v)) for k, v in baseline])
            response = _send(client, "POST", action, data=data)
            shown = ", ".join(f"{n}={v[:12]!r}" for n, v in hostile.items())
            _assert_answered(response, f"POST {action} {shown}", failures)
    failures.extend(_hostile_rows())
    assert not failures, "\n".join(failures)


def _hostile_rows() -> list[str]:
    """Every stored value that one of the hostile inputs could have produced."""
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).mappings().all()
            for column in table.columns:
                length = getattr(column.type, "length", None)
                for row in rows:
                    value = row[column.name]
                    if _is_hostile(value, length, column.name):
                        found.append(f"{table.name}.{column.name} = {str(value)[:40]!r}")
    return found


def _is_hostile(value, length, name: str) -> bool:
    if isinstance(value, str):
        return (
            "\x00" in value
            or (length is not None and len(value) > length)
            or (value == "0000" and "period" in name)
        )
    if isinstance(value, float):
        return not math.isfinite(value) or abs(value) >= 1e29
    if isinstance(value, Decimal):
        return not value.is_finite() or abs(value) >= Decimal("1e29")
    if isinstance(value, date):
        return not 1900 <= value.year <= 2100
    return False
