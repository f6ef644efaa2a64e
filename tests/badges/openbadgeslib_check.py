"""Run by the tests inside the verifier's own virtual environment (never imported by the
suite): openbadgeslib's verifiers on a baked PNG, with the documents the issuer serves
handed in (fetched by the test client), since its downloader only reaches public HTTPS
hosts. Reads a job as JSON on stdin, prints {"ok": bool, "reason": str} on stdout.

- ``ob3-status``: the JWT-VC baked in the PNG, against the trusted PEM key, with its
  credentialStatus checked — the status list's own signature verified too.
- ``ob2-hosted``: the OB 2.0 assertion baked in the PNG, verified as a HostedBadge (the
  assertion fetched from its id, its BadgeClass and issuer Profile, the issuer's scope, the
  recipient's hashed email, the issuer's RevocationList).
"""

import base64
import json
import sys

from openbadgeslib import baking
from openbadgeslib.ob2 import OB2Verifier
from openbadgeslib.ob3 import OB3Verifier


def main() -> None:
    job = json.load(sys.stdin)
    png = base64.b64decode(job["png"])
    documents = job["documents"]

    def download(url: str) -> bytes:
        if url not in documents:
            raise OSError(f"not served: {url}")
        return documents[url].encode("utf-8")

    try:
        if job["mode"] == "ob3-status":
            token = OB3Verifier.extract_token_from_png(png)
            verifier = OB3Verifier(pubkey_pem=job["pubkey"].encode())
            credential = verifier.verify(
                token,
                expected_recipient=job["recipient"],
                check_status=True,
                verify_status_list=True,
                download=download,
            )
            print(json.dumps({"ok": True, "reason": credential.achievement.name}))
        else:
            document = baking.extract_png(png)
            assertion = OB2Verifier(download=download).verify_hosted(
                document, expected_recipient=job["recipient"], check_revocation=True
            )
            print(json.dumps({"ok": True, "reason": assertion.badge}))
    except Exception as exc:  # the verdict, whatever the library raised
        print(json.dumps({"ok": False, "reason": f"{type(exc).__name__}: {exc}"}))


if __name__ == "__main__":
    main()
