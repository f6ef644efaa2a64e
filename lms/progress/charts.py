"""The competency profile chart: for each targeted competency, the current level as a bar and
the target as a marker, on the scale's levels. Built from plain data, drawn to SVG and PDF."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from lms.core.charts import ChartTable, clip
from lms.core.i18n import _, localised

BAR = colors.HexColor("#0d6efd")
MET = colors.HexColor("#198754")
TARGET = colors.HexColor("#dc3545")
GRID = colors.HexColor("#dee2e6")
SELF = colors.HexColor("#8a6d00")  # a dark yellow: 3:1 at least against white


@dataclass(frozen=True)
class ProfileRow:
    label: str
    current: int  # level position, 0 = not rated
    target: int
    self_assessed: int = 0


@dataclass(frozen=True)
class ProfileChartData:
    levels: list[str]  # level names, lowest first
    rows: list[ProfileRow]

    def level_name(self, position: int) -> str:
        return self.levels[position - 1] if 0 < position <= len(self.levels) else _("Not rated")

    def table(self) -> ChartTable:
        """Each targeted competency's current level, target and self-assessment, by name."""
        return ChartTable(
            (_("Competency"), _("Current level"), _("Target level"), _("Self-assessment")),
            tuple(
                (
                    row.label,
                    self.level_name(row.current),
                    self.level_name(row.target),
                    self.level_name(row.self_assessed) if row.self_assessed else "—",
                )
                for row in self.rows
            ),
        )


def profile_data(progress, levels: list[str]) -> ProfileChartData:
    """From a ``TrackProgress`` to the chart's plain data."""
    return ProfileChartData(
        levels,
        [
            ProfileRow(
                label=clip(f"{t.competency.code} {localised(t.competency, 'short_name')}", 48),
                current=t.current_level.position if t.current_level else 0,
                target=t.target_level.position,
                self_assessed=t.self_assessment.level.position if t.self_assessment else 0,
            )
            for t in progress.targets
        ],
    )


def profile_chart(data: ProfileChartData, width: int = 640) -> Drawing:
    label_width, row_height, top, bottom = 230, 22, 14, 34
    height = top + bottom + row_height * max(len(data.rows), 1)
    drawing = Drawing(width, height)
    plot_width = width - label_width - 16
    steps = max(len(data.levels), 1)
    step = plot_width / steps

    def x_for(position: int) -> float:
        return label_width + step * position

    for position, name in enumerate(data.levels, start=1):
        x = x_for(position)
        drawing.add(Line(x, bottom - 4, x, height - top, strokeColor=GRID, strokeWidth=0.6))
        drawing.add(
            String(
                x - step / 2,
                bottom - 16,
                name,
                fontName="Helvetica",
                fontSize=8,
                textAnchor="middle",
                fillColor=colors.HexColor("#495057"),
            )
        )
    for index, row in enumerate(data.rows):
        y = height - top - row_height * (index + 1) + 5
        drawing.add(
            String(
                label_width - 6,
                y + 4,
                row.label,
                fontName="Helvetica",
                fontSize=8,
                textAnchor="end",
            )
        )
        if row.current:
            fill = MET if row.current >= row.target else BAR
            drawing.add(
                Rect(label_width, y, step * row.current, 12, fillColor=fill, strokeColor=None)
            )
        if row.self_assessed:
            sx = x_for(row.self_assessed) - step / 2
            drawing.add(Rect(sx - 3, y + 3, 6, 6, fillColor=SELF, strokeColor=None))
        tx = x_for(row.target)
        drawing.add(Line(tx, y - 3, tx, y + 15, strokeColor=TARGET, strokeWidth=2))
    legend_y = 4
    for offset, (colour, text) in enumerate(
        (
            (BAR, _("current level")),
            (MET, _("target reached")),
            (TARGET, _("target")),
            (SELF, _("self-assessment")),
        )
    ):
        x = label_width + offset * 100
        drawing.add(Rect(x, legend_y, 8, 8, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 11, legend_y + 1, text, fontName="Helvetica", fontSize=7))
    return drawing
