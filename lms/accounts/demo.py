"""Demo member administrations and users of every role."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.accounts.models import Region, Role
from lms.accounts.passwords import hash_password
from lms.accounts.services import create_member, create_user

DEMO_PASSWORD = "demo-password"

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
                preferred_language="fr" if code in {"SN", "CM", "FR", "MA"} else "en",
            )
        )
    # One hash for all demo accounts: the password is public anyway, and hashing it once per
    # account would make every demo load (and every test that loads it) seconds slower.
    password_hash = hash_password(DEMO_PASSWORD)
    for user in users:
        user.is_demo = True
        user.password_hash = password_hash
    return f"Demo accounts: {len(members)} member administrations, {len(users)} users."
