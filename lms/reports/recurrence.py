"""When a report schedule runs next: daily, weekly, monthly, quarterly (on the first day of
each quarter) or yearly. Plain datetimes in, plain datetimes out."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from lms.reports.models import Recurrence


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def next_quarter_start(moment: datetime) -> datetime:
    """The first day of the quarter after ``moment``'s, at the same time of day: a quarterly
    schedule always runs on 1 January, 1 April, 1 July or 1 October."""
    first_month = 3 * ((moment.month - 1) // 3) + 1
    return _add_months(moment.replace(day=1, month=first_month), 3)


def next_after(moment: datetime, recurrence: Recurrence) -> datetime:
    if recurrence == Recurrence.DAILY:
        return moment + timedelta(days=1)
    if recurrence == Recurrence.WEEKLY:
        return moment + timedelta(days=7)
    if recurrence == Recurrence.MONTHLY:
        return _add_months(moment, 1)
    if recurrence == Recurrence.QUARTERLY:
        return next_quarter_start(moment)
    return _add_months(moment, 12)
