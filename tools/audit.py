"""`make audit`: pip-audit over the locked versions, with a verdict that never passes silently.

pip-audit asks a vulnerability service (PyPI's JSON API by default) about every pin of the
lock file. Its own exit code mixes two failures that call for different answers, so it runs
with ``--format json`` and this script reads the report:

- every pin checked, none vulnerable (advisories accepted in ``.pip-audit-ignore`` aside): pass;
- a vulnerable pin: fail, naming the advisory and the versions that fix it;
- a pin the service could not check, or no answer from the service at all: fail, unless
  ``AUDIT_UNREACHABLE=warn``, which turns that one case into a banner on stderr and a pass (a
  machine that reaches only the package registries, not the service). A vulnerable pin
  still fails then.

``.pip-audit-ignore``: one advisory id a line, then ``#`` and why it does not apply here; an
id without a reason is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess  # nosec B404  # runs pip-audit, a fixed argument list, no shell
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str


def read_ignores(text: str) -> dict[str, str]:
    """Advisory id -> the reason it is accepted; a line with an id and no reason is an error."""
    ignores: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        ident, _hash, reason = line.partition("#")
        ident = ident.strip()
        if not ident:
            continue
        if len(ident.split()) != 1 or not reason.strip():
            raise ValueError(f".pip-audit-ignore line {number}: write `ID  # why it is safe here`")
        ignores[ident] = reason.strip()
    return ignores


def verdict(report: dict | None, *, allow_unreachable: bool, detail: str = "") -> Verdict:
    """Read pip-audit's JSON report (None: it gave none, the service did not answer)."""
    if report is None:
        return _unreachable("pip-audit gave no report", detail, allow_unreachable)
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    if vulnerable:
        lines = [
            f"  {d['name']} {d['version']}: {v['id']} (fixed in {_fixes(v)})"
            for d in vulnerable
            for v in d["vulns"]
        ]
        return Verdict(False, "Known vulnerabilities in the locked versions:\n" + "\n".join(lines))
    skipped = [d for d in deps if d.get("skip_reason")]
    if skipped or not deps:
        reason = skipped[0]["skip_reason"] if skipped else "no dependency in the report"
        what = f"{len(skipped)} of {len(deps)} locked packages were not checked: {reason}"
        return _unreachable(what, "", allow_unreachable)
    return Verdict(True, f"pip-audit: {len(deps)} locked packages, no known vulnerability.")


def _fixes(vuln: dict) -> str:
    return ", ".join(vuln.get("fix_versions") or []) or "no release yet"


def _unreachable(what: str, detail: str, allow: bool) -> Verdict:
    text = f"NOT AUDITED: {what}. The vulnerability service could not be reached or asked."
    if detail:
        text += f"\n{detail.strip()[-1500:]}"
    if allow:
        banner = "!" * 78
        return Verdict(
            True, f"{banner}\n{text}\n(AUDIT_UNREACHABLE=warn: passing anyway)\n{banner}"
        )
    return Verdict(
        False, text + "\n(set AUDIT_UNREACHABLE=warn only where no service is reachable)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path, help="a hashed requirements lock file")
    parser.add_argument("--ignore-file", type=Path, default=ROOT / ".pip-audit-ignore")
    args = parser.parse_args(argv)
    ignore_text = args.ignore_file.read_text() if args.ignore_file.exists() else ""
    ignores = read_ignores(ignore_text)
    command = [sys.executable, "-m", "pip_audit", "--require-hashes", "--disable-pip"]
    command += ["--progress-spinner", "off", "--format", "json", "-r", str(args.lock)]
    for ident in ignores:
        command += ["--ignore-vuln", ident]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)  # nosec B603
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = None
    allow = os.environ.get("AUDIT_UNREACHABLE", "") == "warn"
    result = verdict(report, allow_unreachable=allow, detail=done.stderr)
    if ignores:
        print(f"Accepted advisories (.pip-audit-ignore): {', '.join(ignores)}")
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
