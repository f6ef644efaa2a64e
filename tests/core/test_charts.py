"""Charts on a page are inline SVG that a strict Content-Security-Policy accepts: ReportLab's
``style`` attributes become presentation attributes, and the size is the SVG's own."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from lms.core.charts import presentation_attributes, svg_markup


def test_the_svg_keeps_its_colours_as_attributes_for_the_content_security_policy():
    drawing = Drawing(200, 100)
    drawing.add(Rect(10, 10, 50, 30, fillColor=colors.red, strokeColor=None))
    drawing.add(String(20, 50, 'a "quoted" <label>', fontSize=9, fillColor=colors.blue))
    drawing.add(Line(0, 0, 100, 100, strokeColor=colors.green, strokeDashArray=[2, 2]))

    svg = str(svg_markup(drawing, "Shapes"))

    assert "style=" not in svg
    assert 'fill="rgb(100%,0%,0%)"' in svg and 'stroke-dasharray="2, 2"' in svg
    assert 'font-size="9px"' in svg and "a &quot;quoted&quot; &lt;label&gt;" in svg
    assert 'clip-path="url(#chart-' in svg  # the clip path still names its own id
    # 9 px text drawn 12 px high: 200 × 12/9 wide, its height in proportion
    assert 'class="chart" width="267" height="133.5"' in svg


def test_a_style_property_replaces_the_attribute_of_the_same_name():
    converted = presentation_attributes('<g fill="red" id="g" style="fill: blue; stroke:none;">')
    assert converted == '<g id="g" fill="blue" stroke="none">'
    assert presentation_attributes('<rect x="1" style="fill: red"/>') == '<rect x="1" fill="red"/>'
