"""The badges feature: an Open Badge for every certificate (awarded and revoked with it,
through progress's certificate signals), its Open Badges 2.0 hosted documents, its Open
Badges 3.0 signed credential and status list, and the trainee's *My badges* page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.badges import hooks, services
from lms.core import signals
from lms.core.features import Feature, NavItem

FEATURE = Feature(
    name="badges",
    models=("lms.badges.models",),
    blueprint="lms.badges.views:bp",
    demo="lms.badges.demo:load_badges",
    listeners=(
        (signals.certificate_issued, services.on_certificate_issued),
        (signals.certificate_revoked, services.on_certificate_revoked),
        (signals.trainee_record_related, hooks.badges_on_record),
    ),
    profile_links=(NavItem(_l("My badges"), "badges.mine"),),
)
