"""Charts are ReportLab ``Drawing`` objects built once from plain data; pages show them as
inline SVG (readable without JavaScript) and PDF reports place the same drawing on a page, so
screen and print agree.

On a page the SVG is never shrunk below the width at which its smallest text is
``MIN_TEXT_PX`` pixels high: on a phone or in a narrow column it keeps that width and scrolls
sideways in its frame (``.chart-scroll`` in ``app.css``) instead of scaling its text down.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

MIN_TEXT_PX = 12
_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)px")


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


def svg_markup(drawing: Drawing, label: str = "", *, full_width: bool = False) -> Markup:
    """Inline SVG for a page, in a frame that scrolls sideways on narrow screens: the XML
    prologue and DOCTYPE dropped, an accessible name set."""
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<title>...</title>", "").replace("<desc>...</desc>", "")
    name = Markup.escape(label)
    minimum = readable_width(svg, drawing.width)
    limit = "" if full_width else f"; max-width: {max(minimum, math.ceil(drawing.width))}px"
    style = f"width: 100%; height: auto{limit}; --chart-min-width: {minimum}px"
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{name}" class="chart" style="{style}" ', 1
    )
    # Built by ReportLab, which escapes every string it writes.
    return Markup(f'<div class="chart-scroll">{svg}</div>')
