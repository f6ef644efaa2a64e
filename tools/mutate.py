"""Mutation testing of the critical rules: `make mutate` (all groups) or
`python tools/mutate.py run GROUP...`; `python tools/mutate.py report` scores the last run.

The selection is this file's GROUPS: per rule, mutmut name globs of the functions that hold it.
Each glob names the feature package with a trailing ``*`` (``lms.projects*.x_compute_rag``), so
it matches the function wherever it lives in the package (``lms.projects.services.rag``,
``lms.projects.permissions``) and keeps matching when a module is split.
Equivalent mutants (they cannot change behaviour) are listed, with the reason, in
tests/mutation_equivalents.txt; the score is killed / (total - equivalent).
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"


def _functions(module: str, *names: str) -> list[str]:
    return [f"{module}*.{name}__mutmut_*" for name in names]


GROUPS: dict[str, list[str]] = {
    "permissions": [
        "lms.core.permissions.x_*",
        "lms.courses.permissions*.x_*",
        "lms.frameworks.permissions*.x_*",
    ],
    "trainee-remit": _functions(
        "lms.progress",
        "x_can_view_trainee",
        "x__trainer_remit",
        "x_trainees_in_remit",  # the same rule for a page of trainees at once
        "x__trainer_remit_set",
    ),
    "project-access": _functions(
        "lms.projects",
        "x_can_view_project",
        "x_can_edit_project",
        "x_is_project_manager",
        "x_is_focal_point",
    ),
    "enrolment-seats": _functions(
        "lms.courses",
        "x__take_seat",
        "x__release_seat",
        "x__place",
        "x__promote_waitlisted",
        "x_request_enrolment",
        "x_approve_enrolment",
        "x_reject_enrolment",
        "x_withdraw_enrolment",
    ),
    "ratings-rollups": _functions(
        "lms.progress",
        "x_rate_competency",
        "x__apply_rollups",
        "x_latest_ratings",
        "x_latest_ratings_for_users",
        "x_ratings_as_of",
    ),
    "certificates": [
        "lms.progress.models*.xǁCertificateǁis_current__mutmut_*",
        *_functions(
            "lms.progress",
            "x_issue_certificate",
            "x__add_months",
            "x_recertification_done",
            "x_certificate_status",
            "x_certificates_expiring",
        ),
    ],
    "rag": _functions(
        "lms.projects",
        "x_compute_rag",
        "x__indicator_reasons",
        "x_time_elapsed",
        "x_milestones_done_share",
        "x_late_milestones",
    ),
    "throttling": [
        *_functions("lms.accounts", "x__throttled_until", "x_authenticate"),
        "lms.accounts.services*.xǁThrottlePolicyǁfrom_config__mutmut_*",
    ],
    "report-figures": _functions(
        "lms.reports",
        "x_directorate_data",
        "x__bounds",
        "x_trainee_figures",
        "x__members",
        "x_level_distribution",
        "x_sessions_delivered",
        "x_session_results",
        "x_track_targets",
        "x_current_ratings",
        "x_delivered",
    ),
}

KILLED = {1, 3, 36, 152, 255, 37}  # failed a test, crashed, or caught by the type check
# Timed out (SIGXCPU). On a loaded machine mutmut's wall-clock limit also fires on mutants that
# would have passed, so timeouts are shown apart and left out of the score: re-run them on an
# idle machine (`mutmut run NAME...`), where a timeout is a real kill (an endless loop).
TIMEOUT = {24, -24}
SURVIVED = {0}


def equivalents() -> dict[str, str]:
    """Glob of an equivalent mutant -> why it is equivalent."""
    found = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, why = line.partition(" ")
            found[name] = why.strip()
    return found


def results() -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in (ROOT / "mutants").rglob("*.meta"):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def _matches(name: str, globs) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


def report(groups: list[str]) -> int:
    codes, equivalent = results(), equivalents()
    totals = [0, 0, 0, 0, 0, 0]
    widths = (7, 8, 10, 8, 9, 7)
    print(
        f"{'group':<18}{'total':>7}{'killed':>8}{'survived':>10}{'equiv.':>8}{'timeout':>9}"
        f"{'other':>7}  score (killed / (total - equiv. - timeout)); other = not checked yet, "
        "no tests, suspicious"
    )
    survivors = []
    for group in groups:
        names = sorted(n for n in codes if _matches(n, GROUPS[group]))
        killed = survived = equiv = timeout = other = 0
        for name in names:
            code = codes[name]
            if code in KILLED:
                killed += 1
            elif _matches(name, equivalent):
                equiv += 1
            elif code in TIMEOUT:
                timeout += 1
                survivors.append(f"{name} (timed out: re-run on an idle machine)")
            elif code in SURVIVED:
                survived += 1
                survivors.append(name)
            else:  # not checked, no tests, suspicious
                other += 1
                survivors.append(f"{name} (exit code {code})")
        row = [len(names), killed, survived, equiv, timeout, other]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(
            f"{group:<18}"
            + "".join(f"{v:>{w}}" for v, w in zip(row, widths, strict=True))
            + f"  {_score(row)}"
        )
    print(
        f"{'all':<18}"
        + "".join(f"{v:>{w}}" for v, w in zip(totals, widths, strict=True))
        + f"  {_score(totals)}"
    )
    for name in survivors:
        print(f"  not killed: {name}")
    return 0


def _score(row: list[int]) -> str:
    total, killed, _survived, equiv, timeout, _other = row
    scored = total - equiv - timeout
    return f"{100 * killed / scored:.1f}% ({killed}/{scored})" if scored else "-"


def run(groups: list[str]) -> int:
    globs = [g for group in groups for g in GROUPS[group]]
    env = dict(
        os.environ, LMS_SHARED_DIR=os.environ.get("LMS_SHARED_DIR", str(ROOT.parent / "shared"))
    )
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    code = subprocess.call([str(mutmut), "run", *globs], cwd=ROOT, env=env)
    print(f"\nmutmut run took {time.monotonic() - started:.0f} s (exit code {code})\n")
    report(groups)
    return code


def main(argv: list[str]) -> int:
    command, *groups = argv or ["run"]
    unknown = [g for g in groups if g not in GROUPS]
    if command not in ("run", "report", "groups") or unknown:
        print(f"usage: mutate.py run|report|groups [{'|'.join(GROUPS)} ...]", file=sys.stderr)
        return 2
    if command == "groups":
        for group, globs in GROUPS.items():
            print(group, *globs, sep="\n  ")
        return 0
    return (run if command == "run" else report)(groups or list(GROUPS))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
