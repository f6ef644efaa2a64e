"""Demo member administrations and users of every role, and the generated trainees whose
three years of history the progress demo step records (how many: ``LMS_DEMO_TRAINEES``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from lms.accounts.members import create_member
from lms.accounts.models import Region, Role, Sex
from lms.accounts.passwords import hash_password
from lms.accounts.services import create_user
from lms.core import clock

DEMO_PASSWORD = "demo-password"  # nosec B105  # the demo accounts' documented password

MEMBERS = [
    ("Kenya Revenue Authority – Customs and Border Control", "KE", Region.ESA),
    ("Uganda Revenue Authority – Customs", "UG", Region.ESA),
    ("Mauritius Revenue Authority – Customs", "MU", Region.ESA),
    ("Direction Générale des Douanes du Sénégal", "SN", Region.WCA),
    ("Nigeria Customs Service", "NG", Region.WCA),
    ("Direction Générale des Douanes du Cameroun", "CM", Region.WCA),
    ("Administration des Douanes et Impôts Indirects du Maroc", "MA", Region.MENA),
    ("Egyptian Customs Authority", "EG", Region.MENA),
    ("Jordan Customs", "JO", Region.MENA),
    ("Servicio Nacional de Aduanas de Chile", "CL", Region.AMERICAS),
    ("Receita Federal do Brasil – Aduana", "BR", Region.AMERICAS),
    ("Jamaica Customs Agency", "JM", Region.AMERICAS),
    ("Canada Border Services Agency", "CA", Region.AMERICAS),
    ("General Department of Vietnam Customs", "VN", Region.AP),
    ("Royal Malaysian Customs Department", "MY", Region.AP),
    ("Fiji Revenue and Customs Service", "FJ", Region.AP),
    ("Bangladesh Customs", "BD", Region.AP),
    ("Direction générale des douanes et droits indirects (France)", "FR", Region.EUROPE),
    ("Estonian Tax and Customs Board", "EE", Region.EUROPE),
    ("Georgia Revenue Service – Customs", "GE", Region.EUROPE),
    ("Albanian Customs Administration", "AL", Region.EUROPE),
]

STAFF = [
    ("admin@example.org", "Amina Diallo", [Role.ADMIN], None),
    ("directorate@example.org", "Jean-Pierre Moreau", [Role.DIRECTORATE], None),
    ("manager@example.org", "Grace Wanjiru", [Role.PROJECT_MANAGER], None),
    ("manager2@example.org", "Tomás Herrera", [Role.PROJECT_MANAGER], None),
    ("trainer@example.org", "Sofia Lindqvist", [Role.TRAINER], None),
    ("trainer2@example.org", "Kwame Mensah", [Role.TRAINER], "NG"),
    ("trainee@example.org", "Nadia Benali", [Role.TRAINEE], "MA"),
]

TRAINEES = [
    ("David Otieno", "KE"),
    ("Sarah Nakato", "UG"),
    ("Priya Ramdin", "MU"),
    ("Mamadou Ndiaye", "SN"),
    ("Chinedu Okafor", "NG"),
    ("Aïcha Mbarga", "CM"),
    ("Omar Farouk", "EG"),
    ("Lina Haddad", "JO"),
    ("Camila Rojas", "CL"),
    ("João Pereira", "BR"),
    ("Andre Campbell", "JM"),
    ("Nguyễn Thị Lan", "VN"),
    ("Ahmad Faizal", "MY"),
    ("Mere Tuilagi", "FJ"),
    ("Élodie Laurent", "FR"),
    ("Kadri Tamm", "EE"),
]


FIRST_NAMES = [
    "Abebe",
    "Achieng",
    "Adaeze",
    "Adama",
    "Aiko",
    "Akosua",
    "Alejandro",
    "Amara",
    "Ana",
    "Anh",
    "Aroha",
    "Awa",
    "Bilal",
    "Bongani",
    "Carlos",
    "Chiara",
    "Chidi",
    "Daniela",
    "Dmitri",
    "Emeka",
    "Esi",
    "Fatima",
    "Felipe",
    "Fatou",
    "Hana",
    "Hassan",
    "Ibrahim",
    "Ines",
    "Ivan",
    "Jana",
    "Javier",
    "Kofi",
    "Lamine",
    "Layla",
    "Leila",
    "Luis",
    "Mariam",
    "Marta",
    "Mehdi",
    "Mei",
    "Moussa",
    "Nia",
    "Nikos",
    "Nour",
    "Oluwaseun",
    "Paulo",
    "Rania",
    "Rashid",
    "Rosa",
    "Salma",
    "Samuel",
    "Seini",
    "Siosaia",
    "Tariq",
    "Thabo",
    "Valentina",
    "Wanjiku",
    "Yasmin",
    "Youssef",
    "Zainab",
    "Zanele",
]
LAST_NAMES = [
    "Abdullah",
    "Adeyemi",
    "Alvarez",
    "Amadou",
    "Asante",
    "Banda",
    "Barros",
    "Ben-Salah",
    "Boateng",
    "Chowdhury",
    "Coulibaly",
    "Da",
    "Silva",
    "Diop",
    "Dlamini",
    "Eze",
    "Fernandes",
    "Garcia",
    "Haddad",
    "Hossain",
    "Ibrahim",
    "Islam",
    "Kamau",
    "Kariuki",
    "Keita",
    "Khan",
    "Koné",
    "Lemaire",
    "Lopes",
    "Mahmoud",
    "Mendes",
    "Moreno",
    "Mwangi",
    "Ndlovu",
    "Nguyen",
    "Njoroge",
    "Ochieng",
    "Okonkwo",
    "Osei",
    "Ouedraogo",
    "Pham",
    "Quispe",
    "Rahman",
    "Sall",
    "Santos",
    "Sarr",
    "Tembo",
    "Traoré",
    "Tran",
    "Usman",
    "Wafula",
]
FRENCH_SPEAKING = {"SN", "CM", "FR", "MA"}
STORY_TRAINEES = 1 + len(TRAINEES)  # trainee@ and trainee01 … trainee16
FULL_SIZE = 150  # trainee accounts in the full demo (the stories' and the generated ones)


def demo_size() -> int:
    """How many trainee accounts the demo holds: ``LMS_DEMO_TRAINEES`` (150 by default; the
    test suite loads a smaller run of the same builder)."""
    configured = current_app.config.get("LMS_DEMO_TRAINEES") if has_app_context() else None
    return int(configured if configured is not None else FULL_SIZE)


HISTORY_YEARS = 3


def history_start(today: date) -> date:
    """The first day of the demo programme's history: three years before the day it is
    loaded."""
    try:
        return today.replace(year=today.year - HISTORY_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - HISTORY_YEARS, day=28)


def generated_trainee_email(index: int) -> str:
    return f"trainee{index:02d}@example.org"


def generated_trainee_emails() -> list[str]:
    """The generated trainees' emails (trainee17@ onwards), in the order they were made."""
    first = len(TRAINEES) + 1
    return [generated_trainee_email(first + n) for n in range(max(0, demo_size() - STORY_TRAINEES))]


def _generated_trainees(session: Session, members: dict, count: int) -> list:
    """Trainees beyond the stories' ones, spread over every member administration; names
    drawn with a fixed seed, so every load builds the same people. Their sex too, from a
    seed of its own (the names stay as they were); about one in twelve has none recorded
    and a few prefer not to say."""
    rng = random.Random(20260301)  # nosec B311  # seeded on purpose: the same demo people
    sexes = random.Random(20260302)  # nosec B311  # seeded on purpose, as above
    codes = sorted(members)
    made = []
    # They were registered a month before the history starts.
    with clock.travel(history_start(clock.today()) - timedelta(days=30)):
        for offset, email in enumerate(generated_trainee_emails()[:count]):
            code = codes[offset % len(codes)]
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            made.append(
                create_user(
                    session,
                    actor=None,
                    email=email,
                    full_name=full_name,
                    roles=[Role.TRAINEE],
                    member_administration_id=members[code].id,
                    preferred_language="fr" if code in FRENCH_SPEAKING else "en",
                    sex=sexes.choices(
                        [Sex.FEMALE, Sex.MALE, Sex.UNDISCLOSED, None], weights=[45, 45, 2, 8]
                    )[0],
                )
            )
    return made


def load_accounts(session: Session) -> str:
    members = {}
    for name, code, region in MEMBERS:
        members[code] = create_member(
            session,
            actor=None,
            name=name,
            country_code=code,
            region=region,
            focal_point_name=f"Focal point {code}",
            focal_point_email=f"focal.{code.lower()}@example.org",
            is_demo=True,
        )
    users = []
    for email, full_name, roles, code in STAFF:
        users.append(
            create_user(
                session,
                actor=None,
                email=email,
                full_name=full_name,
                roles=roles,
                member_administration_id=members[code].id if code else None,
            )
        )
    for index, (full_name, code) in enumerate(TRAINEES, start=1):
        users.append(
            create_user(
                session,
                actor=None,
                email=f"trainee{index:02d}@example.org",
                full_name=full_name,
                roles=[Role.TRAINEE],
                member_administration_id=members[code].id,
                preferred_language="fr" if code in FRENCH_SPEAKING else "en",
            )
        )
    users.extend(_generated_trainees(session, members, max(0, demo_size() - STORY_TRAINEES)))
    # One hash for all demo accounts: the password is public anyway, and hashing it once per
    # account would make every demo load (and every test that loads it) seconds slower.
    password_hash = hash_password(DEMO_PASSWORD)
    for user in users:
        user.is_demo = True
        user.password_hash = password_hash
    return f"Demo accounts: {len(members)} member administrations, {len(users)} users."
