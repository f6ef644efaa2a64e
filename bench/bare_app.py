"""The ceiling: a bare Flask app, served by the same gunicorn settings as the product, whose
only route returns a fixed HTML page of the asked size. It is a separate WSGI app under
``bench/`` and never part of the product (``gunicorn bench.bare_app:app``)."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response

app = Flask(__name__)

_HEAD = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>bare</title></head><body>"
)
_TAIL = b"</body></html>"
_LINE = b"<p>The quick brown fox jumps over the lazy dog, a fixed line of the bare page.</p>\n"
MAX_BYTES = 50 * 1024 * 1024


@lru_cache(maxsize=256)
def page(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (at least its head and tail)."""
    filler = max(0, size - len(_HEAD) - len(_TAIL))
    body = (_LINE * (filler // len(_LINE) + 1))[:filler]
    return _HEAD + body + _TAIL


@app.get("/bare/<int:size>")
def bare(size: int) -> Response:
    return Response(page(min(size, MAX_BYTES)), mimetype="text/html")
