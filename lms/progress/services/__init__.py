"""Competency evidence and ratings, self-assessments, prior learning, review requests, track
enrolment and progress, certificates and gap analysis, by sub-area:

- ``ratings``: the "latest rating wins" read model (``ratings_as_of``), rating, roll-ups,
  self-assessments, claims and review requests;
- ``tracks``: track enrolment and intakes, track progress (``progress_for_tracks``) and
  completion (the ``session_result_recorded`` listener);
- ``certificates``: issuing, renewing, ``certificate_status`` on a date, the track policy;
- ``gaps``: gap analysis;
- ``evidence_files``: uploaded evidence files, checked by content and kept under random names;
- ``summaries``: the stored progress summary per trainee and track (``TrackProgressSummary``):
  ``track_progress_summaries`` reads a page of them, ``refresh_summaries`` keeps them current,
  ``rebuild_track_summaries`` recomputes them all;
- ``records``: a trainee's record (``trainee_record``), one competency's record, the trainee
  search (``trainees_query``).

Plain functions over a SQLAlchemy session; the caller commits. The public names are
re-exported here for pages, reports, jobs and the API: ``lms.progress.services.X``.
"""

from __future__ import annotations

from lms.progress.models import RatingSource
from lms.progress.permissions import can_rate, can_view_trainee, is_own_record, trainees_in_remit
from lms.progress.services.certificates import (
    CertificateState,
    certificate_counts,
    certificate_status,
    certificates_expiring,
    certificates_for,
    certification_policy,
    issue_certificate,
    recertification_done,
    set_certification_policy,
)
from lms.progress.services.evidence_files import (
    EvidenceStore,
    attach_evidence_file,
    download_name,
    evidence_files,
    evidence_path,
    mime_type,
    readable_size,
    store_evidence_file,
)
from lms.progress.services.gaps import Gap, gap_analysis
from lms.progress.services.ratings import (
    add_self_assessment,
    apply_course_pass,
    apply_external_pass,
    assessment_queue,
    carry_over_ratings,
    claim_prior_learning,
    latest_ratings,
    latest_ratings_for_users,
    latest_self_assessments,
    open_review_requests_query,
    pending_claims_query,
    rate_competency,
    ratings_as_of,
    request_review,
    review_claim,
)
from lms.progress.services.records import (
    TraineeRecord,
    competency_profile,
    competency_record,
    rating_history,
    trainee_record,
    trainees_query,
)
from lms.progress.services.summaries import (
    GapLine,
    TrackTotals,
    compute_summaries,
    gap_lines,
    rebuild_track_summaries,
    refresh_summaries,
    refresh_user_summaries,
    track_progress_summaries,
    track_summary_totals,
)
from lms.progress.services.tracks import (
    CourseRequirement,
    TargetStatus,
    TrackProgress,
    add_to_intake,
    check_entry_requirements,
    create_intake,
    enrol_in_track,
    enrolled_tracks,
    has_completed_track,
    intake_enrolment_counts,
    intake_enrolments,
    intake_form_options,
    intakes_query,
    on_external_completion_recorded,
    on_session_result_recorded,
    open_tracks,
    progress_for_tracks,
    track_progress,
    update_track_completion,
    withdraw_from_track,
)

__all__ = [
    "CertificateState",
    "CourseRequirement",
    "EvidenceStore",
    "Gap",
    "GapLine",
    "RatingSource",
    "TargetStatus",
    "TrackProgress",
    "TrackTotals",
    "TraineeRecord",
    "add_self_assessment",
    "add_to_intake",
    "apply_course_pass",
    "apply_external_pass",
    "assessment_queue",
    "attach_evidence_file",
    "can_rate",
    "can_view_trainee",
    "carry_over_ratings",
    "certificate_counts",
    "certificate_status",
    "certificates_expiring",
    "certificates_for",
    "certification_policy",
    "check_entry_requirements",
    "claim_prior_learning",
    "competency_profile",
    "competency_record",
    "compute_summaries",
    "create_intake",
    "download_name",
    "enrol_in_track",
    "enrolled_tracks",
    "evidence_files",
    "evidence_path",
    "gap_analysis",
    "gap_lines",
    "has_completed_track",
    "intake_enrolment_counts",
    "intake_enrolments",
    "intake_form_options",
    "intakes_query",
    "is_own_record",
    "issue_certificate",
    "latest_ratings",
    "latest_ratings_for_users",
    "latest_self_assessments",
    "mime_type",
    "on_external_completion_recorded",
    "on_session_result_recorded",
    "open_review_requests_query",
    "open_tracks",
    "pending_claims_query",
    "progress_for_tracks",
    "rate_competency",
    "rating_history",
    "ratings_as_of",
    "readable_size",
    "rebuild_track_summaries",
    "recertification_done",
    "refresh_summaries",
    "refresh_user_summaries",
    "request_review",
    "review_claim",
    "set_certification_policy",
    "store_evidence_file",
    "track_progress",
    "track_progress_summaries",
    "track_summary_totals",
    "trainee_record",
    "trainees_in_remit",
    "trainees_query",
    "update_track_completion",
    "withdraw_from_track",
]
