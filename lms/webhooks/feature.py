"""The webhooks feature: administrators subscribe partners' addresses to events (enrolment
changed, result recorded, certificate issued, milestone late), delivered through the HTTP
outbox with an HMAC signature and retries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.webhooks import listeners

FEATURE = Feature(
    name="webhooks",
    models=("lms.webhooks.models",),
    blueprint="lms.webhooks.views:bp",
    demo="lms.webhooks.demo:load",
    admin_nav=(NavItem(_l("Webhooks"), "webhooks.index", (Role.ADMIN,)),),
    listeners=(
        (signals.enrolment_changed, listeners.on_enrolment_changed),
        (signals.session_result_recorded, listeners.on_result_recorded),
        (signals.session_result_corrected, listeners.on_result_corrected),
        (signals.certificate_issued, listeners.on_certificate_issued),
        (signals.milestone_overdue, listeners.on_milestone_overdue),
        (signals.outbound_headers, listeners.on_outbound_headers),
    ),
)
