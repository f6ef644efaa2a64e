"""The three PDF reports and the certificate, each a function from the plain data of
``data.py`` to bytes. No database access here."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from lms.core.i18n import format_day
from lms.progress.charts import profile_chart
from lms.projects.charts import target_actual_chart, timeline_chart
from lms.reports import charts
from lms.reports.data import DirectorateData, ProjectReportData, TableData, TraineeReportData
from lms.reports.pdf import (
    Cover,
    build_pdf,
    chart,
    data_table,
    heading,
    keep_ending_together,
    markup,
    para,
)


def _page_label() -> str:
    return _("page %(page)s of %(total)s", page="{page}", total="{total}")


def _cover(title: str, subtitle: str, filters: list[tuple[str, str]], today) -> Cover:
    return Cover(
        title=title,
        subtitle=subtitle,
        filters=filters,
        generated_on=today,
        generated_label=_("Generated on"),
        filters_label=_("Report parameters"),
    )


def _table_section(
    table: TableData, *, empty: str, level: str = "h1", highlight: list[int] | None = None
) -> list[Flowable]:
    items: list[Flowable] = [heading(table.title, 2 if level == "h2" else 1)]
    if table.rows:
        items.append(data_table(table.headers, table.rows, highlight_rows=highlight or []))
    else:
        items.append(para(empty, "muted"))
    return items


def _footer(today) -> str:
    return _("Capacity LMS · generated on %(date)s", date=format_day(today))


TRAINEE_TOC_FROM_PAGES = 6  # a trainee's few pages read straight through, without a contents page


def trainee_pdf(data: TraineeReportData) -> bytes:
    def make_body() -> list[Flowable]:
        tables = {t.key: t for t in data.tables()}
        body: list[Flowable] = [heading(_("Profile"))]
        body.append(
            data_table(
                [_("Name"), _("Email"), _("Member administration"), _("Region")],
                [
                    [
                        data.full_name,
                        data.email,
                        data.member_administration or "—",
                        data.region or "—",
                    ]
                ],
            )
        )
        body += _table_section(tables["tracks"], empty=_("Not enrolled on any track."))
        if data.charts:
            body.append(heading(_("Competency levels against targets")))
            for track_name, chart_data in data.charts:
                body.append(chart(profile_chart(chart_data), track_name))
                body.append(Spacer(1, 4 * mm))
            body.append(data_table(tables["targets"].headers, tables["targets"].rows))
        body += _table_section(tables["transcript"], empty=_("No course results yet."))
        body += _table_section(tables["ratings"], empty=_("No ratings yet."))
        body += _table_section(tables["upcoming"], empty=_("No upcoming sessions."))
        body += _table_section(tables["certificates"], empty=_("No certificates yet."))
        return body

    cover = _cover(
        _("Trainee progress report"),
        data.full_name,
        [
            (_("Trainee"), f"{data.full_name} <{data.email}>"),
            (_("Member administration"), data.member_administration or "—"),
        ],
        data.today,
    )
    return build_pdf(
        cover,
        make_body,
        page_label=_page_label(),
        footer=_footer(data.today),
        toc_title=_("Contents"),
        toc_from_pages=TRAINEE_TOC_FROM_PAGES,
    )


def _partners_section(data: ProjectReportData, table: TableData) -> list[Flowable]:
    items: list[Flowable] = [heading(table.title)]
    if data.funders:
        items.append(para(_("Funded by: %(names)s", names="; ".join(data.funders))))
    elif data.partners:
        items.append(para(_("No funder recorded among the partners."), "muted"))
    if table.rows:
        items.append(data_table(table.headers, table.rows, col_widths=[110 * mm, 40 * mm]))
    else:
        items.append(para(_("No partner organisations recorded."), "muted"))
    return items


def _budget_section(data: ProjectReportData, table: TableData) -> list[Flowable]:
    items: list[Flowable] = [heading(table.title)]
    if not data.budget:
        return [*items, para(_("No budget lines yet."), "muted")]
    items.append(
        data_table(
            table.headers,
            table.rows,
            col_widths=[30 * mm, 38 * mm, 38 * mm, 28 * mm],
            total_rows=[len(table.rows) - 1],
            numeric_cols=[1, 2, 3],
        )
    )
    items.append(
        para(
            _(
                "Reported spend as entered on the project's budget lines; share spent is the "
                "spend as a percentage of the planned budget."
            ),
            "muted",
        )
    )
    return items


def project_pdf(data: ProjectReportData) -> bytes:
    def make_body() -> list[Flowable]:
        tables = {t.key: t for t in data.tables()}
        body: list[Flowable] = [heading(_("Summary"))]
        body.append(
            data_table(
                [_("Status"), _("Start"), _("End"), _("Beneficiaries"), _("Managers")],
                [
                    [
                        data.status,
                        format_day(data.start_date),
                        format_day(data.end_date),
                        ", ".join(data.beneficiaries),
                        ", ".join(data.managers),
                    ]
                ],
            )
        )
        if data.summary:
            body.append(Spacer(1, 3 * mm))
            body.append(para(data.summary))
        body += _partners_section(data, tables["partners"])
        body += _budget_section(data, tables["budget"])
        body.append(heading(_("RAG status")))
        rating_line = _(
            "Rating: %(rating)s (computed: %(computed)s)",
            rating=data.rating,
            computed=data.computed_rating,
        )
        body.append(para(rating_line))
        if data.override:
            body.append(para(_("Override: %(text)s", text=data.override)))
        body.append(
            para(
                _(
                    "Time elapsed %(elapsed)s %%, milestones done %(done)s %%",
                    elapsed=data.elapsed_pct,
                    done="—" if data.done_pct is None else data.done_pct,
                )
            )
        )
        for reason in data.reasons:
            body.append(para("• " + reason))
        body += _table_section(
            tables["milestones"], empty=_("No milestones."), highlight=data.late_rows
        )
        notes = [
            _(
                "Slippage: days from the baseline date to completion, or to the due date — or "
                "today, once that has passed — for a milestone not yet done."
            )
        ]
        if data.late_rows:
            notes.insert(0, _("Late milestones are shaded red."))
        body.append(para(" ".join(notes), "muted"))
        if data.timeline and (data.timeline.milestones or data.timeline.phases):
            body.append(chart(timeline_chart(data.timeline, today_label=_("today")), _("Timeline")))
        body += _table_section(tables["logframe"], empty=_("No logical framework yet."))
        section_heading = heading(_("Indicators: targets and actuals"))
        if not data.indicators:
            body += [section_heading, para(_("No indicators."), "muted")]
        for number, block in enumerate(data.indicators):
            # The section's heading rides in its first indicator's block, so it never stands
            # alone at the foot of a page.
            parts: list[Flowable] = [section_heading] if number == 0 else []
            parts += [
                heading(f"{block.element} · {block.name} ({block.unit})", 2),
                para(_("Baseline: %(value)s", value=block.baseline)),
            ]
            if block.rows:
                parts.append(data_table([_("Period"), _("Target"), _("Actual")], block.rows))
            parts.append(
                chart(
                    target_actual_chart(
                        block.series,
                        target_label=_("Target"),
                        actual_label=_("Actual"),
                        empty_label=_("No targets or actuals yet"),
                    )
                )
            )
            body.append(KeepTogether(parts))  # an indicator's table and chart stay together
        body += _table_section(tables["risks"], empty=_("No risks recorded."))
        body += _table_section(tables["trainings"], empty=_("No training sessions linked."))
        if data.trainings:
            t = data.training_totals
            body.append(
                para(
                    _(
                        "Officers trained: %(trained)s · passed: %(completed)s · certified: "
                        "%(certified)s",
                        **t,
                    )
                )
            )
        body.append(heading(_("Latest progress update")))
        if data.latest_update:
            u = data.latest_update
            body.append(heading(f"{u['period']} · {u['author']} · {u['date']}", 2))
            for label, key in (
                (_("Achievements"), "achievements"),
                (_("Issues"), "issues"),
                (_("Next steps"), "next_steps"),
            ):
                if u[key]:
                    body.append(markup("<b>%(label)s</b>: %(value)s", label=label, value=u[key]))
        else:
            body.append(para(_("No progress update yet."), "muted"))
        return keep_ending_together(body)

    cover = _cover(
        _("Project progress report"),
        f"{data.code} — {data.title}",
        [(_("Project"), data.code), (_("As of"), format_day(data.today))],
        data.today,
    )
    return build_pdf(
        cover,
        make_body,
        page_label=_page_label(),
        footer=_footer(data.today),
        toc_title=_("Contents"),
    )


def figure_labels() -> tuple[str, str, str]:
    return (pgettext("count", "Enrolled"), pgettext("count", "Completed"), _("Certified"))


def region_chart(data: DirectorateData):
    return charts.bar_chart(region_chart_data(data), empty_label=_("No trainees in this period"))


def region_chart_data(data: DirectorateData) -> charts.BarChartData:
    return charts.region_chart_data(data, figure_labels())


def levels_chart(data: DirectorateData):
    return charts.bar_chart(levels_chart_data(data), empty_label=_("No ratings yet"))


def levels_chart_data(data: DirectorateData) -> charts.BarChartData:
    return charts.levels_chart_data(data, _("Current ratings"))


def overview(narrative: str) -> list[Flowable]:
    """The directorate's own words, as typed: blank lines part paragraphs, a line break stays
    a line break, every character is escaped (``markup`` escapes each line)."""
    if not narrative.strip():
        return []
    items: list[Flowable] = [heading(_("Overview"))]
    for block in re.split(r"\n\s*\n", narrative.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        template = "<br/>".join(f"%(line{i})s" for i in range(len(lines)))
        items.append(markup(template, **{f"line{i}": line for i, line in enumerate(lines)}))
        items.append(Spacer(1, 2 * mm))
    return items


def results_sections(tables: dict[str, TableData]) -> list[Flowable]:
    """Results of the sessions delivered by region and track, each track's targets against
    actuals, then results by administration, each with what its figures mean."""
    body: list[Flowable] = []
    if "results_by_region" not in tables:
        return body
    body += _table_section(tables["results_by_region"], empty="")
    body.append(
        para(
            _(
                "Participants: places taken in the sessions delivered (a trainee in two sessions "
                "counts twice), by the trainee's administration; pass rate: passed / "
                "participants. A course on two tracks counts for each."
            ),
            "muted",
        )
    )
    body += _table_section(tables["results_by_sex"], empty="")
    body.append(
        para(
            _(
                "By the sex recorded on the trainee's profile (an optional field); not recorded: "
                "trainees without one."
            ),
            "muted",
        )
    )
    # The short tables first, then the long one: no half-empty page before it.
    body += _table_section(tables["results_by_track"], empty=_("No participants in this period."))
    body += _table_section(tables["targets"], empty=_("No active tracks."))
    body.append(
        para(
            _(
                "Tracks set target competency levels, not numbers of trainees. Enrolled: on the "
                "track at the end of the period (not withdrawn); reached all targets: of those, "
                "the trainees whose current rating then met every target level."
            ),
            "muted",
        )
    )
    body += _table_section(tables["results_by_member"], empty=_("No participants in this period."))
    return body


def directorate_pdf(data: DirectorateData) -> bytes:
    tables = {t.key: t for t in data.tables()}
    period = f"{format_day(data.start)} – {format_day(data.end)}"
    headline = tables["headline"]
    body: list[Flowable] = overview(data.narrative)
    body.append(heading(_("Summary")))
    body.append(data_table(headline.headers, headline.rows, col_widths=[50 * mm, 22 * mm, None]))
    body.append(
        para(
            _(
                "Session figures are totals of the sessions table; trainee figures are totals "
                "of the region, administration and track tables."
            ),
            "muted",
        )
    )
    body += _table_section(tables["by_region"], empty="")
    body.append(chart(region_chart(data), _("Trainees by region")))
    body += _table_section(tables["by_member"], empty=_("No trainees in this period."))
    body += _table_section(tables["by_track"], empty=_("No trainees in this period."))
    body += results_sections(tables)
    body += _table_section(tables["levels"], empty=_("No ratings yet."))
    if data.level_distribution:
        body.append(chart(levels_chart(data), _("Competency level distribution")))
    body += _table_section(tables["sessions"], empty=_("No sessions delivered in this period."))
    body.append(PageBreak())
    body += _table_section(tables["portfolio"], empty=_("No projects."))
    if data.portfolio_status:
        body.append(para(" · ".join(f"{name}: {n}" for name, n in data.portfolio_status)))
    cover = _cover(
        _("Directorate capacity-building report"),
        period,
        [(_("Period"), period), (_("As of"), format_day(data.today))],
        data.today,
    )
    return build_pdf(
        cover,
        body,
        page_label=_page_label(),
        footer=_footer(data.today),
        with_toc=True,
        toc_title=_("Contents"),
    )
