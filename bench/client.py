"""A few plain HTTP requests (standard library): log a demo account in once through the login
form and keep its session cookie; fetch a page once to check it and learn its size."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    body: bytes
    cookies: dict[str, str]


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    cookie: str | None = None,
    form: dict[str, str] | None = None,
    timeout: float = 120,
) -> Answer:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {}
    body = None
    if cookie:
        headers["Cookie"] = cookie
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return Answer(
            response.status,
            response.getheader("Location"),
            content,
            {name: morsel.value for name, morsel in jar.items()},
        )
    finally:
        connection.close()


def csrf_token(html: bytes) -> str:
    match = _CSRF.search(html.decode("utf-8", "replace"))
    if not match:
        raise RuntimeError("no csrf_token field on the login page")
    return match.group(1) or match.group(2)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def login(base_url: str, email: str, password: str) -> str:
    """Log in through the form; the ``Cookie`` header value of the signed-in session."""
    page = request(base_url, "GET", "/auth/login")
    cookies = dict(page.cookies)
    answer = request(
        base_url,
        "POST",
        "/auth/login",
        cookie=cookie_header(cookies),
        form={"csrf_token": csrf_token(page.body), "email": email, "password": password},
    )
    cookies.update(answer.cookies)
    if answer.status != 302:
        raise RuntimeError(f"logging in {email} answered {answer.status}, not a redirect")
    cookie = cookie_header(cookies)
    # signed in, the login page sends the user on to the home page (cheaper than the home
    # page itself, which is one of the measured pages)
    check = request(base_url, "GET", "/auth/login", cookie=cookie)
    if check.status != 302:
        raise RuntimeError(f"{email}: not signed in after logging in ({check.status})")
    return cookie
