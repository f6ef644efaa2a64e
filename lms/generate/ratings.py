"""Ratings and evidence, exactly as many as the size says: what each pass gives (evidence per
competency the course develops, a rating when the course rates it higher than the trainee
holds, a review request answered by a trainer some days later), the assessor ratings that
close a track's remaining gaps when it is completed, then assessor ratings of competencies
the trainees have worked on, each after the pass it follows. Track enrolments and their
certificates come with the track records."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from lms.courses.models import PassOutcome
from lms.generate.bulk import Loader, audit_row
from lms.generate.catalogue import Catalogue
from lms.generate.people import People, at
from lms.generate.plan import Plan, PlannedSession
from lms.generate.sizes import Size
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    CompetencyEvidence,
    CompetencyRating,
    EvidenceKind,
    RatingSource,
    ReviewRequest,
    ReviewStatus,
    TrackEnrolment,
    TrackEnrolmentStatus,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
VALIDITY = {"LEADERS": 24, "DATA-SPECIALISTS": 36}


def _months_later(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


class Ratings:
    def __init__(
        self,
        loader: Loader,
        rng: random.Random,
        size: Size,
        catalogue: Catalogue,
        people: People,
        now: datetime,
    ) -> None:
        self.loader, self.rng, self.size, self.catalogue, self.people = (
            loader,
            rng,
            size,
            catalogue,
            people,
        )
        self.now = now
        self.latest: dict[tuple[int, int], int] = {}
        self.passes: list[tuple[int, int, datetime, int, list]] = []
        self.open_reviews: set[tuple[int, int]] = set()
        self.ratings = 0
        self.evidence = 0
        self.email = {v: k for k, v in people.by_email.items()}
        self.codes: set[str] = set()

    # Rows --------------------------------------------------------------------------------
    def rate(self, user_id, competency_id, position, source, by, when, comment, enrolment_id=None):
        if self.ratings >= self.size.ratings:
            return None
        table = CompetencyRating.__table__
        rating_id = self.loader.next_id(table)
        level_id = self.catalogue.levels[position]
        self.loader.add(
            table,
            {
                "id": rating_id,
                "user_id": user_id,
                "competency_id": competency_id,
                "level_id": level_id,
                "source": source,
                "rated_by_id": by,
                "rated_at": when,
                "comment": comment,
                "evidence_url": "",
                "session_enrolment_id": enrolment_id,
                "claim_id": None,
            },
        )
        audit_row(
            self.loader,
            "rating.recorded",
            "CompetencyRating",
            rating_id,
            by,
            when,
            f"{self.email.get(user_id, user_id)}: {comment}",
            {"competency_id": competency_id, "level_id": level_id, "source": source.value},
        )
        self.ratings += 1
        self.latest[(user_id, competency_id)] = position
        return rating_id

    def note(self, user_id, competency_id, position, kind, by, when, text, enrolment_id=None):
        if self.evidence >= self.size.evidence:
            return
        table = CompetencyEvidence.__table__
        self.loader.add(
            table,
            {
                "id": self.loader.next_id(table),
                "user_id": user_id,
                "competency_id": competency_id,
                "kind": kind,
                "level_id": self.catalogue.levels[position] if position else None,
                "session_enrolment_id": enrolment_id,
                "description": text,
                "url": "",
                "created_by_id": by,
                "created_at": when,
            },
        )
        self.evidence += 1

    # What a pass does ----------------------------------------------------------------------
    def course_pass(self, planned: PlannedSession, enrolment_id: int, user_id: int, when):
        course, trainer = planned.course, planned.trainers[0]
        text = f"Passed {course.code} {course.title}"
        for competency_id, _level_id, position, outcome in course.links:
            if outcome == PassOutcome.NONE:
                continue
            self.note(
                user_id,
                competency_id,
                position,
                EvidenceKind.COURSE_COMPLETION,
                trainer,
                when,
                text,
                enrolment_id,
            )
            key = (user_id, competency_id)
            if outcome == PassOutcome.RATE and self.latest.get(key, 0) < position:
                self.rate(
                    user_id,
                    competency_id,
                    position,
                    RatingSource.COURSE,
                    trainer,
                    when,
                    text,
                    enrolment_id,
                )
            elif outcome == PassOutcome.REVIEW and key not in self.open_reviews:
                self.review(user_id, competency_id, position, trainer, when, course.code)
        self.passes.append((user_id, enrolment_id, when, trainer, course.links))

    def review(self, user_id, competency_id, position, trainer, when, code):
        answered = when + timedelta(days=self.rng.randint(3, 20))
        rating_id = None
        if answered < self.now:
            rating_id = self.rate(
                user_id,
                competency_id,
                position,
                RatingSource.ASSESSOR,
                trainer,
                answered,
                f"Reviewed after {code}.",
            )
        if rating_id is None:
            self.open_reviews.add((user_id, competency_id))
        table = ReviewRequest.__table__
        self.loader.add(
            table,
            {
                "id": self.loader.next_id(table),
                "user_id": user_id,
                "competency_id": competency_id,
                "note": f"Passed {code}; please review.",
                "status": ReviewStatus.DONE if rating_id else ReviewStatus.OPEN,
                "requested_at": when,
                "resolved_by_rating_id": rating_id,
            },
        )

    # Tracks ------------------------------------------------------------------------------
    def track_records(self, plan: Plan) -> None:
        enrolments, certificates = TrackEnrolment.__table__, Certificate.__table__
        seen: set[tuple[int, str]] = set()
        directorate = self.people.by_email["directorate@example.org"]
        with self.loader.progress("Tracks and certificates", len(plan.records)) as advance:
            for record in plan.records:
                seen.add((record.user_id, record.track))
                done = record.completed_on
                self.loader.add(
                    enrolments,
                    {
                        "id": self.loader.next_id(enrolments),
                        "user_id": record.user_id,
                        "track_id": self.catalogue.tracks[record.track],
                        "status": TrackEnrolmentStatus(record.status),
                        "enrolled_at": at(record.joined, 11),
                        "enrolled_by_id": directorate
                        if self.rng.random() < 0.5
                        else record.user_id,
                        "intake_id": None,
                        "completed_at": at(done, 16) if done else None,
                    },
                )
                if done:
                    self.complete(record.user_id, record.track, done, audit_row, certificates)
                advance(1)
        for user_id, track in plan.interest.items():
            if (user_id, track) in seen or self.rng.random() < 0.5:
                continue
            self.loader.add(
                enrolments,
                {
                    "id": self.loader.next_id(enrolments),
                    "user_id": user_id,
                    "track_id": self.catalogue.tracks[track],
                    "status": TrackEnrolmentStatus.ACTIVE,
                    "enrolled_at": at(self.people.registered[user_id], 11),
                    "enrolled_by_id": user_id,
                    "intake_id": None,
                    "completed_at": None,
                },
            )

    def complete(self, user_id, track, day, audit_row, certificates) -> None:
        when = at(day, 14)
        trainer = (
            self.people.trainer
            if self.rng.random() < 0.2
            else self.rng.choice(self.people.trainers)
        )
        for competency_id, target in self.catalogue.targets[track].items():
            if self.latest.get((user_id, competency_id), 0) < target:
                self.rate(
                    user_id,
                    competency_id,
                    target,
                    RatingSource.ASSESSOR,
                    trainer,
                    when,
                    "Assessed on the capstone work.",
                )
                self.note(
                    user_id,
                    competency_id,
                    target,
                    EvidenceKind.ASSESSOR_NOTE,
                    trainer,
                    when,
                    "Capstone work assessed.",
                )
        certificate_id = self.loader.next_id(certificates)
        code = self.verification_code()
        months = VALIDITY.get(track)
        self.loader.add(
            certificates,
            {
                "id": certificate_id,
                "user_id": user_id,
                "track_id": self.catalogue.tracks[track],
                "verification_code": code,
                "issued_on": day,
                "expires_on": _months_later(day, months) if months else None,
                "status": CertificateStatus.VALID,
                "renews_id": None,
                "created_at": when,
            },
        )
        audit_row(
            self.loader,
            "certificate.issued",
            "Certificate",
            certificate_id,
            trainer,
            when,
            f"{self.email.get(user_id, user_id)} {track} {code}",
            None,
        )

    def verification_code(self) -> str:
        while True:
            raw = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(12))
            code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    # Assessor ratings up to the size ---------------------------------------------------------
    def fill(self) -> None:
        missing = self.size.ratings - self.ratings
        with self.loader.progress("Assessor ratings", max(0, missing)) as advance:
            while self.ratings < self.size.ratings or self.evidence < self.size.evidence:
                user_id, _enrolment, when, trainer, links = self.pick()
                competency_id = (
                    self.rng.choice(links)[0] if links else self.rng.choice(self.catalogue.leaves)
                )
                position = min(4, self.latest.get((user_id, competency_id), 1) + 1)
                later = when + timedelta(days=self.rng.randint(3, 200))
                later = max(when, min(later, self.now - timedelta(hours=self.rng.randint(2, 400))))
                if self.ratings < self.size.ratings:
                    self.rate(
                        user_id,
                        competency_id,
                        position,
                        RatingSource.ASSESSOR,
                        trainer,
                        later,
                        "Observed at work: " + self.rng.choice(NOTES),
                    )
                    advance(1)
                self.note(
                    user_id,
                    competency_id,
                    position,
                    EvidenceKind.ASSESSOR_NOTE,
                    trainer,
                    later,
                    self.rng.choice(NOTES),
                )

    def pick(self):
        if self.passes:
            return self.rng.choice(self.passes)
        user_id = self.rng.choice(self.people.trainees)
        when = self.now - timedelta(days=self.rng.randint(30, 900))
        return user_id, None, when, self.people.trainer, []


NOTES = (
    "led the analysis of the quarter's seizures",
    "prepared the risk indicators for the port team",
    "presented the findings to the management board",
    "documented the data set and its quality checks",
    "coached two colleagues through the method",
    "delivered the dashboard to the operational unit",
)
