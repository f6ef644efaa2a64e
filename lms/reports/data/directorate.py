"""The directorate's capacity-building report for a period (also the statistics page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import Session

from lms.accounts.models import Region
from lms.reports.data import results, statistics
from lms.reports.data.results import SessionResults, TrackTargets
from lms.reports.data.shared import TableData
from lms.reports.data.statistics import Delivery, Figures


@dataclass
class DirectorateData:
    start: date
    end: date
    today: date
    total: Figures
    by_region: list[tuple[str, Figures]]
    by_member: list[tuple[str, str, Figures]]
    by_track: list[tuple[str, Figures]]
    level_distribution: list[tuple[str, int]]
    sessions: list[list[Any]]
    portfolio: list[list[Any]]
    portfolio_status: list[tuple[str, int]]
    region_codes: list[str] = field(default_factory=list)  # short names, same order as by_region
    results: SessionResults | None = None
    track_targets: list[TrackTargets] = field(default_factory=list)
    narrative: str = ""  # the directorate's overview, as typed (escaped when printed)

    @property
    def delivery(self) -> Delivery:
        return Delivery.of(self.sessions)

    def headline(self) -> list[tuple[str, object, str]]:
        """The report's headline figures, each with its definition; the page and the PDF
        show these, and each one is a total of one of the tables below."""
        d = self.delivery
        return [
            (
                _("Sessions delivered"),
                d.sessions,
                _("Sessions not cancelled that ended in the period (and by today)."),
            ),
            (
                _("Participants"),
                d.participants,
                _(
                    "Places taken in those sessions (attended or completed); a trainee in two "
                    "sessions counts twice."
                ),
            ),
            (_("Passed"), d.passed, _("Participants of those sessions who passed.")),
            (
                _("Training hours delivered"),
                d.training_hours,
                _("The course's hours, counted once for each session delivered."),
            ),
            (
                _("Participant-days"),
                d.participant_days,
                _("Each session's participants times its calendar days, added up."),
            ),
            (
                _("Trainees enrolled on a track"),
                self.total.enrolled,
                _("Distinct trainees who joined a track in the period."),
            ),
            (
                _("Completed a track"),
                self.total.completed,
                _("Distinct trainees who completed a track in the period."),
            ),
            (
                _("Certified"),
                self.total.certified,
                _("Distinct trainees who received a certificate (not revoked) in the period."),
            ),
        ]

    def results_tables(self) -> list[TableData]:
        """Participants, passes and pass rate of the sessions delivered, four ways."""
        if self.results is None:
            return []
        r = self.results
        figures = [_("Participants"), _("Passed"), _("Pass rate")]
        return [
            TableData(
                "results_by_region",
                _("Results by region"),
                [_("Region"), *figures],
                [[name, *f.as_row()] for name, f in r.by_region]
                + [[_("Total"), *r.total.as_row()]],
            ),
            TableData(
                "results_by_member",
                _("Results by member administration"),
                [_("Member administration"), _("Region"), *figures],
                [[name, region, *f.as_row()] for name, region, f in r.by_member],
            ),
            TableData(
                "results_by_track",
                _("Results by track"),
                [_("Track"), *figures],
                [[name, *f.as_row()] for name, f in r.by_track],
            ),
            TableData(
                "results_by_sex",
                _("Results by sex"),
                [_("Sex"), *figures],
                [[sex.label if sex else _("Not recorded"), *f.as_row()] for sex, f in r.by_sex]
                + [[_("Total"), *r.total.as_row()]],
            ),
        ]

    @property
    def is_empty(self) -> bool:
        return not (
            self.total.enrolled or self.total.completed or self.total.certified or self.sessions
        )

    def tables(self) -> list[TableData]:
        figures = [pgettext("count", "Enrolled"), pgettext("count", "Completed"), _("Certified")]
        overview = (
            [TableData("overview", _("Overview"), [_("Overview")], [[self.narrative]])]
            if self.narrative
            else []
        )
        return [
            *overview,
            TableData(
                "headline",
                _("Headline figures"),
                [_("Figure"), _("Value"), _("Definition")],
                [[name, value, note] for name, value, note in self.headline()],
            ),
            TableData(
                "by_region",
                _("Trainees by region"),
                [_("Region"), *figures],
                [[name, *f.as_row()] for name, f in self.by_region]
                + [[_("Total"), *self.total.as_row()]],
            ),
            TableData(
                "by_member",
                _("Trainees by member administration"),
                [_("Member administration"), _("Region"), *figures],
                [[name, region, *f.as_row()] for name, region, f in self.by_member],
            ),
            TableData(
                "by_track",
                _("Trainees by track"),
                [_("Track"), *figures],
                [[name, *f.as_row()] for name, f in self.by_track],
            ),
            *self.results_tables(),
            TableData(
                "targets",
                _("Track targets against actuals"),
                [
                    _("Track"),
                    _("Target competencies"),
                    pgettext("count", "Enrolled"),
                    _("Reached all targets"),
                    _("Share"),
                ],
                [row.as_row() for row in self.track_targets],
            ),
            TableData(
                "levels",
                _("Competency level distribution"),
                [_("Level"), _("Current ratings")],
                [[name, count] for name, count in self.level_distribution],
            ),
            TableData(
                "sessions",
                _("Sessions delivered"),
                [
                    _("Course"),
                    _("Title"),
                    _("Start"),
                    _("End"),
                    _("Venue"),
                    _("Participants"),
                    _("Passed"),
                    _("Hours"),
                    _("Days"),
                ],
                self.sessions,
            ),
            TableData(
                "portfolio",
                _("Project portfolio"),
                [
                    _("Project"),
                    _("Title"),
                    _("Status"),
                    _("RAG"),
                    _("Late milestones"),
                    _("Time elapsed %"),
                    _("Milestones done %"),
                ],
                self.portfolio,
            ),
        ]


def directorate_data(
    session: Session, start: date, end: date, today: date, *, narrative: str = ""
) -> DirectorateData:
    """The counts of ``statistics`` and ``results`` for the period, gathered into one report,
    with the directorate's overview."""
    figures = statistics.trainee_figures(session, start, end)
    portfolio, portfolio_status = statistics.portfolio(session, today)
    return DirectorateData(
        start=start,
        end=end,
        today=today,
        total=figures.total,
        by_region=figures.by_region,
        by_member=figures.by_member,
        by_track=figures.by_track,
        level_distribution=statistics.level_distribution(session, end),
        sessions=statistics.sessions_delivered(session, start, end, today),
        portfolio=portfolio,
        portfolio_status=portfolio_status,
        region_codes=[region.value for region in Region],
        results=results.session_results(session, start, end, today),
        track_targets=results.track_targets(session, end),
        narrative=narrative,
    )
