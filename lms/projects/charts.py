"""Charts of a project as ReportLab drawings built from plain data.

Each chart is one function from a small dataclass to a ``Drawing``: pages render it to inline
SVG with ``svg_markup`` (readable without JavaScript), and a PDF report can place the same
``Drawing`` on a page. ReportLab escapes every string it writes into the SVG.

Pages take their SVG through ``indicator_svg`` and ``timeline_svg``, which keep the markup of
the last ``CHART_CACHE_SIZE`` charts in each process, keyed by *everything the chart is drawn
from* (the series or timeline data, size and labels), not by an id and a version: a chart's
key changes exactly when its drawing would, whichever path changed the data (a target
revised, an actual reported, corrected or withdrawn, figures updated from training records,
rows loaded in bulk), so there is no invalidation to forget and nothing to store. Building
the key costs what the page already loads (targets and actuals); drawing and serialising the
SVG, about 90 ms a chart, is what is saved. Each worker holds its own cache (a few MB at most).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from markupsafe import Markup
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from lms.core.charts import ChartTable, clip, svg_markup
from lms.core.i18n import _, format_day
from lms.projects.models import Indicator, MilestoneStatus, Project
from lms.projects.services import current_actuals

TARGET_COLOUR = colors.HexColor("#6c757d")
ACTUAL_COLOUR = colors.HexColor("#0d6efd")
MILESTONE_COLOURS = {
    MilestoneStatus.PLANNED: colors.HexColor("#6c757d"),
    MilestoneStatus.IN_PROGRESS: colors.HexColor("#087990"),
    MilestoneStatus.DONE: colors.HexColor("#198754"),
    MilestoneStatus.LATE: colors.HexColor("#dc3545"),
    MilestoneStatus.CANCELLED: colors.HexColor("#6c757d"),
}
PHASE_COLOURS = ["#cfe2ff", "#d1e7dd", "#fff3cd", "#f8d7da", "#e2e3e5"]
CHART_CACHE_SIZE = 512  # charts per process and kind; ~15 KB of SVG each


# Target vs actual ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSeries:
    """What a target-vs-actual chart needs: periods in order and a value (or gap) for each."""

    unit: str
    periods: list[str]
    targets: list[float | None]
    actuals: list[float | None]
    baseline: float

    def table(self, target_label: str, actual_label: str) -> ChartTable:
        """Each period's target and actual, as the chart draws them."""
        return ChartTable(
            (_("Period"), f"{target_label} ({self.unit})", f"{actual_label} ({self.unit})"),
            tuple(zip(self.periods, self.targets, self.actuals, strict=True)),
        )


def indicator_series(indicator: Indicator) -> IndicatorSeries:
    targets = {t.period: float(t.value) for t in indicator.targets}
    actuals = {p: float(a.value) for p, a in current_actuals(indicator).items()}
    periods = sorted(set(targets) | set(actuals))
    return IndicatorSeries(
        unit=indicator.unit,
        periods=periods,
        targets=[targets.get(p) for p in periods],
        actuals=[actuals.get(p) for p in periods],
        baseline=float(indicator.baseline_value),
    )


def target_actual_chart(
    series: IndicatorSeries,
    width: int = 420,
    height: int = 190,
    *,
    target_label: str = "Target",
    actual_label: str = "Actual",
    empty_label: str = "No targets or actuals yet",
) -> Drawing:
    drawing = Drawing(width, height)
    if not series.periods:
        drawing.add(String(10, height / 2, empty_label, fontSize=10))
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y = 45, 40
    chart.width, chart.height = width - 60, height - 70
    lines = [
        (values, colour, label, marker)
        for values, colour, label, marker in (
            (series.targets, TARGET_COLOUR, f"{target_label} ({series.unit})", "Circle"),
            (series.actuals, ACTUAL_COLOUR, f"{actual_label} ({series.unit})", "FilledSquare"),
        )
        if any(v is not None for v in values)
    ]
    chart.data = [list(values) for values, *_ in lines]
    chart.categoryAxis.categoryNames = series.periods
    chart.categoryAxis.labels.fontSize = 10
    chart.categoryAxis.labels.angle = 30 if len(series.periods) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(series.periods) > 6 else "n"
    values = [v for v in (*series.targets, *series.actuals, series.baseline) if v is not None]
    low, high = min([*values, 0.0]), max([*values, 1.0])
    chart.valueAxis.valueMin = low
    chart.valueAxis.valueMax = high * 1.1 if high > 0 else 1.0
    chart.valueAxis.labels.fontSize = 10
    chart.joinedLines = 1
    for index, (_values, colour, _label, marker) in enumerate(lines):
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 2 if colour is ACTUAL_COLOUR else 1
        if colour is TARGET_COLOUR:
            chart.lines[index].strokeDashArray = (4, 3)
        chart.lines[index].symbol = makeMarker(marker, size=5, fillColor=colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 45, height - 8
    legend.fontSize = 10
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx, legend.dy = 8, 8
    legend.colorNamePairs = [(colour, label) for _values, colour, label, _m in lines]
    drawing.add(legend)
    return drawing


# Timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineMilestone:
    title: str
    baseline_date: date
    due_date: date
    completed_on: date | None
    status: MilestoneStatus


@dataclass(frozen=True)
class TimelinePhase:
    name: str
    start_date: date
    end_date: date


@dataclass(frozen=True)
class TimelineData:
    start_date: date
    end_date: date
    today: date
    phases: list[TimelinePhase] = field(default_factory=list)
    milestones: list[TimelineMilestone] = field(default_factory=list)

    def table(self) -> ChartTable:
        """The project's span, its phases and its milestones (due date and status), as the
        timeline draws them."""
        return ChartTable(
            (_("Item"), _("Start"), _("End or due"), _("Status")),
            (
                (_("Project"), format_day(self.start_date), format_day(self.end_date), ""),
                *(
                    (p.name, format_day(p.start_date), format_day(p.end_date), "")
                    for p in self.phases
                ),
                *(
                    (m.title, "", format_day(m.due_date), m.status.label)
                    for m in sorted(self.milestones, key=lambda m: m.due_date)
                ),
            ),
        )


def timeline_data(project: Project, today: date) -> TimelineData:
    return TimelineData(
        start_date=project.start_date,
        end_date=project.end_date,
        today=today,
        phases=[TimelinePhase(p.name, p.start_date, p.end_date) for p in project.phases],
        milestones=[
            TimelineMilestone(
                m.title, m.baseline_date, m.due_date, m.completed_on, m.status_on(today)
            )
            for m in project.milestones
        ],
    )


def timeline_chart(data: TimelineData, width: int = 900, *, today_label: str = "today") -> Drawing:
    """Years across, phases as bars, one row per milestone: a diamond on the current date
    (coloured by status), a hollow mark on the baseline when it moved, and today's line."""
    left, right, top_pad = 260, 20, 34
    row, phase_row = 22, 24
    height = top_pad + phase_row * max(len(data.phases), 1) + row * len(data.milestones) + 30
    drawing = Drawing(width, height)
    start = min(
        [data.start_date]
        + [m.baseline_date for m in data.milestones]
        + [m.due_date for m in data.milestones]
    )
    end = max(
        [data.end_date]
        + [m.due_date for m in data.milestones]
        + [m.completed_on for m in data.milestones if m.completed_on]
    )
    span = max((end - start).days, 1)
    plot_width = width - left - right

    def x_of(day: date) -> float:
        return left + plot_width * (day - start).days / span

    # Year grid and labels.
    for year in range(start.year, end.year + 2):
        jan1 = date(year, 1, 1)
        if start <= jan1 <= end + timedelta(days=1):
            x = x_of(jan1)
            drawing.add(Line(x, 10, x, height - 18, strokeColor=colors.HexColor("#dee2e6")))
        mid = max(jan1, start) + (min(date(year, 12, 31), end) - max(jan1, start)) / 2
        if start.year <= year <= end.year:
            drawing.add(String(x_of(mid), height - 16, str(year), fontSize=11, textAnchor="middle"))

    y = height - top_pad
    if not data.phases:
        drawing.add(String(8, y - 13, _("Project"), fontSize=11))
        drawing.add(
            Rect(
                x_of(data.start_date),
                y - 16,
                x_of(data.end_date) - x_of(data.start_date),
                12,
                fillColor=colors.HexColor(PHASE_COLOURS[0]),
                strokeColor=colors.HexColor("#495057"),
                strokeWidth=0.75,
            )
        )
        y -= phase_row
    for index, phase in enumerate(data.phases):
        drawing.add(String(8, y - 13, clip(phase.name), fontSize=11))
        drawing.add(
            Rect(
                x_of(phase.start_date),
                y - 16,
                max(x_of(phase.end_date) - x_of(phase.start_date), 2),
                14,
                fillColor=colors.HexColor(PHASE_COLOURS[index % len(PHASE_COLOURS)]),
                strokeColor=colors.HexColor("#495057"),  # 3:1 at least on white, for the bar
                strokeWidth=0.75,
            )
        )
        y -= phase_row

    for milestone in data.milestones:
        centre_y = y - row / 2
        drawing.add(String(8, centre_y - 4, clip(milestone.title), fontSize=10))
        colour = MILESTONE_COLOURS[milestone.status]
        if milestone.baseline_date != milestone.due_date:
            bx, dx = x_of(milestone.baseline_date), x_of(milestone.due_date)
            drawing.add(
                Line(bx, centre_y, dx, centre_y, strokeColor=colour, strokeDashArray=(2, 2))
            )
            drawing.add(_diamond(bx, centre_y, 4, None, colour))
        drawing.add(_diamond(x_of(milestone.due_date), centre_y, 5, colour, colour))
        if milestone.completed_on:
            cx = x_of(milestone.completed_on)
            drawing.add(Line(cx, centre_y - 5, cx, centre_y + 5, strokeColor=colour, strokeWidth=2))
        y -= row

    if start <= data.today <= end:
        tx = x_of(data.today)
        drawing.add(
            Line(tx, 10, tx, height - 20, strokeColor=colors.HexColor("#dc3545"), strokeWidth=1)
        )
        drawing.add(
            String(
                tx + 2,
                2,
                f"{today_label} {data.today.isoformat()}",
                fontSize=10,
                fillColor=colors.HexColor("#dc3545"),
            )
        )
    return drawing


def _diamond(x: float, y: float, r: float, fill, stroke) -> Polygon:
    return Polygon(
        [x, y + r, x + r, y, x, y - r, x - r, y],
        fillColor=fill,
        strokeColor=stroke,
        strokeWidth=1,
    )


# Cached page markup ---------------------------------------------------------------------------


def indicator_svg(
    indicator: Indicator,
    *,
    label: str,
    width: int = 420,
    height: int = 190,
    target_label: str = "Target",
    actual_label: str = "Actual",
    empty_label: str = "No targets or actuals yet",
) -> Markup:
    """The indicator's target-vs-actual chart as page markup, drawn once per distinct data."""
    series = indicator_series(indicator)
    return _indicator_svg(
        series.unit,
        tuple(series.periods),
        tuple(series.targets),
        tuple(series.actuals),
        series.baseline,
        width,
        height,
        target_label,
        actual_label,
        empty_label,
        label,
    )


@lru_cache(maxsize=CHART_CACHE_SIZE)
def _indicator_svg(
    unit: str,
    periods: tuple[str, ...],
    targets: tuple[float | None, ...],
    actuals: tuple[float | None, ...],
    baseline: float,
    width: int,
    height: int,
    target_label: str,
    actual_label: str,
    empty_label: str,
    label: str,
) -> Markup:
    series = IndicatorSeries(unit, list(periods), list(targets), list(actuals), baseline)
    return indicator_markup(series, width, height, target_label, actual_label, empty_label, label)


def indicator_markup(
    series: IndicatorSeries,
    width: int = 420,
    height: int = 190,
    target_label: str = "Target",
    actual_label: str = "Actual",
    empty_label: str = "No targets or actuals yet",
    label: str = "",
) -> Markup:
    """The chart as page markup, drawn afresh: its SVG, named and described, and its data."""
    drawing = target_actual_chart(
        series,
        width,
        height,
        target_label=target_label,
        actual_label=actual_label,
        empty_label=empty_label,
    )
    return svg_markup(
        drawing,
        label,
        description=_("Targets (dashed, circles) and actuals (solid, squares) per period."),
        table=series.table(target_label, actual_label) if series.periods else None,
    )


def timeline_svg(data: TimelineData, *, label: str, today_label: str = "today") -> Markup:
    """The project's timeline as page markup, drawn once per distinct data (and day)."""
    return _timeline_svg(
        data.start_date,
        data.end_date,
        data.today,
        tuple(data.phases),
        tuple(data.milestones),
        today_label,
        label,
    )


@lru_cache(maxsize=CHART_CACHE_SIZE)
def _timeline_svg(
    start_date: date,
    end_date: date,
    today: date,
    phases: tuple[TimelinePhase, ...],
    milestones: tuple[TimelineMilestone, ...],
    today_label: str,
    label: str,
) -> Markup:
    data = TimelineData(start_date, end_date, today, list(phases), list(milestones))
    return svg_markup(
        timeline_chart(data, today_label=today_label),
        label,
        description=_("The project's phases as bars and its milestones as diamonds, by date."),
        table=data.table(),
        full_width=True,
    )


def chart_cache_info() -> dict[str, object]:
    """Hits, misses and size of each chart cache (for tests and diagnostics)."""
    return {"indicator": _indicator_svg.cache_info(), "timeline": _timeline_svg.cache_info()}


def clear_chart_caches() -> None:
    _indicator_svg.cache_clear()
    _timeline_svg.cache_clear()
