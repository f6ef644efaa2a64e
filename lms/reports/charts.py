"""Charts of the directorate report, each one function from plain data to a ReportLab
``Drawing``: the statistics page shows it as SVG (``svg_markup``), the PDF draws the same
drawing, so screen and print agree."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.validators import Auto

from lms.core.charts import ChartTable, clip

SERIES_COLOURS = [
    colors.HexColor("#0a58ca"),
    colors.HexColor("#146c43"),
    colors.HexColor("#b45309"),  # 3:1 at least against white, as each bar
]
SERIES_OUTLINES: list[tuple[float, float] | None] = [None, (4, 2), (1, 2)]


@dataclass(frozen=True)
class BarChartData:
    categories: list[str]
    series: list[tuple[str, list[int]]]  # (name, one value per category)

    def table(self, category_header: str) -> ChartTable:
        """The bars as a table: one row per category, one column per series."""
        return ChartTable(
            (category_header, *(name for name, _v in self.series)),
            tuple(
                (category, *(values[i] for _n, values in self.series))
                for i, category in enumerate(self.categories)
            ),
        )


def bar_chart(
    data: BarChartData, width: int = 640, height: int = 240, *, empty_label: str = "No data"
) -> Drawing:
    """Grouped vertical bars, one group per category, one colour per series, with a legend."""
    drawing = Drawing(width, height)
    if not data.categories or not any(any(values) for _n, values in data.series):
        drawing.add(String(10, height / 2, empty_label, fontName="Helvetica", fontSize=10))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 60
    chart.width, chart.height = width - 60, height - 95
    chart.data = [values for _name, values in data.series]
    chart.categoryAxis.categoryNames = [clip(c, 22) for c in data.categories]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.angle = 20 if len(data.categories) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(data.categories) > 4 else "n"
    top = max(max(values) for _n, values in data.series)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(top + 1, int(top * 1.15) + 1)
    chart.valueAxis.valueStep = max(1, (chart.valueAxis.valueMax // 5) or 1)
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 8
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    for index, (name, _values) in enumerate(data.series):
        bars = chart.bars[index]
        bars.fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        bars.name = name
        # Told apart by more than colour: each series has its own outline (none, dashed,
        # dotted), in the legend too.
        pattern = SERIES_OUTLINES[index % len(SERIES_OUTLINES)]
        bars.strokeColor = colors.black if pattern else None
        bars.strokeWidth = 1.5
        bars.strokeDashArray = pattern
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 8
    legend.fontName = "Helvetica"
    legend.fontSize = 9
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.dx, legend.dy = 8, 8
    legend.colorNamePairs = Auto(obj=chart)
    drawing.add(legend)
    return drawing


def region_chart_data(directorate, labels: tuple[str, str, str]) -> BarChartData:
    """Enrolled, completed and certified trainees by region (regions with any figure), named
    by their short codes so the axis stays readable."""
    codes = directorate.region_codes or [name for name, _f in directorate.by_region]
    rows = [
        (code, f)
        for code, (_name, f) in zip(codes, directorate.by_region, strict=True)
        if f.enrolled or f.completed or f.certified
    ]
    return BarChartData(
        [code for code, _f in rows],
        [
            (labels[0], [f.enrolled for _c, f in rows]),
            (labels[1], [f.completed for _c, f in rows]),
            (labels[2], [f.certified for _c, f in rows]),
        ],
    )


def levels_chart_data(directorate, label: str) -> BarChartData:
    return BarChartData(
        [name for name, _n in directorate.level_distribution],
        [(label, [n for _name, n in directorate.level_distribution])],
    )
