"""Supply chain (README "Supply chain"): every dependency bounded above and below, the two lock
files covering pyproject.toml at versions its bounds admit, and the audit's verdict."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tools.audit import read_ignores, verdict

ROOT = Path(__file__).resolve().parents[2]
LOWER = {">=", ">", "==", "~=", "==="}
UPPER = {"<", "<=", "==", "~=", "==="}
Pins = dict[str, tuple[Version, int]]


def declared(pyproject: dict, makefile: str, *, dev: bool) -> list[Requirement]:
    """What a lock must cover: [project] dependencies, [build-system] requires (the project is
    built without isolation), the Makefile's PIP_SPEC, and with ``dev`` every extra."""
    texts = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    match = re.search(r"^PIP_SPEC := (.+)$", makefile, re.M)
    texts += [match.group(1).strip()] if match else []
    if dev:
        texts += [
            r for group in pyproject["project"]["optional-dependencies"].values() for r in group
        ]
    return [Requirement(text) for text in texts]


def parse_lock(text: str) -> Pins:
    """name -> (pinned version, number of hashes), from a hashed requirements file."""
    pins: Pins = {}
    for line in re.sub(r"\\\n", " ", text).splitlines():
        if not line.strip() or line[0] in " #":
            continue
        spec, *hashes = line.split("--hash=")
        requirement = Requirement(spec.strip())
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"{line.strip()}: a lock pins exact versions"
        pins[canonicalize_name(requirement.name)] = (Version(pin.version), len(hashes))
    return pins


def bound_problems(requirements: list[Requirement]) -> list[str]:
    problems = []
    for requirement in requirements:
        operators = {spec.operator for spec in requirement.specifier}
        if not operators & LOWER:
            problems.append(f"{requirement}: no lower bound (write >=x.y,<N)")
        if not operators & UPPER:
            problems.append(f"{requirement}: no upper bound (write >=x.y,<N)")
    return problems


def _extra_names(requirement: Requirement) -> set[str]:
    """What an extra brings (psycopg[binary]: psycopg-binary), from the installed metadata."""
    names: set[str] = set()
    if not requirement.extras:
        return names
    for text in metadata.requires(requirement.name) or []:
        wanted = Requirement(text)
        for extra in requirement.extras:
            gated = wanted.marker is not None and "extra" in str(wanted.marker)
            if gated and wanted.marker.evaluate({"extra": extra}):
                names.add(canonicalize_name(wanted.name))
    return names


def lock_problems(requirements: list[Requirement], pins: Pins) -> list[str]:
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{name} is not locked")
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{name}=={pins[name][0]} is outside {requirement.specifier}")
        missing = sorted(_extra_names(requirement) - set(pins))
        problems += [f"{n} (an extra of {requirement.name}) is not locked" for n in missing]
    problems += [f"{name} has no hash" for name, (_v, hashes) in pins.items() if not hashes]
    return problems


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MAKEFILE = (ROOT / "Makefile").read_text()
LOCKS = {"requirements.lock": False, "requirements-dev.lock": True}


def _lock(name: str) -> Pins:
    return parse_lock((ROOT / name).read_text())


def test_every_dependency_has_a_lower_and_an_upper_bound():
    requirements = declared(PYPROJECT, MAKEFILE, dev=True)
    assert len(requirements) > 40 and "pip" in {r.name for r in requirements}
    assert bound_problems(requirements) == []


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_pins_every_dependency_at_a_version_its_bounds_admit(lock):
    requirements = declared(PYPROJECT, MAKEFILE, dev=LOCKS[lock])
    assert lock_problems(requirements, _lock(lock)) == [], "run `make lock`"


def test_the_runtime_lock_holds_the_dev_locks_versions():
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    assert set(runtime) <= set(dev)
    assert {n: v for n, (v, _h) in runtime.items()} == {n: dev[n][0] for n in runtime}


def test_the_checks_catch_an_unbounded_an_unlocked_and_a_stale_dependency():
    pyproject = {
        "project": {
            "dependencies": ["flask>=3.1,<4", "redis>=5.0", "psycopg[binary]>=3.3,<4"],
            "optional-dependencies": {"dev": ["pytest>=9.2,<10", "hypothesis"]},
        },
        "build-system": {"requires": ["hatchling>=1.33,<2"]},
    }
    requirements = declared(pyproject, "PIP_SPEC := pip>=27.0,<28\n", dev=True)
    assert bound_problems(requirements) == [
        "redis>=5.0: no upper bound (write >=x.y,<N)",
        "hypothesis: no lower bound (write >=x.y,<N)",
        "hypothesis: no upper bound (write >=x.y,<N)",
    ]
    lock = "flask==3.1.3 \\\n    --hash=sha256:aa\npsycopg==3.3.9 \\\n    --hash=sha256:bb\n"
    lock += "pytest==9.2.0\nhatchling==1.33.0 \\\n    --hash=sha256:cc\npip==26.3 \\\n"
    lock += "    --hash=sha256:dd\n    # via -r -\n"
    assert lock_problems(requirements, parse_lock(lock)) == [
        "redis is not locked",
        "psycopg-binary (an extra of psycopg) is not locked",
        "pip==26.3 is outside <28,>=27.0",
        "hypothesis is not locked",
        "pytest has no hash",
    ]


def test_the_lock_parser_reads_pins_hashes_and_markers():
    text = (
        "# header\nflask==3.1.3 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "    # via capacity-lms (pyproject.toml)\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:cc\n"
    )
    assert parse_lock(text) == {"flask": (Version("3.1.3"), 2), "colorama": (Version("0.4.6"), 1)}


REPORT_CLEAN = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
REPORT_VULNERABLE = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {
            "name": "jinja2",
            "version": "3.1.2",
            "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
        },
    ]
}
REPORT_UNCHECKED = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "alembic", "skip_reason": "Dependency not found on PyPI"},
    ]
}


def test_the_audit_passes_only_when_every_pin_was_checked_and_none_is_vulnerable():
    assert verdict(REPORT_CLEAN, allow_unreachable=False).ok
    found = verdict(REPORT_VULNERABLE, allow_unreachable=True)
    assert not found.ok and "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in found.message
    unchecked = verdict(REPORT_UNCHECKED, allow_unreachable=False)
    assert not unchecked.ok and "NOT AUDITED: 1 of 2 locked packages" in unchecked.message
    assert not verdict(None, allow_unreachable=False).ok
    assert not verdict({"dependencies": []}, allow_unreachable=False).ok


def test_an_unreachable_service_passes_only_when_allowed_and_says_so():
    allowed = verdict(REPORT_UNCHECKED, allow_unreachable=True)
    assert (
        allowed.ok and "NOT AUDITED" in allowed.message and "AUDIT_UNREACHABLE" in allowed.message
    )
    assert verdict(None, allow_unreachable=True, detail="ConnectionError").ok


def test_an_accepted_advisory_needs_a_reason():
    text = "# accepted advisories\nPYSEC-2024-1  # only the CLI, which we never run\n\n"
    assert read_ignores(text) == {"PYSEC-2024-1": "only the CLI, which we never run"}
    with pytest.raises(ValueError, match="line 1"):
        read_ignores("GHSA-xxxx-yyyy-zzzz\n")
    assert isinstance(read_ignores((ROOT / ".pip-audit-ignore").read_text()), dict)
