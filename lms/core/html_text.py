"""HTML that arrives from elsewhere (descriptions in a Moodle export) made into the plain text
the product stores and shows escaped.

``nh3`` (the Ammonia sanitiser) runs first: scripts, styles, comments, event handlers and
every attribute go, with their content where the content is code; only structural tags stay.
The sanitised fragment is then flattened into text that keeps its shape: paragraphs and
headings become blank-line separated blocks, ``<br>`` a line break, list items ``- item``
lines. Entities are decoded, since the text is escaped again wherever it is shown.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_BLOCKS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "section",
        "article",
    }
)
_KEPT_TAGS = _BLOCKS | {"br", "li", "td", "th", "tbody", "thead", "span", "strong", "em", "b", "i"}
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^<>]*>|&[a-zA-Z]+;|&#[0-9]+;")


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text or ""))


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def sanitise_html(html: str) -> str:
    """The fragment with everything but structural tags removed (scripts with their code)."""
    return nh3.clean(html or "", tags=set(_KEPT_TAGS), attributes={}, strip_comments=True)


def html_to_text(html: str) -> str:
    """Sanitised HTML flattened into plain text with its paragraphs, breaks and lists."""
    parser = _Flattener()
    parser.feed(sanitise_html(html))
    parser.close()
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
