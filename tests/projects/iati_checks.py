"""Checks of an IATI activity file, shared by the IATI and the demo tests: the 2.03 schema
(from the shared folder), okfn-iati's ruleset checks, and the IATI ruleset rules okfn-iati
leaves out, written here as plain checks over the parsed file."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from functools import cache

from lxml import etree
from okfn_iati import IatiValidator

from tests.conftest import SHARED_DIR
from tests.shared import require_shared

IATI_SCHEMA = SHARED_DIR / "schemas" / "iati-2.03" / "iati-activities-schema.xsd"


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(require_shared(IATI_SCHEMA))))


def schema_errors(body: bytes) -> list[str]:
    """What the published 2.03 activity schema refuses in ``body`` (empty: valid)."""
    schema = _schema()
    valid = schema.validate(etree.fromstring(body))
    return [] if valid else [str(error) for error in schema.error_log]


def okfn_errors(body: bytes) -> dict[str, list[str]]:
    """okfn-iati's validator: its bundled 2.03 schema and its ruleset checks (value-date on
    every value, a sector, a recipient country or region, the identifier's prefix)."""
    valid, errors = IatiValidator().validate(body.decode("utf-8"))
    return {} if valid else errors


def _day(element: etree._Element | None) -> date | None:
    return None if element is None else date.fromisoformat(element.get("iso-date"))


def _sums_to_100(values: list[str]) -> bool:
    return sum((Decimal(v) for v in values), Decimal(0)) == 100


def rule_errors(body: bytes, today: date) -> list[str]:
    """The IATI Standard ruleset's rules that okfn-iati does not check: date order, no
    actual date in the future, the dates a status needs, percentages summing to 100, budget
    periods of at most a year that do not overlap, unique identifiers."""
    errors: list[str] = []
    root = etree.fromstring(body)
    identifiers = [a.findtext("iati-identifier") for a in root.iter("iati-activity")]
    if len(set(identifiers)) != len(identifiers):
        errors.append("activity identifiers repeat")
    for activity in root.iter("iati-activity"):
        name = activity.findtext("iati-identifier")
        ref = activity.find("reporting-org").get("ref")
        if not name.startswith(f"{ref}-"):
            errors.append(f"{name}: not prefixed by the reporting org's ref {ref}")
        if any(c in name for c in " /&|?"):
            errors.append(f"{name}: the identifier holds a forbidden character")
        dates = {d.get("type"): _day(d) for d in activity.findall("activity-date")}
        if not ({"1", "2"} & set(dates)):
            errors.append(f"{name}: no start date")
        for start, end in (("1", "3"), ("2", "4")):
            if start in dates and end in dates and dates[start] > dates[end]:
                errors.append(f"{name}: activity-date {start} after {end}")
        for actual in ("2", "4"):
            if actual in dates and dates[actual] > today:
                errors.append(f"{name}: actual date {actual} in the future")
        status = activity.find("activity-status").get("code")
        if status in ("2", "3", "4") and "2" not in dates:
            errors.append(f"{name}: status {status} with no actual start")
        if status in ("3", "4") and "4" not in dates:
            errors.append(f"{name}: status {status} with no actual end")
        countries = [c.get("percentage") for c in activity.findall("recipient-country")]
        if countries and not _sums_to_100(countries):
            errors.append(f"{name}: recipient-country percentages do not sum to 100")
        sectors = [s.get("percentage") for s in activity.findall("sector")]
        if not sectors or not _sums_to_100(sectors):
            errors.append(f"{name}: sector percentages do not sum to 100")
        periods = []
        for budget in activity.findall("budget"):
            start, end = _day(budget.find("period-start")), _day(budget.find("period-end"))
            if start > end:
                errors.append(f"{name}: budget period ends before it starts")
            if (end - start).days > 365:
                errors.append(f"{name}: budget period over a year ({start} to {end})")
            if budget.find("value").get("value-date") is None:
                errors.append(f"{name}: budget value without value-date")
            periods.append((start, end))
        periods.sort()
        for (_s0, e0), (s1, _e1) in itertools.pairwise(periods):
            if s1 <= e0:
                errors.append(f"{name}: budget periods overlap")
        for period in activity.iter("period"):
            if _day(period.find("period-start")) > _day(period.find("period-end")):
                errors.append(f"{name}: result period ends before it starts")
        for indicator in activity.iter("indicator"):
            if indicator.find("baseline") is None or not indicator.findall("period"):
                errors.append(f"{name}: indicator without baseline or periods")
    return errors


def all_errors(body: bytes, today: date) -> dict[str, object]:
    """Every check at once, keyed by checker; an empty dict is a clean file."""
    found = {
        "schema": schema_errors(body),
        "okfn": okfn_errors(body),
        "rules": rule_errors(body, today),
    }
    return {key: value for key, value in found.items() if value}
