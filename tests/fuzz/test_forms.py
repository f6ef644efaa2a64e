"""Issue 16 item 6, the pages: every POST route of the URL map gets hostile submissions from an
identity the access matrix allows. The form's fields are read from its page (GET, parsed with
lxml): each is sent as offered, replaced by hostile text (huge, unicode, NUL, markup, SQL,
numbers and dates out of range), left out or sent twice, with now and then a field the form
does not have; file fields get hostile bytes. No answer may be a 5xx, and no request may change
the records its area has no business with (tests/fuzz/guards.py)."""

from __future__ import annotations

import io

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.access.harness import changed_tables, rolled_back, send
from tests.access.matrix import LOGIN
from tests.access.test_matrix import ROUTES, RULES, _urls, entry
from tests.fuzz.guards import forbidden_changes
from tests.fuzz.strategies import SWEEP, form_submission, hostile_text

# Sign-out ends the caller's session: every later example would be anonymous.
SKIPPED = {"auth.logout"}


def _caller_for(endpoint: str, method: str) -> str | None:
    expect = entry(endpoint, method)
    if expect is None or expect.status == LOGIN or not expect.allowed:
        return None
    return "admin" if "admin" in expect.allowed else expect.allowed[0]


FORM_ROUTES = [
    (e, m)
    for e, m in ROUTES
    if m == "POST"
    and e not in SKIPPED
    and _caller_for(e, m)
    and not any(r.endpoint == e and r.rule.startswith("/api/") for r in RULES)
]


def _fields(html: str, url: str) -> tuple[dict[str, list[str]], set[str]]:
    """The fields of the page's POST forms that post to ``url`` (or to the page itself), with
    the values the page offers; and the names of the file fields."""
    fields: dict[str, list[str]] = {}
    files: set[str] = set()
    try:
        document = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return fields, files
    for form in document.forms:
        action = (form.get("action") or url).split("?")[0]
        if (form.method or "GET").upper() != "POST" or action not in (url, ""):
            continue
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrf_token":
                continue
            kind = (element.get("type") or "").lower()
            if kind == "file":
                files.add(name)
                continue
            offered = fields.setdefault(name, [])
            if element.tag == "select":
                offered += [o.get("value", o.text or "") for o in element.iter("option")]
            elif element.tag == "textarea":
                offered.append(element.text or "")
            else:
                offered.append(element.get("value", "on" if kind == "checkbox" else ""))
    return fields, files


@pytest.mark.parametrize(
    ("endpoint", "method"), FORM_ROUTES, ids=[f"{e}-{m}" for e, m in FORM_ROUTES]
)
def test_hostile_form_input_is_refused_cleanly(arena, endpoint, method):
    identity = _caller_for(endpoint, method)
    caller = arena.callers[identity]
    url, _api = _urls(arena, endpoint, method, entry(endpoint, method))[0]
    with rolled_back(arena.app):
        page = send(arena.app, caller, "GET", url, api=False)
    fields, files = _fields(page.text if page.status == 200 else "", url)
    uploads = st.dictionaries(
        st.sampled_from(sorted(files) or ["file"]),
        st.one_of(st.binary(max_size=2000), hostile_text().map(str.encode)),
        max_size=len(files),
    )

    def submit(pairs, blobs):
        data = list(pairs) + [(k, (io.BytesIO(v), "x.csv")) for k, v in blobs.items()]
        with rolled_back(arena.app) as conn:
            answer = send(arena.app, caller, method, url, api=False, data=data)
            changed = changed_tables(conn, arena.baseline, every=False)
        told = f"{identity} {method} {url} {pairs!r:.400}"
        assert answer.status < 500, f"{told}: {answer.text[:800]}"
        wrong = forbidden_changes(changed, endpoint, method)
        assert not wrong, f"{told} changed {wrong}"

    # The sweep: each hostile value in every typed-in field at once, the choices as offered.
    choices = {n: next((v for v in o if v), "") for n, o in fields.items() if len(o) > 1}
    for value in SWEEP:
        pairs = [(n, choices.get(n, value)) for n in sorted(fields)]
        submit(pairs, {name: b"\x00" * 10 for name in files})

    @given(pairs=form_submission(fields), blobs=uploads)
    def check(pairs, blobs):
        submit(pairs, blobs)

    check()
