"""Charts are ReportLab ``Drawing`` objects built once from plain data; pages show them as
inline SVG (readable without JavaScript) and PDF reports place the same drawing on a page, so
screen and print agree.

On a page the SVG is never shrunk below the width at which its smallest text is
``MIN_TEXT_PX`` pixels high: on a phone or in a narrow column it keeps that width and scrolls
sideways in its frame (``.chart-scroll`` in ``app.css``) instead of scaling its text down.

The page's Content-Security-Policy refuses ``style`` attributes, inline SVG included: the
``style="fill: …; stroke: …"`` that ReportLab writes on every shape becomes the same
properties as SVG presentation attributes (``fill="…" stroke="…"``), and the chart's size is
its ``width``/``height`` attributes plus an app.css class.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup, escape
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from lms.core.i18n import format_number

MIN_TEXT_PX = 12
_FONT_SIZE = re.compile(r"font-size(?::\s*|=\")([0-9.]+)px")
_STYLE = re.compile(r'\sstyle="([^"]*)"')
_STYLED_TAG = re.compile(r'<[a-zA-Z][^>]*\sstyle="[^"]*"[^>]*>')
_ATTRIBUTE = re.compile(r'\s([a-zA-Z:-]+)="[^"]*"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_REF = re.compile(r"url\(#([^)]+)\)")
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def clip(text: str, length: int = 38) -> str:
    """A chart label cut to ``length`` characters with an ellipsis, so a cut shows (the full
    text stays in the chart's data table and title)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def readable_width(svg: str, width: float) -> int:
    """The narrowest width, in CSS pixels, at which every text of ``svg`` (drawn ``width``
    units wide) is at least ``MIN_TEXT_PX`` high."""
    sizes = [float(size) for size in _FONT_SIZE.findall(svg)]
    smallest = min(sizes, default=MIN_TEXT_PX) or MIN_TEXT_PX
    return math.ceil(width * max(1.0, MIN_TEXT_PX / smallest))


def presentation_attributes(svg: str) -> str:
    """Every ``style="a: b; c: d"`` of ``svg`` as ``a="b" c="d"``: each property ReportLab
    writes (fill, stroke, stroke-width, stroke-dasharray, font-family, font-size, clip-path…)
    is also an SVG presentation attribute, which no Content-Security-Policy restricts. A
    property replaces an attribute of the same name (in a style it took precedence)."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        style = _STYLE.search(text)
        pairs = [part.split(":", 1) for part in style.group(1).split(";") if ":" in part]
        names = {name.strip() for name, _value in pairs}
        text = _STYLE.sub("", text, count=1)
        text = _ATTRIBUTE.sub(lambda a: "" if a.group(1) in names else a.group(0), text)
        # Moved from one double-quoted attribute to another: already escaped by ReportLab.
        added = "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)
        end = len(text) - (2 if text.endswith("/>") else 1)
        return text[:end] + added + text[end:]

    return _STYLED_TAG.sub(tag, svg)


@dataclass(frozen=True)
class ChartTable:
    """The figures a chart draws, as rows under headers: shown one click under the chart, so
    a screen reader, a keyboard or a colour-blind reader gets every value (targets included)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


def chart_table_markup(table: ChartTable, label: str) -> Markup:
    """A ``<details>`` with the chart's data table (closed: one click away)."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{escape(_cell(v))}</th>' if i == 0 else f"<td>{escape(_cell(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    summary = escape(gettext("Data table: %(chart)s", chart=label))
    return Markup(  # nosec B704  # head, body and summary are escaped above
        f'<details class="chart-data mt-1"><summary>{summary}</summary>'
        f'<div class="table-responsive"><table class="table table-sm mb-0">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def svg_markup(
    drawing: Drawing,
    label: str = "",
    *,
    description: str = "",
    table: ChartTable | None = None,
    full_width: bool = False,
) -> Markup:
    """Inline SVG for a page, in a frame that scrolls sideways on narrow screens: the XML
    prologue and DOCTYPE dropped, named by its ``<title>`` and ``<desc>`` (``label``,
    ``description``), followed by its data table when given."""
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<title>...</title>", "").replace("<desc>...</desc>", "")
    # An element id, not a security check: SHA-1 only spreads the ids.
    digest = hashlib.sha1(f"{label}\n{svg}".encode(), usedforsecurity=False)
    ident = "chart-" + digest.hexdigest()[:12]
    # ReportLab names every drawing's clip path "clip" and its group "group": prefixed, two
    # charts on one page keep distinct ids (and each its own clip path).
    svg = _SVG_ID.sub(lambda m: f'id="{ident}-{m.group(1)}"', svg)
    svg = _SVG_REF.sub(lambda m: f"url(#{ident}-{m.group(1)})", svg)
    svg = presentation_attributes(svg)
    # Drawn at the width where its smallest text is MIN_TEXT_PX high (never less: the frame
    # scrolls); a full-width chart also grows with its column (``chart-fill``: min-width 100%).
    minimum = readable_width(svg, drawing.width)
    height = round(minimum * drawing.height / drawing.width, 2) if drawing.width else 0
    svg = _SIZE.sub("", svg[: svg.index(">")], count=2) + svg[svg.index(">") :]
    classes = "chart chart-fill" if full_width else "chart"
    labelled = f"{ident}-title" + (f" {ident}-desc" if description else "")
    opening_end = svg.index(">", svg.index("<svg")) + 1
    names = f'<title id="{ident}-title">{escape(label)}</title>' + (
        f'<desc id="{ident}-desc">{escape(description)}</desc>' if description else ""
    )
    svg = svg[:opening_end] + names + svg[opening_end:]
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{labelled}" class="{classes}" '
        f'width="{minimum}" height="{height:g}" ',
        1,
    )
    data = chart_table_markup(table, label) if table is not None else ""
    # Built by ReportLab, which escapes every string it writes; our strings are escaped here.
    # The frame scrolls sideways when narrow: a keyboard reaches it (a named region in the
    # tab order), as a finger does.
    frame = f'<div class="chart-scroll" tabindex="0" role="region" aria-label="{escape(label)}">'
    return Markup(f"{frame}{svg}</div>{data}")  # nosec B704  # escaped, as said above
