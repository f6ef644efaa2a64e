"""The size ladder of the synthetic data generator (after Moodle's ``tool_generator``: XS to
XXL). XL is the programme's real size; XXL doubles its people and records, L is about half of
XL, M, S and XS shrink in proportion (XS is for tests: a few seconds on SQLite).

Member administrations stop at the programme's 180; the demo trainer's and the demo manager's
shares are what one person carries, so they stop growing once the data is large enough."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    users: int
    members: int
    courses: int
    sessions: int
    enrolments: int
    ratings: int  # competency ratings; as many evidence entries
    projects: int
    milestones: int
    indicators: int
    trainer_sessions: int  # sessions the demo trainer runs
    manager_projects: int  # projects the demo manager manages

    @property
    def evidence(self) -> int:
        return self.ratings


SIZES: dict[str, Size] = {
    s.name: s
    for s in (
        Size("XS", 60, 21, 20, 30, 500, 1_500, 3, 60, 24, 6, 2),
        Size("S", 300, 40, 40, 150, 3_000, 9_000, 10, 500, 200, 15, 4),
        Size("M", 1_500, 90, 120, 750, 15_000, 45_000, 25, 1_250, 500, 25, 8),
        Size("L", 5_000, 180, 250, 2_500, 50_000, 150_000, 50, 2_500, 1_000, 30, 10),
        Size("XL", 10_000, 180, 500, 5_000, 100_000, 300_000, 100, 5_000, 2_000, 30, 10),
        Size("XXL", 20_000, 180, 1_000, 10_000, 200_000, 600_000, 200, 10_000, 4_000, 30, 10),
    )
}


def size_named(name: str) -> Size:
    try:
        return SIZES[name.upper()]
    except KeyError:
        raise ValueError(f"Unknown size {name!r}; one of {', '.join(SIZES)}.") from None
