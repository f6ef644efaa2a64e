"""Member administrations over the six regions and the people: the demo accounts (the same
emails as ``lms demo``), administrators, directorate staff, project managers, trainers and
trainees, every one with the demo password (hashed once)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from lms.accounts.demo import (
    DEMO_PASSWORD,
    FIRST_NAMES,
    FRENCH_SPEAKING,
    LAST_NAMES,
    MEMBERS,
    STAFF,
    TRAINEES,
)
from lms.accounts.models import MemberAdministration, Region, Role, Sex, User, UserRole
from lms.accounts.passwords import hash_password
from lms.generate.bulk import Loader
from lms.generate.sizes import Size

# Share of the organisation's members per region (roughly its real membership).
REGION_WEIGHTS = {
    Region.ESA: 24,
    Region.WCA: 23,
    Region.MENA: 21,
    Region.AMERICAS: 32,
    Region.AP: 33,
    Region.EUROPE: 53,
}
NAME_PATTERNS = (
    ("National Customs Service {code}", "en"),
    ("Customs and Excise Department {code}", "en"),
    ("Revenue Authority {code} – Customs", "en"),
    ("Direction générale des douanes {code}", "fr"),
    ("Servicio Nacional de Aduanas {code}", "en"),
    ("Customs Administration {code}", "en"),
)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


@dataclass
class People:
    members: list[int] = field(default_factory=list)
    member_weights: list[float] = field(default_factory=list)
    member_language: dict[int, str] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)
    trainees: list[int] = field(default_factory=list)
    registered: dict[int, date] = field(default_factory=dict)
    member_of: dict[int, int | None] = field(default_factory=dict)
    trainers: list[int] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)
    directorate: list[int] = field(default_factory=list)
    focal_points: dict[int, int] = field(default_factory=dict)  # member id -> user id

    @property
    def trainer(self) -> int:
        return self.by_email["trainer@example.org"]

    @property
    def trainer2(self) -> int:
        return self.by_email["trainer2@example.org"]

    @property
    def manager(self) -> int:
        return self.by_email["manager@example.org"]

    @property
    def manager2(self) -> int:
        return self.by_email["manager2@example.org"]

    @property
    def demo_trainee(self) -> int:
        return self.by_email["trainee@example.org"]


def _members(loader: Loader, rng: random.Random, size: Size, people: People, now: datetime):
    table = MemberAdministration.__table__
    demo = list(MEMBERS[: size.members])
    used = {code for _name, code, _region in demo}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    spare = [a + b for a in letters for b in letters if a + b not in used]
    rng.shuffle(spare)
    regions, weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
    rows = [(name, code, region, code in FRENCH_SPEAKING) for name, code, region in demo]
    for code in spare[: size.members - len(demo)]:
        pattern, language = rng.choice(NAME_PATTERNS)
        region = rng.choices(regions, weights)[0]
        rows.append((pattern.format(code=code), code, region, language == "fr"))
    ids = {}
    with loader.progress("Member administrations", len(rows)) as advance:
        for rank, (name, code, region, french) in enumerate(rows, start=1):
            member_id = loader.next_id(table)
            ids[code] = member_id
            loader.add(
                table,
                {
                    "id": member_id,
                    "name": name,
                    "country_code": code,
                    "region": region,
                    "focal_point_name": f"Focal point {code}",
                    "focal_point_email": f"focal.{code.lower()}@example.org",
                    "is_active": True,
                    "is_demo": True,
                    "created_at": now,
                },
            )
            people.members.append(member_id)
            # A few large administrations send most officers (a long tail of small ones).
            people.member_weights.append(1 / rank**0.6)
            people.member_language[member_id] = "fr" if french else "en"
            advance(1)
    return ids


def build_people(loader: Loader, rng: random.Random, size: Size, start: date, today: date):
    """Every user with roles; trainees registered over the history (most before it)."""
    people = People()
    now = at(today)
    codes = _members(loader, rng, size, people, now)
    password_hash = hash_password(DEMO_PASSWORD)
    users, roles = User.__table__, UserRole.__table__
    sexes = [Sex.FEMALE, Sex.MALE, Sex.UNDISCLOSED, None]

    def add(email, full_name, role_list, member_id, registered: date) -> int:
        user_id = loader.next_id(users)
        loader.add(
            users,
            {
                "id": user_id,
                "email": email,
                "full_name": full_name,
                "password_hash": password_hash,
                "member_administration_id": member_id,
                "preferred_language": people.member_language.get(member_id, "en"),
                "sex": rng.choices(sexes, weights=[45, 45, 2, 8])[0],
                "is_active": True,
                "is_demo": True,
                "created_at": at(registered, 8),
                "last_login_at": at(today - timedelta(days=rng.randint(0, 60)), 9),
            },
        )
        for role in role_list:
            loader.add(roles, {"user_id": user_id, "role": role})
        people.by_email[email] = user_id
        people.registered[user_id] = registered
        people.member_of[user_id] = member_id
        if Role.TRAINEE in role_list:
            people.trainees.append(user_id)
        if Role.TRAINER in role_list:
            people.trainers.append(user_id)
        if Role.PROJECT_MANAGER in role_list:
            people.managers.append(user_id)
        if Role.DIRECTORATE in role_list:
            people.directorate.append(user_id)
        return user_id

    before = start - timedelta(days=30)
    counts = _staff_counts(size)
    total = size.users
    with loader.progress("Users", total) as advance:
        for email, full_name, role_list, code in STAFF:
            add(email, full_name, role_list, codes.get(code), before)
        for index, (full_name, code) in enumerate(TRAINEES, start=1):
            add(
                f"trainee{index:02d}@example.org",
                full_name,
                [Role.TRAINEE],
                codes.get(code),
                before,
            )
        kenya = codes.get("KE")
        people.focal_points[kenya] = add(
            "focal.ke@example.org", "Focal point KE", [Role.TRAINEE], kenya, before
        )
        advance(len(people.by_email))

        def name() -> str:
            return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

        for role, email, count in (
            (Role.ADMIN, "admin{:04d}@example.org", counts[Role.ADMIN]),
            (Role.DIRECTORATE, "directorate{:04d}@example.org", counts[Role.DIRECTORATE]),
            (Role.PROJECT_MANAGER, "manager{:04d}@example.org", counts[Role.PROJECT_MANAGER]),
            (Role.TRAINER, "trainer{:04d}@example.org", counts[Role.TRAINER]),
        ):
            for n in range(1, count + 1):
                member = rng.choice(people.members) if role == Role.TRAINER and n % 3 else None
                add(email.format(n), name(), [role], member, before - timedelta(days=n % 200))
                advance(1)
        span = (today - timedelta(days=120) - before).days
        n = 0
        while len(people.by_email) < total:
            n += 1
            member = rng.choices(people.members, people.member_weights)[0]
            # Two in three were registered before the history starts; the rest join over it.
            registered = before if rng.random() < 0.66 else before + timedelta(rng.randint(0, span))
            add(f"trainee{n:05d}@example.org", name(), [Role.TRAINEE], member, registered)
            advance(1)
    loader.flush()
    return people


def _staff_counts(size: Size) -> dict[Role, int]:
    """Beyond the demo accounts: an administrator per 2,000 users, directorate staff per
    1,000, a project manager per five projects, a trainer per 30 sessions."""
    return {
        Role.ADMIN: size.users // 2_000,
        Role.DIRECTORATE: size.users // 1_000,
        Role.PROJECT_MANAGER: max(0, size.projects // 5 - 2),
        Role.TRAINER: max(0, size.sessions // 33 - 2),
    }
