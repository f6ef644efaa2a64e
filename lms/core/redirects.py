"""Where a redirect may go when the request names it (a form's ``next``, the ``next`` query of
the login page, the Referer): only to a path of this site. An open redirect would make a
phishing link look like ours, so everything else falls back to a page the view names."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (``/courses/3?x=1``), else ``None``: refused are
    absolute URLs (``https://evil``), scheme-relative ones (``//evil``), backslashes (browsers
    read ``/\\evil`` as ``//evil``), control characters and anything not starting with ``/``."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target  # one leading "/" and no backslash: no scheme, no host


def redirect_target(target: str | None, fallback: str) -> str:
    """A redirect target taken from the request: ``target`` when it is a local path, else
    ``fallback``."""
    return local_path(target) or fallback


def referrer_target(fallback: str) -> str:
    """The page the request came from (the Referer), as a local path: only when it is a page
    of this very site (same scheme and host), else ``fallback``."""
    referrer = request.referrer
    if not referrer:
        return fallback
    parts = urlsplit(referrer)
    own = urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return fallback
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect_target(path, fallback)
