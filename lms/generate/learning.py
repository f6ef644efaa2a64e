"""The learning records, in date order: the sessions with their trainers, each enrolment with
its status history (requested → enrolled → attended → completed, or no-show, withdrawn,
waitlisted, rejected), the results two days after the session ends, what a pass does to the
course's competencies (evidence, a rating, a review request), assessor ratings, track
enrolments and their completion with certificates, and the audit entries the services would
have written for the ratings and certificates."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from lms.courses.models import (
    SEAT_HOLDING,
    CourseSession,
    EnrolmentEvent,
    EnrolmentStatus,
    SessionEnrolment,
    SessionStatus,
    session_trainers,
)
from lms.generate.bulk import Loader
from lms.generate.catalogue import Catalogue
from lms.generate.people import People, at
from lms.generate.plan import Plan, PlannedSession, Take, results_day, venue
from lms.generate.ratings import Ratings
from lms.generate.sizes import Size

S = EnrolmentStatus


def _elective_counts(rng: random.Random, sessions: list[PlannedSession], total: int, today):
    """Exactly ``total`` enrolments over the elective sessions (none on cancelled ones;
    sessions still to come half full), by largest remainder."""
    open_ = [s for s in sessions if s.elective and not s.cancelled]
    if not open_:
        return {}
    weights = [(1.0 if s.starts_on <= today else 0.5) * rng.uniform(0.6, 1.4) for s in open_]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return {id(s): n for s, n in zip(open_, counts, strict=True)}


def _draw(rng, people: People, plan: Plan, planned: PlannedSession, count: int) -> list[Take]:
    """Trainees registered before the session, mostly from the course's track."""
    chosen: dict[int, Take] = {}
    trainees = people.trainees
    tries = 0
    while len(chosen) < count and tries < count * 30:
        tries += 1
        user_id = rng.choice(trainees)
        if user_id in chosen or people.registered[user_id] > planned.starts_on:
            continue
        track = planned.course.track
        if track and plan.interest.get(user_id) != track and rng.random() < 0.7:
            continue
        roll = rng.random()
        chosen[user_id] = Take(
            user_id, "pass" if roll < 0.88 else ("fail" if roll < 0.95 else "no_show")
        )
    return list(chosen.values())


def _statuses(rng, planned: PlannedSession, take: Take, today: date) -> list[tuple[S, int]]:
    """The enrolment's status path with each step's day offset from the request."""
    if results_day(planned) < today:
        if rng.random() < 0.05:
            return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.WITHDRAWN, 5)]
        if take.outcome == "no_show":
            return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.NO_SHOW, -1)]
        return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.ATTENDED, -1), (S.COMPLETED, -2)]
    if planned.starts_on <= today:
        if take.outcome == "no_show":
            return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.NO_SHOW, -1)]
        return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.ATTENDED, -1)]
    roll = 1.0 if take.outcome == "enrolled" else rng.random()
    if roll < 0.05:
        return [(S.REQUESTED, 0), (S.ENROLLED, 0), (S.WITHDRAWN, 3)]
    if roll < 0.15:
        return [(S.REQUESTED, 0)]
    if roll < 0.19:
        return [(S.REQUESTED, 0), (S.WAITLISTED, 1)]
    return [(S.REQUESTED, 0), (S.ENROLLED, 0)]


def _session_status(planned: PlannedSession, today: date) -> SessionStatus:
    if planned.cancelled:
        return SessionStatus.CANCELLED
    if results_day(planned) < today:
        return SessionStatus.CLOSED
    if planned.starts_on <= today:
        return SessionStatus.RUNNING
    if planned.starts_on - today > timedelta(days=120):
        return SessionStatus.PLANNED
    return SessionStatus.OPEN


def build_learning(
    loader: Loader,
    rng: random.Random,
    size: Size,
    catalogue: Catalogue,
    people: People,
    plan: Plan,
    today: date,
) -> None:
    now = datetime.combine(today, time(12), UTC)
    sessions_t, enrolments_t, events_t = (
        CourseSession.__table__,
        SessionEnrolment.__table__,
        EnrolmentEvent.__table__,
    )
    path_takes = sum(len(s.takes) for s in plan.sessions)
    elective = _elective_counts(rng, plan.sessions, size.enrolments - path_takes, today)
    ratings = Ratings(loader, rng, size, catalogue, people, now)
    upcoming = True
    with loader.progress("Sessions and enrolments", len(plan.sessions)) as advance:
        for index, planned in enumerate(plan.sessions):
            session_id = loader.next_id(sessions_t)
            planned.id = session_id
            takes = planned.takes or _draw(rng, people, plan, planned, elective.get(id(planned), 0))
            if upcoming and planned.elective and planned.starts_on > today and takes:
                # The demo trainee has a session coming (enrolled, not waiting).
                takes = [t for t in takes if t.user_id != people.demo_trainee][: len(takes) - 1]
                takes.append(Take(people.demo_trainee, "enrolled"))
                upcoming = False
            enrolments, events, passes = [], [], []
            trainer = planned.trainers[0]
            for take in takes:
                path = _statuses(rng, planned, take, today)
                requested = at(planned.starts_on - timedelta(days=rng.randint(7, 30)), 9)
                requested = min(requested, now - timedelta(hours=1))
                enrolment_id = loader.next_id(enrolments_t)
                status = path[-1][0]
                completed = status == S.COMPLETED
                passed = completed and take.outcome == "pass"
                score = None
                if completed:
                    score = Decimal(rng.randint(62, 97) if passed else rng.randint(30, 58))
                recorded = at(results_day(planned), 15) if completed else None
                enrolments.append(
                    {
                        "id": enrolment_id,
                        "session_id": session_id,
                        "user_id": take.user_id,
                        "status": status,
                        "requested_at": requested,
                        "score": score,
                        "passed": passed if completed else None,
                        "result_recorded_at": recorded,
                    }
                )
                previous = None
                for step, offset in path:
                    if offset == -1:
                        moment, actor = at(planned.starts_on, 9), trainer
                    elif offset == -2:
                        moment, actor = recorded, trainer
                    else:
                        moment = min(requested + timedelta(days=offset), now)
                        actor = take.user_id
                    events.append(
                        {
                            "id": loader.next_id(events_t),
                            "enrolment_id": enrolment_id,
                            "at": moment,
                            "from_status": previous.value if previous else None,
                            "to_status": step.value,
                            "actor_id": actor,
                            "note": "",
                        }
                    )
                    previous = step
                if passed:
                    passes.append((enrolment_id, take.user_id, recorded))
            seats = sum(1 for e in enrolments if e["status"] in SEAT_HOLDING)
            waiting = any(e["status"] == S.WAITLISTED for e in enrolments)
            capacity = seats if waiting and seats else max(seats, rng.randint(20, 30))
            place, zone = venue(planned, index)
            loader.add(
                sessions_t,
                {
                    "id": session_id,
                    "course_id": planned.course.id,
                    "starts_on": planned.starts_on,
                    "ends_on": planned.ends_on,
                    "start_time": time(9),
                    "end_time": time(17) if place != "Online" else time(12),
                    "timezone": zone,
                    "venue": place,
                    "virtual_link": "https://meet.example.org/lms" if place == "Online" else "",
                    "capacity": max(1, capacity),
                    "seats_taken": seats,
                    "enrolment_deadline": planned.starts_on - timedelta(days=7),
                    "language": "fr" if index % 9 == 0 else "en",
                    # Requests wait for approval only where the session asks for it.
                    "requires_approval": any(e["status"] == S.REQUESTED for e in enrolments),
                    "status": _session_status(planned, today),
                    "created_at": at(planned.starts_on - timedelta(days=60), 8),
                },
            )
            for user_id in planned.trainers:
                loader.add(session_trainers, {"session_id": session_id, "user_id": user_id})
            loader.add_all(enrolments_t, enrolments)
            loader.add_all(events_t, events)
            for enrolment_id, user_id, recorded in passes:
                ratings.course_pass(planned, enrolment_id, user_id, recorded)
            advance(1)
    loader.flush()
    ratings.track_records(plan)
    ratings.fill()
    loader.flush()


__all__ = ["build_learning"]
