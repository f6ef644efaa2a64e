"""Charts are built from plain data, render to inline SVG for pages and to PDF for reports."""

from __future__ import annotations

from datetime import date

from reportlab.graphics import renderPDF

from lms.projects import charts
from lms.projects.models import MilestoneStatus


def _parse(markup: str):
    """The chart's markup as an element tree (it is well-formed XML: SVG and XHTML-style)."""
    from xml.etree import ElementTree

    return ElementTree.fromstring(f"<root>{markup}</root>")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def test_a_target_vs_actual_chart_from_plain_data_renders_to_svg_and_pdf():
    series = charts.IndicatorSeries(
        unit="<script>alert(1)</script>",
        periods=["2024", "2025", "2026"],
        targets=[10.0, 20.0, 30.0],
        actuals=[9.0, None, None],
        baseline=0.0,
    )
    drawing = charts.target_actual_chart(series)

    svg = str(
        charts.svg_markup(
            drawing,
            'Officers "certified"',
            description="Targets <b>and</b> actuals",
            table=series.table("Target", "Actual"),
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    chart = _parse(svg)
    frame = chart.find("div")
    assert frame.get("class") == "chart-scroll" and frame.get("tabindex") == "0"
    assert frame.get("aria-label") == 'Officers "certified"'
    image = frame.find("{*}svg")
    title, desc = image.find("{*}title"), image.find("{*}desc")
    assert title.text == 'Officers "certified"' and desc.text == "Targets <b>and</b> actuals"
    assert image.get("role") == "img"
    assert image.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # The data table, one click away, holds every figure the chart draws, targets included.
    details = chart.find("details")
    assert details.find("summary").text == 'Data table: Officers "certified"'
    header = [th.text for th in details.iter("th") if th.get("scope") == "col"]
    assert header == [
        "Period",
        "Target (<script>alert(1)</script>)",
        "Actual (<script>alert(1)</script>)",
    ]
    rows = [
        [cell.text for cell in tr if cell.tag in ("th", "td")]
        for tr in details.find(".//tbody").iter("tr")
    ]
    drawn = zip(series.periods, series.targets, series.actuals, strict=True)
    assert rows == [[period, _number(target), _number(actual)] for period, target, actual in drawn]
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")


def test_a_chart_without_any_value_still_renders():
    series = charts.IndicatorSeries(unit="%", periods=[], targets=[], actuals=[], baseline=0.0)
    assert "No targets or actuals yet" in str(charts.svg_markup(charts.target_actual_chart(series)))


def test_the_timeline_shows_phases_milestones_and_today_from_plain_data():
    data = charts.TimelineData(
        start_date=date(2024, 1, 1),
        end_date=date(2027, 12, 31),
        today=date(2025, 6, 30),
        phases=[charts.TimelinePhase("Inception", date(2024, 1, 1), date(2024, 6, 30))],
        milestones=[
            charts.TimelineMilestone(
                "Policy adopted", date(2025, 3, 31), date(2025, 5, 31), None, MilestoneStatus.LATE
            )
        ],
    )
    drawing = charts.timeline_chart(data)

    svg = str(charts.svg_markup(drawing, "Timeline", full_width=True))
    for text in ("Inception", "Policy adopted", "today 2025-06-30", "2024", "2027"):
        assert text in svg
    assert 'class="chart chart-fill" width="1080"' in svg  # 10 px text drawn 12 px high
    assert "style=" not in svg  # sizes and colours as attributes (the CSP refuses styles)
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")
