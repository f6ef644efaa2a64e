"""Charts are ReportLab ``Drawing`` objects built once from plain data; pages show them as
inline SVG (readable without JavaScript) and PDF reports place the same drawing on a page, so
screen and print agree."""

from __future__ import annotations

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing


def svg_markup(drawing: Drawing, label: str = "", *, full_width: bool = False) -> Markup:
    """Inline SVG for a page: the XML prologue and DOCTYPE dropped, an accessible name set."""
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<title>...</title>", "").replace("<desc>...</desc>", "")
    name = Markup.escape(label)
    style = ' style="width: 100%; height: auto"' if full_width else ""
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{name}" class="img-fluid"{style} ', 1)
    return Markup(svg)  # built by ReportLab, which escapes every string it writes
