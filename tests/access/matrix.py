"""The access matrix: for every route of the URL map, what each identity of the world gets.

One line per endpoint (``rule.endpoint``; ``"endpoint METHOD"`` when its methods differ):
``allow(WHO, ...)`` names the identities that get through; every other signed-in identity
gets ``refused`` (403 unless stated: 404 where the code hides another's record), the anonymous
visitor the login page (pages) or a 401 problem (``/api/``), unless ``WHO`` includes her.

* ``status``: a 4xx the allowed identities may get besides a success (2xx, or a redirect that
  is not the login page): the minimal body is refused on its content (422), not on who sent it;
  ``LOGIN`` when the success is the login page (signing out);
* ``writes``: tables a refused request may write (a failed sign-in is counted);
* ``args``: URL arguments for this endpoint only (a name in the world's values, or a literal);
* ``identity=status``: one identity's own refusal, when it differs from ``refused``.

A route added without a line here fails ``test_every_route_has_an_entry``; adding one is a
one-line change. The identities are in ``tests.access.world``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.access.world import IDENTITIES

LOGIN = "login"
FAILED_LOGIN = ("login_attempts", "throttle_keys")

EVERYONE = IDENTITIES
SIGNED_IN = IDENTITIES[1:]
NOBODY: tuple[str, ...] = ()
ADMIN = ("admin",)
EDITORS = ("directorate", "admin")  # the curriculum's and the reports' editors
OWNER = ("trainee",)  # trainee A owns the record
TRAINEES = ("trainee", "trainee_b")
TRAINERS = ("trainer", "trainer_b")
STAFF = ("trainer", "trainer_b", "manager", "manager_b", "directorate", "admin")
# Trainee A's learning record: herself, the assessors (her claim is in the shared queue), the
# manager of the project for her administration, the directorate and the administrator.
RECORD_A = ("trainee", "trainer", "trainer_b", "manager", "directorate", "admin")
# Her enrolment in session A: herself, session A's trainer, the manager of the project that
# session A belongs to, the directorate and the administrator.
ENROLMENT_A = ("trainee", "trainer", "manager", "directorate", "admin")
APPROVERS_A = ("trainer", "manager", "directorate", "admin")
SESSION_A = ("trainer", "directorate", "admin")  # who runs session A
PROJECT_A = ("manager", "admin")  # who may change project A
PORTFOLIO = ("manager", "manager_b", "directorate", "admin")  # who reads every project


@dataclass(frozen=True)
class Expect:
    allowed: tuple[str, ...]
    refused: int = 403
    status: int | str | None = None
    writes: tuple[str, ...] = ()
    args: dict[str, Any] = field(default_factory=dict)
    own: dict[str, int] = field(default_factory=dict)

    def outcome(self, identity: str, api: bool) -> str:
        """``pass`` or the refusal expected for ``identity``."""
        if identity in self.allowed:
            return "pass"
        if identity == "anonymous":
            return "401" if api else LOGIN
        return str(self.own.get(identity, self.refused))


def allow(
    who: tuple[str, ...],
    *,
    refused: int = 403,
    status: int | str | None = None,
    writes: tuple[str, ...] = (),
    args: dict[str, Any] | None = None,
    **own: int,
) -> Expect:
    unknown = set(who) - set(IDENTITIES) or set(own) - set(IDENTITIES)
    assert not unknown, f"no such identity: {unknown}"
    return Expect(tuple(who), refused, status, writes, args or {}, own)


MATRIX: dict[str, Expect] = {
    "admin.audit": allow(ADMIN),
    "admin.create_member": allow(ADMIN),
    "admin.create_user": allow(ADMIN),
    "admin.deactivate_user": allow(ADMIN),
    "admin.delete_user": allow(ADMIN),
    "admin.edit_member": allow(ADMIN),
    "admin.edit_user": allow(ADMIN),
    "admin.http_outbox_page": allow(ADMIN),
    "admin.import_users GET": allow(ADMIN),
    "admin.import_users POST": allow(ADMIN, status=422),
    "admin.invite_user": allow(ADMIN),
    "admin.members": allow(ADMIN),
    "admin.organisation_image": allow(ADMIN),
    "admin.organisation_settings": allow(ADMIN),
    "admin.outbox": allow(ADMIN),
    "admin.reactivate_user": allow(ADMIN),
    "admin.reset_two_factor GET": allow(ADMIN),
    "admin.reset_two_factor POST": allow(ADMIN),
    "admin.retry_http_request": allow(ADMIN),
    "admin.user_detail": allow(ADMIN),
    "admin.users": allow(ADMIN),
    "admin.users_import_template": allow(ADMIN),
    "api.badge_award": allow(RECORD_A),
    "api.badge_awards": allow(SIGNED_IN),
    "api.certificates": allow(SIGNED_IN),
    "api.competencies": allow(SIGNED_IN),
    "api.course": allow(SIGNED_IN),
    "api.course_list": allow(SIGNED_IN),
    "api.create_course": allow(EDITORS, status=422),
    "api.create_session": allow(EDITORS, status=422),
    # Needs the password (Basic): a Bearer token is refused, and counted as a failed attempt.
    "api.create_token": allow(NOBODY, refused=401, writes=FAILED_LOGIN),
    "api.create_webhook": allow(ADMIN, status=422),
    "api.disable_webhook": allow(ADMIN),
    "api.docs_asset": allow(EVERYONE, args={"name": "swagger-ui.css"}),
    "api.enrol": allow(TRAINEES, status=422),
    "api.enrolment": allow(ENROLMENT_A),
    "api.frameworks": allow(SIGNED_IN),
    "api.indicators": allow(PORTFOLIO),
    "api.join_track": allow(SIGNED_IN, status=422),
    "api.me": allow(SIGNED_IN),
    "api.members": allow(SIGNED_IN),
    "api.milestones": allow(PORTFOLIO),
    "api.post_xapi_statements": allow(EDITORS, status=400),
    "api.project": allow(PORTFOLIO),
    "api.project_iati": allow(PORTFOLIO),
    "api.projects": allow(SIGNED_IN),
    "api.projects_iati": allow(PORTFOLIO),
    "api.session": allow(SIGNED_IN),
    "api.session_enrolments": allow(SESSION_A),
    "api.sessions": allow(SIGNED_IN),
    "api.statistics": allow(EDITORS),
    "api.track_enrolments": allow(SIGNED_IN),
    "api.track_progress": allow(RECORD_A),
    "api.tracks": allow(SIGNED_IN),
    "api.update_enrolment": allow(ENROLMENT_A),
    "api.user": allow(RECORD_A),
    "api.user_competencies": allow(RECORD_A),
    "api.users": allow(EDITORS),
    "api.webhook": allow(ADMIN),
    "api.webhooks": allow(ADMIN),
    "api_tokens.index": allow(SIGNED_IN),
    "api_tokens.revoke": allow(OWNER, refused=404),
    "auth.change_password": allow(SIGNED_IN),
    "auth.edit_profile": allow(SIGNED_IN),
    "auth.login": allow(EVERYONE),
    "auth.logout": allow(SIGNED_IN, status=LOGIN),  # signed out: back to the login page
    "auth.request_reset": allow(EVERYONE),
    "auth.set_password": allow(EVERYONE),
    "auth.switch_language": allow(EVERYONE, status=400),
    "two_factor.disable": allow(SIGNED_IN),
    "two_factor.qr": allow(SIGNED_IN),
    "two_factor.recovery_codes": allow(SIGNED_IN),
    "two_factor.setup GET": allow(SIGNED_IN),
    "two_factor.setup POST": allow(SIGNED_IN),
    # The code step without a pending password step: back to the login page, for anyone.
    "two_factor.verify GET": allow(EVERYONE, status=LOGIN),
    "two_factor.verify POST": allow(EVERYONE, status=LOGIN),
    "badges.assertion": allow(EVERYONE),
    "badges.badge_class": allow(EVERYONE),
    "badges.baked": allow(EVERYONE),
    "badges.class_image": allow(EVERYONE),
    "badges.credential": allow(EVERYONE),
    "badges.issuer": allow(EVERYONE),
    "badges.issuer_key": allow(EVERYONE),
    "badges.issuer_pem": allow(EVERYONE),
    "badges.issuer_v3": allow(EVERYONE),
    "badges.jwks": allow(EVERYONE),
    "badges.mine": allow(SIGNED_IN),
    "badges.revocations": allow(EVERYONE),
    "badges.status_list": allow(EVERYONE),
    "bootstrap.static": allow(EVERYONE, args={"filename": "css/bootstrap.min.css"}),
    "calendar.create": allow(SIGNED_IN),
    "calendar.feed": allow(EVERYONE, args={"token": "calendar_token"}),  # the secret is the key
    "calendar.manage": allow(SIGNED_IN),
    "calendar.reset": allow(SIGNED_IN),
    "calendar.revoke": allow(SIGNED_IN),
    "calendar.session_event": allow(SIGNED_IN),
    "course_corrections.correct": allow(("trainer", "admin")),
    "courses.approve": allow(APPROVERS_A),
    "courses.attendance": allow(SESSION_A),
    "courses.catalogue": allow(SIGNED_IN),
    "courses.course_detail": allow(SIGNED_IN),
    "courses.create_course": allow(EDITORS),
    "courses.create_session": allow(EDITORS),
    "courses.edit_course": allow(EDITORS),
    "courses.edit_session": allow(EDITORS),
    "courses.enrol": allow(TRAINEES),
    "courses.enrolments_import_template": allow(SESSION_A),
    "courses.import_enrolments GET": allow(SESSION_A),
    "courses.import_enrolments POST": allow(SESSION_A, status=422),
    "courses.my_sessions": allow(TRAINERS),
    "courses.record_result": allow(SESSION_A),
    "courses.reject": allow(APPROVERS_A),
    "courses.roster_csv": allow(SESSION_A),
    "courses.session_detail": allow(SIGNED_IN),
    "courses.sign_in_sheet": allow(SESSION_A),
    "courses.upload_results": allow(SESSION_A),
    "courses.withdraw": allow(("trainee", "trainer", "directorate", "admin")),
    "favicon": allow(EVERYONE),
    "frameworks.archive": allow(EDITORS),
    "frameworks.competency": allow(SIGNED_IN),
    "frameworks.create_competency": allow(EDITORS),
    "frameworks.create_framework": allow(EDITORS),
    "frameworks.create_scale": allow(EDITORS),
    "frameworks.create_track": allow(EDITORS),
    "frameworks.delete_competency": allow(EDITORS),
    "frameworks.delete_framework": allow(EDITORS),
    "frameworks.detail": allow(SIGNED_IN),
    "frameworks.edit_competency": allow(EDITORS),
    "frameworks.edit_framework": allow(EDITORS),
    "frameworks.edit_track": allow(EDITORS),
    "frameworks.export_case": allow(SIGNED_IN),
    "frameworks.export_csv": allow(SIGNED_IN),
    "frameworks.import_commit": allow(EDITORS),
    "frameworks.import_discard": allow(EDITORS),
    "frameworks.import_preview": allow(EDITORS),
    "frameworks.import_upload": allow(EDITORS),
    "frameworks.index": allow(SIGNED_IN),
    "frameworks.move_track": allow(EDITORS),
    "frameworks.new_version": allow(EDITORS),
    "frameworks.publish": allow(EDITORS),
    "frameworks.scales": allow(SIGNED_IN),
    "frameworks.shift_competency": allow(EDITORS),
    "frameworks.track": allow(SIGNED_IN),
    "frameworks.track_targets": allow(EDITORS),
    "frameworks.tracks": allow(SIGNED_IN),
    "main.healthz": allow(EVERYONE),
    "main.index": allow(SIGNED_IN),
    "notifications.index": allow(SIGNED_IN),
    "notifications.mark_all_read": allow(SIGNED_IN),
    "notifications.mark_read": allow(OWNER, refused=404),
    "notifications.preferences": allow(SIGNED_IN),
    "notifications.retry_email": allow(ADMIN),
    "openapi.docs": allow(EVERYONE),
    "openapi.spec": allow(EVERYONE),
    "progress.certification_policy": allow(EDITORS),
    "progress.competency": allow(RECORD_A),
    "progress.dashboard": allow(TRAINEES),
    "progress.decide_claim": allow(TRAINERS),
    "progress.evidence_file": allow(RECORD_A),
    "progress.gaps": allow(RECORD_A),
    "progress.intake_detail": allow(EDITORS),
    "progress.intakes": allow(EDITORS),
    "progress.join_track": allow(TRAINEES),
    "progress.profile": allow(RECORD_A),
    "progress.queue": allow(TRAINERS),
    "progress.trainees": allow(STAFF),
    "progress_corrections.claim": allow(RECORD_A),
    "progress_corrections.correct_rating": allow(("trainer", "admin")),
    "project_corrections.correct_actual": allow(ADMIN),
    "projects.add_activity": allow(PROJECT_A),
    "projects.add_indicator": allow(PROJECT_A),
    "projects.add_logframe_element": allow(PROJECT_A),
    "projects.add_milestone": allow(PROJECT_A),
    "projects.add_partner": allow(PROJECT_A),
    "projects.add_phase": allow(PROJECT_A),
    "projects.add_update": allow(PROJECT_A),
    "projects.beneficiaries": allow(EDITORS),
    "projects.budget": allow(PROJECT_A),
    "projects.create": allow(("manager", "manager_b", "admin")),
    "projects.detail": allow(PORTFOLIO),
    "projects.edit": allow(PROJECT_A),
    "projects.edit_indicator": allow(PROJECT_A),
    "projects.edit_logframe_element": allow(PROJECT_A),
    "projects.edit_milestone": allow(PROJECT_A),
    "projects.edit_phase": allow(PROJECT_A),
    "projects.indicator GET": allow(PORTFOLIO),
    "projects.indicator POST": allow(PROJECT_A),
    "projects.link_session": allow(PROJECT_A),
    "projects.override_rating": allow(PROJECT_A),
    "projects.portfolio": allow(PORTFOLIO),
    "projects.portfolio_iati": allow(PORTFOLIO),
    "projects.project_iati": allow(PORTFOLIO),
    "projects.remove_partner": allow(PROJECT_A),
    "projects.replan_milestone": allow(PROJECT_A),
    "projects.report_actual": allow(PROJECT_A),
    "projects.save_risk GET": allow(PROJECT_A),
    "projects.save_risk POST": allow(PROJECT_A),
    "projects.training_actual": allow(PROJECT_A),
    "projects.unlink_session": allow(PROJECT_A),
    "projects.withdraw_override": allow(PROJECT_A),
    "reports.certificate": allow(RECORD_A),
    "reports.certificate_bundle": allow(ADMIN),
    "reports.delete_schedule": allow(EDITORS),
    "reports.download": allow(EDITORS),
    "reports.edit_schedule": allow(EDITORS),
    "reports.generate": allow(SIGNED_IN, status=400),
    "reports.index": allow(SIGNED_IN),
    "reports.mine": allow(SIGNED_IN),
    "reports.new_schedule": allow(EDITORS),
    "reports.project": allow(PORTFOLIO),
    "reports.run": allow(EDITORS),
    "reports.schedules": allow(EDITORS),
    "reports.statistics": allow(EDITORS),
    "reports.trainee": allow(RECORD_A),
    "reports.trainees": allow(STAFF),
    "reports.verify": allow(EVERYONE),
    "scheduler.job_detail": allow(ADMIN),
    "scheduler.jobs": allow(ADMIN),
    "scheduler.pause": allow(ADMIN),
    "scheduler.resume": allow(ADMIN),
    "scheduler.run_now": allow(ADMIN),
    "scheduler.runs": allow(ADMIN),
    "static": allow(EVERYONE),
    "webhooks.create": allow(ADMIN),
    "webhooks.disable": allow(ADMIN),
    "webhooks.edit": allow(ADMIN),
    "webhooks.index": allow(ADMIN),
    "webhooks.ping": allow(ADMIN),
    "webhooks.rotate": allow(ADMIN),
}
