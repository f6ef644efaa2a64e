"""What a fuzzed request may change. A page or API call writes its own records, and through
the features' services and signals many others (a result rates competencies, issues a
certificate, awards a badge, queues a webhook); but the records that say who someone is, what
they may do and how they sign in belong to a few areas only. A request elsewhere that changes
them, whatever it was sent, is a bug. A GET changes nothing."""

from __future__ import annotations

ACCOUNTS = {"admin", "auth"}
# table -> the blueprints (for the API: the operations) that may change it
GUARDED: dict[str, set[str]] = {
    "users": ACCOUNTS,
    "user_roles": ACCOUNTS,
    "member_administrations": {"admin"},
    "user_tokens": ACCOUNTS,
    "auth_sessions": ACCOUNTS,
    "api_tokens": {"api_tokens", "api.create_token"},
    "webhook_subscriptions": {"webhooks", "api.create_webhook", "api.disable_webhook"},
    "calendar_feeds": {"calendar"},
    "organisation_settings": {"admin"},
    "scheduled_jobs": {"scheduler"},
    "proficiency_scales": {"frameworks"},
    "frameworks": {"frameworks"},
    "projects": {"projects"},
    "project_managers": {"projects"},
    "project_beneficiaries": {"projects"},
}
# Written by any request that signs someone in or refuses a sign-in.
ANYWHERE = {"login_attempts", "throttle_keys"}


def forbidden_changes(changed: list[str], endpoint: str, method: str) -> list[str]:
    """The tables in ``changed`` that ``endpoint`` may not change."""
    if method == "GET":
        return sorted(set(changed) - ANYWHERE)
    blueprint = endpoint.split(".")[0]
    return sorted(
        t
        for t in changed
        if t in GUARDED and blueprint not in GUARDED[t] and endpoint not in GUARDED[t]
    )
