"""Time the hot pages against a throw-away SQLite database filled with many records.

Prints one line per page: median and 95th-percentile latency and SQL statements per request.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ["LMS_ENV"] = "testing"


def main(rounds: int = 50, users: int = 2000) -> None:
    from lms import create_app
    from lms.accounts.models import MemberAdministration, Region, Role, User, UserRole
    from lms.accounts.passwords import hash_password
    from lms.core.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        members = [
            MemberAdministration(
                name=f"Administration {i}",
                country_code=f"{chr(65 + i // 26)}{chr(65 + i % 26)}",
                region=list(Region)[i % 6],
            )
            for i in range(60)
        ]
        db.session.add_all(members)
        db.session.flush()
        password_hash = hash_password("bench-password-long")
        db.session.add_all(
            User(
                email=f"user{i}@example.org",
                full_name=f"User {i:05d}",
                password_hash=password_hash,
                member_administration_id=members[i % 60].id,
                role_links=[UserRole(role=Role.TRAINEE if i else Role.ADMIN)],
            )
            for i in range(users)
        )
        db.session.commit()
        statements = 0

        def count(*_args):
            nonlocal statements
            statements += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)

    client = app.test_client()
    client.post(
        "/auth/login", data={"email": "user0@example.org", "password": "bench-password-long"}
    )
    pages = [
        "/admin/users",
        "/admin/users?q=user1&role=trainee",
        "/admin/members",
        "/admin/audit",
        "/healthz",
    ]
    print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8}   ({users} users)")
    for page in pages:
        timings = []
        statements = 0
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(page)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{page:45} {statistics.median(timings):10.1f} {p95:8.1f} {statements / rounds:8.1f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
