"""Named signals: how a feature reacts to another one without importing it.

A lower feature *sends* (frameworks publishes a version, courses records a result) and the
feature above it *listens* (progress carries ratings over, updates ratings); the listeners are
declared in each feature's registration entry (``lms/<feature>/feature.py``) and connected by
``lms.features.wire``, never as a side effect of importing a module. Indico's ``signals``
package is the model.

Two kinds of signal:

- *events*: the sender announces that something happened; receivers' return values are ignored;
- *questions*: the sender asks every listener (``session_approvers``, ``trainee_remit``,
  ``trainee_remit_set``, ``course_retake_allowed``, ``user_history_probe``,
  ``outbound_headers``) and reads the answers with ``values_from_signal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

_signals = Namespace()

framework_version_published = _signals.signal(
    "framework-version-published",
    doc="""A new framework version was published.

    Sender: the database session. Keyword arguments: ``framework`` (the version just
    published; the one it supersedes is already archived), ``actor`` (a user or ``None``).
    """,
)

session_result_recorded = _signals.signal(
    "session-result-recorded",
    doc="""A trainee's attendance or result on a course session changed.

    Sender: the database session. Keyword arguments: ``enrolment`` (the session enrolment),
    ``actor`` (the user who recorded it) and, with a result, ``today`` (the date it counts
    on). Listeners update ratings and track completion.
    """,
)

session_result_corrected = _signals.signal(
    "session-result-corrected",
    doc="""A recorded result or attendance mark was corrected or withdrawn.

    Sender: the database session. Keyword arguments: ``enrolment`` (its corrected state),
    ``actor``, ``was_passed`` (whether the superseded record was a pass), ``reason`` and
    ``today``. Listeners withdraw what a pass no longer supports (ratings, completion,
    certificates) or apply a new pass.
    """,
)

enrolment_changed = _signals.signal(
    "enrolment-changed",
    doc="""A session enrolment moved through the enrolment workflow: requested, approved
    (enrolled or waitlisted), promoted from the waiting list, rejected or withdrawn.

    Sender: the database session. Keyword arguments: ``enrolment`` (flushed, in its new
    state), ``actor``, ``from_status`` (``None`` for a new request) and ``to_status`` (the
    ``EnrolmentStatus`` values). Attendance and results are ``session_result_recorded``'s.
    """,
)

competency_rated = _signals.signal(
    "competency-rated",
    doc="""A trainee was given a level for a competency (by an assessor, a course pass, a
    roll-up, prior learning or a carry-over).

    Sender: the database session. Keyword arguments: ``rating`` (the new, flushed
    ``CompetencyRating``) and ``actor``.
    """,
)

external_completion_recorded = _signals.signal(
    "external-completion-recorded",
    doc="""A course was completed elsewhere (an e-learning platform's xAPI statement) and
    recorded as a pass of the course.

    Sender: the database session. Keyword arguments: ``completion`` (the courses feature's
    ``ExternalCompletion``), ``actor`` and ``today``. Listeners apply the pass exactly as
    for a passed session result (evidence, ratings, track completion).
    """,
)

milestone_overdue = _signals.signal(
    "milestone-overdue",
    doc="""A project milestone is past its due date and still open; the daily reminder job
    announces it every day it stays so (a listener that acts once keys on the milestone and
    its due date).

    Sender: the database session. Keyword arguments: ``milestone``, ``today``.
    """,
)

track_requirements_changed = _signals.signal(
    "track-requirements-changed",
    doc="""What a track asks of its trainees changed: its target levels (frameworks) or the
    courses it lists and whether each is required (courses).

    Sender: the database session. Keyword argument: ``track_ids`` (the tracks concerned).
    Listeners recompute what they derived from the requirements (progress's stored summaries).
    """,
)

certificate_issued = _signals.signal(
    "certificate-issued",
    doc="""A certificate was issued: a track completed (or renewed by its recertification path).

    Sender: the database session. Keyword arguments: ``certificate`` (flushed, with its id),
    ``actor`` (a user or ``None``). Listeners award what the completion earns (badges).
    """,
)

certificate_revoked = _signals.signal(
    "certificate-revoked",
    doc="""A certificate was revoked (a correction removed what it was based on).

    Sender: the database session. Keyword arguments: ``certificate``, ``actor`` and
    ``reason`` (the correction's reason). Listeners revoke what the certificate earned.
    """,
)

outbound_headers = _signals.signal(
    "outbound-headers",
    doc="""Question: which headers does this outgoing HTTP request need just before it is sent?

    Sender: the database session. Keyword arguments: ``request`` (the
    ``lms.core.models.OutboundRequest``; a listener looks at its ``channel`` and
    ``reference`` and answers only for its own), ``now``. A listener returns a dict of
    headers (credentials, a signature over the body) or ``None``; the answers are merged into
    the stored headers for this attempt only and never written to the database. A listener
    that finds the request can no longer be sent (its subscription deleted, its LRS no longer
    configured) raises ``lms.core.http_outbox.Undeliverable`` and the request is parked as
    dead with that reason.
    """,
)

session_approvers = _signals.signal(
    "session-approvers",
    doc="""Question: may ``user`` approve enrolment requests for ``course_session``?

    Sender: the database session. Keyword arguments: ``user``, ``course_session``.
    A listener returns ``True`` when its rule says yes; any ``True`` grants.
    """,
)

course_retake_allowed = _signals.signal(
    "course-retake-allowed",
    doc="""Question: may ``user``, who has passed ``course``, enrol in it again on ``today``?

    Sender: the database session. Keyword arguments: ``user``, ``course``, ``today``.
    A listener returns ``True`` when its rule says yes (a recertification is due); any
    ``True`` grants, no answer refuses.
    """,
)

trainee_remit = _signals.signal(
    "trainee-remit",
    doc="""Question: is ``trainee`` within ``viewer``'s remit (may she read his record)?

    Sender: the database session. Keyword arguments: ``viewer``, ``trainee``.
    A listener returns ``True`` when its rule says yes; any ``True`` grants.
    """,
)

trainee_remit_set = _signals.signal(
    "trainee-remit-set",
    doc="""Question: which of ``trainees`` are within ``viewer``'s remit? The set-based form
    of ``trainee_remit`` for a list page, answered in one query for the whole list.

    Sender: the database session. Keyword arguments: ``viewer``, ``trainees`` (users). A
    listener returns the set of ids its rule grants. A feature answering ``trainee_remit``
    answers this one too, with the same rule.
    """,
)

user_history_probe = _signals.signal(
    "user-history-probe",
    doc="""Question: does ``user`` hold history that forbids deleting the account?

    Sender: the database session. Keyword argument: ``user``. A listener returns a short
    reason ("has enrolments") or ``None``.
    """,
)

competency_related = _signals.signal(
    "competency-related",
    doc="""Question: what do you have to show on ``competency``'s page?

    Sender: the database session. Keyword argument: ``competency``. A listener returns a
    ``RelatedBlock`` (a heading and links, for example the courses that develop it) or
    ``None``; the competency page renders every block after its own sections.
    """,
)


trainee_record_related = _signals.signal(
    "trainee-record-related",
    doc="""Question: what do you have to show on ``trainee``'s record page?

    Sender: the database session. Keyword argument: ``trainee`` (the page's permission check
    is done: whoever sees the page may see the block). A listener returns a ``RelatedBlock``
    (for example the trainee's badges) or ``None``; the record page renders every block.
    """,
)


@dataclass(frozen=True)
class RelatedLink:
    """One entry of a ``RelatedBlock``: a link, and a short note shown after it."""

    label: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class RelatedBlock:
    """What a higher feature shows on a lower feature's page, without the lower one knowing it.

    ``empty`` is shown when there are no links; ``name`` identifies the list in the page.
    """

    heading: str
    links: list[RelatedLink] = field(default_factory=list)
    empty: str = ""
    name: str = ""


def values_from_signal(results: list[tuple[Any, Any]]) -> list[Any]:
    """The answers to a question signal, without the receivers that had nothing to say."""
    return [value for _receiver, value in results if value is not None]


def any_listener_agrees(signal: Any, sender: Any, **kwargs: Any) -> bool:
    """True when at least one listener answers ``True`` (fail closed: no listener, no grant)."""
    return any(value is True for value in values_from_signal(signal.send(sender, **kwargs)))
