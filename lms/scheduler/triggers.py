"""Turning a job's stored schedule into an APScheduler trigger, with clear validation errors.

All schedules are in UTC, so a cron expression means the same on every server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from lms.core.errors import ValidationError
from lms.core.i18n import _
from lms.scheduler.models import TriggerKind

MIN_INTERVAL_SECONDS = 1
MAX_INTERVAL_SECONDS = 366 * 86400


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_weekdays(field: str) -> str:
    """Crontab counts weekdays from Sunday = 0 (7 too); APScheduler 3 from Monday = 0. Write
    numbers as names so an expression means what it means in crontab."""

    def name(match: re.Match) -> str:
        number = int(match.group())
        if number > 7:
            raise ValidationError(
                _(
                    "The weekday field takes 0-7 (0 and 7 are Sunday) or names; got %(number)s.",
                    number=number,
                ),
                field="cron",
            )
        return _WEEKDAYS[number]

    parts = []
    for item in field.split(","):
        days, _slash, step = item.partition("/")
        parts.append(re.sub(r"\d+", name, days) + (f"/{step}" if step else ""))
    return ",".join(parts)


def parse_cron(expression: str) -> CronTrigger:
    """A standard five-field crontab (minute hour day month weekday), or a ValidationError."""
    expression = " ".join((expression or "").split())
    fields = expression.split(" ") if expression else []
    if len(fields) != 5:
        raise ValidationError(
            _(
                "A cron expression has five fields (minute hour day month weekday), for example "
                "'30 3 * * *'; got %(count)s in %(expression)r.",
                count=len(fields),
                expression=expression,
            ),
            field="cron",
        )
    try:
        minute, hour, day, month, weekday = fields
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_weekdays(weekday),
            timezone=UTC,
        )
    except (ValueError, KeyError) as error:
        raise ValidationError(
            _("Not a valid cron expression: %(error)s.", error=error), field="cron"
        ) from error


def check_interval(seconds: int | None) -> int:
    if seconds is None or not MIN_INTERVAL_SECONDS <= seconds <= MAX_INTERVAL_SECONDS:
        raise ValidationError(
            _("The interval must be between one second and 366 days."), field="interval_value"
        )
    return int(seconds)


def build_trigger(kind: TriggerKind, interval_seconds: int | None, cron: str | None) -> BaseTrigger:
    if kind == TriggerKind.CRON:
        return parse_cron(cron or "")
    return IntervalTrigger(seconds=check_interval(interval_seconds), timezone=UTC)


def first_run(
    kind: TriggerKind,
    interval_seconds: int | None,
    cron: str | None,
    now: datetime,
    last_started: datetime | None,
) -> datetime:
    """When a job should first run after a scheduler (re)starts.

    An interval counts from the last run, not from the restart, so a daily job still runs daily
    when the scheduler restarts every few hours; overdue jobs run at once.
    """
    if kind == TriggerKind.INTERVAL:
        if last_started is None:
            return now
        return max(now, last_started + timedelta(seconds=interval_seconds or 0))
    trigger = parse_cron(cron or "")
    return trigger.get_next_fire_time(None, now)
