"""The Content-Security-Policy refuses inline scripts, event handlers and styles
(lms/core/security_headers.py), so no page may carry one: a page that did would lose its
behaviour or its looks in the browser, silently.

Two checks here: every template's source, and the HTML the demo's pages render for a trainee
and an administrator (who between them reach the most pages; crawled with the test client from
the home page, one page per route), which covers what Python writes into pages too (charts'
SVG, form widgets, flash messages). Every role's every page is also loaded in Chromium under
the policy, failing on any violation it reports (tests/browser/test_accessibility.py)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from lms.demo import DEMO_PASSWORD
from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROLES = {"trainee": "trainee@example.org", "admin": "admin@example.org"}
SKIPPED_ENDPOINTS = {"auth.logout", "static", "bootstrap.static", "main.favicon"}
MAX_PAGES = 90  # per role, as in tests/browser/test_accessibility.py: a guard, not a target
# A script element that runs nothing (JSON data) is still refused by no policy, but the pages
# need none: data travels in data- attributes.
_TEMPLATE_RULES = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle=", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"=\s*[\"']?\s*javascript:", re.I),
}


class InlineCode(HTMLParser):
    """Collects what the policy refuses: scripts without ``src``, ``<style>``, ``style=`` and
    ``on*=`` attributes, ``javascript:`` links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute on <{tag}>: {value}")
            elif name.startswith("on"):
                self.found.append(f"{name} attribute on <{tag}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_parser_finds_each_kind_of_inline_code():
    page = (
        '<p style="color: red">a</p><script>alert(1)</script><style>p{}</style>'
        '<form onsubmit="return confirm(1)"></form><svg><rect style="fill: red"/></svg>'
        '<a href="javascript:alert(1)">x</a><script src="/static/js/x.js"></script>'
        '<div data-confirm="Sure?" data-style="x"></div>'
    )
    found = inline_code(page)
    assert len(found) == 6, found
    assert inline_code('<script src="/a.js"></script><p class="pre-line">ok</p>') == []


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_no_template_writes_inline_code(path):
    source = (TEMPLATES / path).read_text(encoding="utf-8")
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # comments may name what they avoid
    found = [rule for rule, pattern in _TEMPLATE_RULES.items() if pattern.search(source)]
    assert not found, f"{path}: {', '.join(found)}"


def _endpoint(app, path: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def _links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'<a\b[^>]*\shref="([^"#][^"]*)"', html):
        url, _fragment = urldefrag(href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(app, client) -> tuple[list[str], list[str]]:
    """Every route reachable from the home page, once; returns (pages, problems)."""
    seen: set[str] = set()
    queue = deque(["/", "/auth/login"])
    pages: list[str] = []
    problems: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        endpoint = _endpoint(app, urlsplit(path).path)
        if endpoint is None or endpoint in SKIPPED_ENDPOINTS or endpoint in seen:
            continue
        seen.add(endpoint)
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: HTTP {response.status_code}")
        if response.mimetype != "text/html" or response.status_code >= 300:
            continue
        html = response.get_data(as_text=True)
        pages.append(path)
        problems += [f"{path}: {problem}" for problem in inline_code(html)]
        queue.extend(_links(html))
    return pages, problems


@pytest.mark.demo
def test_no_page_of_the_demo_carries_inline_code(app):
    problems: list[str] = []
    reached: dict[str, int] = {}
    for role, email in ROLES.items():
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        pages, found = crawl(app, client)
        reached[role] = len(pages)
        problems += [f"{role} {problem}" for problem in found]
    # The crawl reached the pages that used to carry inline code (charts, bars, trees,
    # confirmations), so a pass means something.
    assert reached["trainee"] >= 8 and reached["admin"] >= 40, reached
    assert not problems, "\n".join(problems)
