"""The xAPI feature: statements to a learning record store (through the HTTP outbox) and
completions received from other platforms (the API's ``/xapi/statements``)."""

from __future__ import annotations

from lms.core import signals
from lms.core.features import Feature
from lms.xapi import receive, statements

FEATURE = Feature(
    name="xapi",
    models=("lms.xapi.models",),
    demo="lms.xapi.demo:load_xapi",
    listeners=(
        (signals.enrolment_changed, statements.on_enrolment_changed),
        (signals.session_result_recorded, statements.on_session_result),
        (signals.session_result_corrected, statements.on_session_result),
        (signals.competency_rated, statements.on_competency_rated),
        (signals.outbound_headers, statements.lrs_headers),
        (signals.user_history_probe, receive.received_history),
    ),
)
