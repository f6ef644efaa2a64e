"""Who takes what, when: trainees on a track take its required path in order (one or two
courses a quarter since they joined, retaking a failed course, some withdrawing), as in the
demo's history; the sessions are planned from those groups, and elective sessions fill the
rest of the size's sessions over the three years and the coming months."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.courses.models import DeliveryMode
from lms.generate.catalogue import Catalogue, CourseInfo
from lms.generate.people import People
from lms.generate.sizes import Size

QUARTER_DAYS = 91
QUARTERS = 12  # three years of history
FUTURE_DAYS = 180
GROUP = 26  # trainees per path session
PER_QUARTER = {"LEADERS": 1, "DATA-SPECIALISTS": 2, "EXPERTS": 2}
VENUES = (
    ("Brussels", "Europe/Brussels"),
    ("Nairobi", "Africa/Nairobi"),
    ("Dakar", "Africa/Dakar"),
    ("Amman", "Asia/Amman"),
    ("Santiago", "America/Santiago"),
    ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
    ("Tbilisi", "Asia/Tbilisi"),
)
ONLINE = (DeliveryMode.E_LEARNING, DeliveryMode.VIRTUAL_CLASSROOM)


@dataclass
class Take:
    user_id: int
    outcome: str  # pass, fail, no_show; "enrolled": a place kept in a session to come


@dataclass
class PlannedSession:
    course: CourseInfo
    starts_on: date
    days: int
    takes: list[Take] = field(default_factory=list)  # path trainees (electives: drawn later)
    elective: bool = False
    cancelled: bool = False
    trainers: list[int] = field(default_factory=list)
    id: int = 0

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=self.days)


@dataclass
class TrackRecord:
    user_id: int
    track: str
    joined: date
    status: str = "active"  # active, completed, withdrawn
    completed_on: date | None = None


@dataclass
class Plan:
    sessions: list[PlannedSession]
    records: list[TrackRecord]
    interest: dict[int, str]  # trainee -> track (path learners: their current one)


def results_day(s: PlannedSession) -> date:
    return s.ends_on + timedelta(days=2)


def _duration(course: CourseInfo, rng: random.Random) -> int:
    return 1 if course.mode in ONLINE else rng.choice((2, 3, 4))


class _Planner:
    def __init__(self, rng: random.Random, catalogue: Catalogue, start: date, today: date, period):
        self.rng, self.catalogue, self.start, self.today = rng, catalogue, start, today
        self.period = period  # quarters per planning period
        self.groups: dict[tuple[str, int], list[Take]] = {}
        self.days: dict[tuple[str, int], int] = {}
        self.takes = 0

    def session_day(self, track: str, position: int, period: int) -> date:
        span = QUARTER_DAYS * self.period
        path = len(self.catalogue.paths[track])
        return self.start + timedelta(days=span * period + 7 + position * (span - 30) // path)

    def learner(self, user_id: int, track: str, joins: int, flawless: bool = False):
        """The takes of one trainee on the path of ``track`` from quarter ``joins``, and the
        track records (one per track); stops at the first result not yet recorded."""
        takes: list[tuple[tuple[str, int], Take]] = []
        records: list[TrackRecord] = []
        quarter = joins
        while True:
            joined = self.start + timedelta(days=QUARTER_DAYS * quarter - 21)
            record = TrackRecord(user_id, track, max(joined, self.start - timedelta(days=21)))
            records.append(record)
            path = self.catalogue.paths[track]
            position, tries, done_in = 0, 0, quarter
            while position < len(path):
                if flawless and track == "EXPERTS" and position == len(path) - 1:
                    break  # the demo trainee is on the Experts track's last course
                q = quarter + position // PER_QUARTER[track] + tries
                if q > QUARTERS + 1 or (not flawless and self.rng.random() < 0.02):
                    if q <= QUARTERS and not flawless:
                        record.status = "withdrawn"
                    break
                course = path[position]
                key = (course.code, q // self.period)
                if any(key == k for k, _t in takes):
                    tries += 1  # a retake needs a later session than the failed one
                    continue
                day = self.session_day(track, position, q // self.period)
                roll = 0.0 if flawless else self.rng.random()
                outcome = "pass" if roll < 0.9 else ("fail" if roll < 0.96 else "no_show")
                takes.append((key, Take(user_id, outcome)))
                length = self.days.setdefault(key, _duration(course, self.rng))
                if day + timedelta(days=length + 2) >= self.today:  # results_day not before today
                    break  # not over yet: the trainee is midway
                if outcome == "pass":
                    position += 1
                    done_in = q
                elif tries < 2:
                    tries += 1
                else:
                    record.status = "withdrawn"
                    break
            else:
                last = self.session_day(track, len(path) - 1, done_in // self.period)
                finished = last + timedelta(days=self.days[takes[-1][0]] + 5)
                if finished < self.today:
                    record.status, record.completed_on = "completed", finished
                    next_quarter = (finished - self.start).days // QUARTER_DAYS + 1
                    goes_on = flawless or self.rng.random() < 0.6
                    if track == "DATA-SPECIALISTS" and next_quarter < QUARTERS - 2 and goes_on:
                        track, quarter = "EXPERTS", next_quarter
                        continue
            return takes, records

    def sessions_needed(self, extra: list[tuple[tuple[str, int], Take]]) -> int:
        sizes = {key: len(group) for key, group in self.groups.items()}
        for key, _take in extra:
            sizes[key] = sizes.get(key, 0) + 1
        return sum(-(-n // GROUP) for n in sizes.values())


def _period(catalogue: Catalogue, size: Size) -> int:
    """Quarters per planning period: the shortest whose path sessions fit the size."""
    courses = sum(len(p) for p in catalogue.paths.values())
    for period in (1, 2, 4, QUARTERS + 2):
        if courses * -(-(QUARTERS + 2) // period) <= 0.55 * size.sessions:
            return period
    return QUARTERS + 2


def plan_learning(
    rng: random.Random, size: Size, catalogue: Catalogue, people: People, start: date, today: date
) -> Plan:
    planner = _Planner(rng, catalogue, start, today, _period(catalogue, size))
    order = [t for t in people.trainees if t != people.demo_trainee]
    rng.shuffle(order)
    order.insert(0, people.demo_trainee)
    records: list[TrackRecord] = []
    interest: dict[int, str] = {}
    budget_takes, budget_sessions = int(0.6 * size.enrolments), int(0.55 * size.sessions)
    for user_id in order:
        demo = user_id == people.demo_trainee
        track = "DATA-SPECIALISTS" if demo or rng.random() < 0.7 else "LEADERS"
        interest[user_id] = track
        registered = people.registered[user_id]
        first = max(0, (registered - start).days // QUARTER_DAYS + 1)
        if first >= QUARTERS:
            continue
        joins = 0 if demo else rng.randint(first, QUARTERS - 1)
        takes, learner_records = planner.learner(user_id, track, joins, flawless=demo)
        if planner.takes + len(takes) > budget_takes:
            continue
        if planner.sessions_needed(takes) > budget_sessions:
            continue
        for key, take in takes:
            planner.groups.setdefault(key, []).append(take)
        planner.takes += len(takes)
        records.extend(learner_records)
        interest[user_id] = learner_records[-1].track
    sessions = _path_sessions(planner, catalogue)
    sessions.extend(
        _elective_sessions(rng, size, catalogue, start, today, size.sessions - len(sessions))
    )
    sessions.sort(key=lambda s: (s.starts_on, s.course.code))
    return Plan(sessions, records, interest)


def _path_sessions(planner: _Planner, catalogue: Catalogue) -> list[PlannedSession]:
    by_code = {
        c.code: (track, i, c) for track, p in catalogue.paths.items() for i, c in enumerate(p)
    }
    sessions = []
    for (code, period), group in sorted(planner.groups.items()):
        track, position, course = by_code[code]
        day = planner.session_day(track, position, period)
        for batch, first in enumerate(range(0, len(group), GROUP)):
            sessions.append(
                PlannedSession(
                    course,
                    day + timedelta(days=batch % 5),
                    planner.days[(code, period)],
                    takes=group[first : first + GROUP],
                )
            )
    return sessions


def _elective_sessions(rng, size, catalogue, start, today, count) -> list[PlannedSession]:
    span = (today - start).days + FUTURE_DAYS
    courses = catalogue.electives or catalogue.courses
    sessions = []
    for _ in range(max(0, count)):
        course = rng.choice(courses)
        day = start + timedelta(days=rng.randint(0, span))
        planned = PlannedSession(course, day, _duration(course, rng), elective=True)
        planned.cancelled = day < today and rng.random() < 0.03
        sessions.append(planned)
    return sessions


def assign_trainers(rng: random.Random, size: Size, people: People, sessions) -> None:
    """The demo trainer runs ``size.trainer_sessions`` spread over the years (some coming,
    one under way when there is one), trainer2 two thirds as many; the rest go to the other
    trainers, one in seven with a co-trainer."""
    count = len(sessions)
    mine = {
        round(i * (count - 1) / max(1, size.trainer_sessions - 1))
        for i in range(size.trainer_sessions)
    }
    mine = set(list(mine)[: size.trainer_sessions])
    while len(mine) < min(size.trainer_sessions, count):
        mine.add(rng.randrange(count))
    others = [t for t in people.trainers if t not in (people.trainer, people.trainer2)]
    rest = [i for i in range(count) if i not in mine]
    theirs = set(rng.sample(rest, min(len(rest), size.trainer_sessions * 2 // 3)))
    for index, planned in enumerate(sessions):
        if index in mine:
            planned.trainers = [people.trainer]
        elif index in theirs or not others:
            planned.trainers = [people.trainer2]
        else:
            planned.trainers = [rng.choice(others)]
        if others and rng.random() < 1 / 7:
            co = rng.choice(others)
            if co not in planned.trainers:
                planned.trainers.append(co)


def venue(planned: PlannedSession, index: int) -> tuple[str, str]:
    if planned.course.mode in ONLINE:
        return "Online", "UTC"
    return VENUES[index % len(VENUES)]
