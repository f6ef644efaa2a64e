"""Issue 17's acceptance: every page each demo role can reach, audited in Chromium.

On the demo data (loaded in each test, ~20 s), each role (and an anonymous visitor) walks the
site as a user would: from the home page, every same-site link of every page it reaches, one
page per route (a session's page stands for every session's). On each page:

* axe-core (the ``axe-playwright-python`` bundle, run in the page) checks WCAG 2.1 A and AA;
  any violation of impact *serious* or *critical* fails the test, with the page, the rule and
  the elements;
* every id is used once (a label names the field it is for);
* at a 375 px wide viewport (a phone), the page must not scroll sideways;
* the Content-Security-Policy (lms/core/security_headers.py) refused nothing: no inline
  script, handler or style, nothing from another site (each ``securitypolicyviolation``
  event, and each console message naming the policy, fails the test). The API docs page
  (Swagger UI) is checked for this too, though not audited by axe (see below).

A new page that a role can reach is audited without touching this file."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.exceptions import HTTPException

from lms.demo import DEMO_PASSWORD

SHOTS = Path("/tmp/a11y")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
MAX_PAGES = 90  # per role: far above what a role reaches, a guard against a crawl trap
# Links that are not pages: files, and the ends of a visit.
NOT_PAGES = (
    ".pdf",
    ".csv",
    ".xlsx",
    ".zip",
    ".ics",
    ".svg",
    ".png",
    ".json",
    ".xml",
    ".jwt",
    ".pem",
)
SKIPPED_ENDPOINTS = {"auth.logout", "static", "bootstrap.static", "main.favicon"}
# openapi.docs is Swagger UI, a third-party developer tool rendered by its own script: it fails
# axe's nested-interactive and contrast rules in ways a stylesheet cannot fix. The API is
# described by /api/v1/openapi.json; README "JSON API" says so. It is loaded, and checked for
# policy violations only.
NOT_AUDITED = {"openapi.docs"}
# Installed through the DevTools protocol before any page script (no policy applies to it):
# keeps every violation the page's document reports.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
    + (e.sample ? ` (${e.sample})` : "") + (e.lineNumber ? ` line ${e.lineNumber}` : ""));
});
"""

ROLES = {
    "anonymous": None,
    "trainee": "trainee@example.org",
    "trainer": "trainer@example.org",
    "manager": "manager@example.org",
    "directorate": "directorate@example.org",
    "admin": "admin@example.org",
}


def _endpoint(app, path: str) -> str | None:
    """The route a same-site path belongs to (None: not a route of the application)."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if parts.path.lower().endswith(NOT_PAGES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _serious(results: dict) -> list[str]:
    problems = []
    for violation in results["violations"]:
        if violation.get("impact") in FAILING_IMPACTS:
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
            problems.append(
                f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements:"
                f" {'; '.join(targets)}): {violation['help']}"
            )
    return problems


def _duplicate_ids(page) -> list[str]:
    """Ids used by more than one element (a label or an ARIA reference would name the wrong
    one)."""
    return page.evaluate(
        """() => {
          const seen = new Map();
          for (const el of document.querySelectorAll('[id]')) {
            seen.set(el.id, (seen.get(el.id) || 0) + 1);
          }
          return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
        }"""
    )


def _scrolls_sideways(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: it fits)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def _policy_violations(page, console: list[str]) -> list[str]:
    """What the Content-Security-Policy refused on this page (its events, then the console's
    messages about it); both lists are emptied."""
    found = page.evaluate("() => (window.__cspViolations || []).splice(0)")
    found += console
    console.clear()
    return found


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_selector("[data-testid=current-user]", state="attached")


def audit(app, browser, live_server: str, email: str | None, name: str):
    """Walk the site as ``email`` (anonymous when None); returns (pages audited, failures)."""
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on(  # the first sentence: what was refused, and by which directive
        "console",
        lambda m: (
            console.append(m.text.split(". ")[0]) if "Content Security Policy" in m.text else None
        ),
    )
    axe = Axe()
    if email:
        _log_in(page, email)
    seen_endpoints: set[str] = set()
    queue = deque(["/", "/auth/login"] if email is None else ["/"])
    audited: list[str] = []
    failures: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    while queue and len(audited) < MAX_PAGES:
        path = queue.popleft()
        endpoint = _endpoint(app, urlsplit(path).path)
        if endpoint is None or endpoint in SKIPPED_ENDPOINTS or endpoint in seen_endpoints:
            continue
        seen_endpoints.add(endpoint)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 500:
            failures.append(f"{path}: HTTP {response.status}")
            continue
        audited.append(path)
        if endpoint in NOT_AUDITED:
            page.wait_for_selector(".swagger-ui .info", state="attached")
            failures += [f"{path}: CSP: {v}" for v in _policy_violations(page, console)]
            continue
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        failures += [f"{path}: {problem}" for problem in _serious(results.response)]
        if duplicates := _duplicate_ids(page):
            failures.append(f"{path}: ids used twice: {', '.join(duplicates)}")
        page.set_viewport_size(PHONE)
        overflow = _scrolls_sideways(page)
        if overflow > 0:
            page.screenshot(path=str(SHOTS / f"{name}-{endpoint}-375.png"), full_page=True)
            failures.append(f"{path}: scrolls sideways by {overflow} px at 375 px wide")
        page.set_viewport_size(DESKTOP)
        failures += [f"{path}: CSP: {v}" for v in _policy_violations(page, console)]
        queue.extend(_links(page, live_server))
    context.close()
    return audited, failures


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.demo
def test_every_reachable_page_meets_wcag_aa_and_fits_a_phone(app, browser, live_server, role):
    audited, failures = audit(app, browser, live_server, ROLES[role], role)
    assert len(audited) >= (2 if ROLES[role] is None else 8), audited
    assert not failures, f"{len(failures)} problems on {len(audited)} pages:\n" + "\n".join(
        failures
    )
