"""Admin pages. Thin: parse the form, call the accounts services, commit, render."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.accounts import exports as account_exports
from lms.accounts import imports as user_imports
from lms.accounts import members as member_services
from lms.accounts import queries, services, two_factor
from lms.accounts.forms import ConfirmForm, MemberForm, UserForm
from lms.accounts.models import MemberAdministration, Region, Role, User
from lms.admin import exports
from lms.admin import services as admin_services
from lms.admin.forms import OrganisationForm, ResetTwoFactorForm, UsersImportForm
from lms.core import http_outbox
from lms.core.csv_export import csv_response, wants_csv
from lms.core.csv_import import RowErrors
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.mail import deliver_outbox_now
from lms.core.models import OutboundRequest, OutboundStatus, OutboxStatus
from lms.core.pagination import paginate
from lms.core.permissions import role_required
from lms.core.ratelimit import export_limited
from lms.reports import organisation

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _member_choices() -> list[tuple[str, str]]:
    return [("", _("— none —"))] + [
        (str(m.id), f"{m.name} ({m.country_code})" + ("" if m.is_active else " · inactive"))
        for m in queries.all_members(db.session)
    ]


def _invitation_link(token: str) -> str:
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    return base + url_for("auth.set_password", token=token)


def _invitation_lifetime() -> timedelta:
    return timedelta(days=current_app.config["LMS_INVITATION_DAYS"])


def _user_values(form: UserForm) -> dict:
    return {
        "email": form.email.data,
        "full_name": form.full_name.data,
        "roles": form.roles.data,
        "member_administration_id": form.member_administration_id.data,
        "preferred_language": form.preferred_language.data,
        "sex": form.sex.data or None,
    }


def _member_values(form: MemberForm) -> dict:
    return {
        "name": form.name.data,
        "country_code": form.country_code.data,
        "region": form.region.data,
        "focal_point_name": form.focal_point_name.data or "",
        "focal_point_email": form.focal_point_email.data or "",
        "is_active": form.is_active.data,
    }


# Users -------------------------------------------------------------------------------------


@bp.route("/users")
@role_required(Role.ADMIN)
@export_limited
def users():
    filters = queries.UserFilters.from_args(request.args)
    if wants_csv():
        return csv_response(
            "users", *account_exports.users_table(db.session, queries.users_query(filters))
        )
    return render_template(
        "admin/users.html",
        page=paginate(queries.users_query(filters)),
        q=filters.q,
        role=filters.role,
        member_id=filters.member_id,
        status=filters.status,
        roles=list(Role),
        members=_member_choices()[1:],
    )


def _create_and_invite(form: UserForm) -> User:
    user = services.create_user(db.session, actor=current_user, **_user_values(form))
    if form.send_invitation.data:
        services.send_invitation(
            db.session,
            user,
            actor=current_user,
            link_for=_invitation_link,
            lifetime=_invitation_lifetime(),
        )
    return user


@bp.route("/users/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_users():
    """Create users from a CSV file, all or nothing; refused rows are listed with their
    column and the service's message, and nothing is written."""
    form = UsersImportForm()
    row_errors = []
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: user_imports.import_users(
                db.session,
                form.file.data.read(user_imports.MAX_BYTES + 1),
                actor=current_user,
                invite=form.send_invitation.data,
                link_for=_invitation_link,
                lifetime=_invitation_lifetime(),
            ),
            form=form,
            after_commit=lambda _result: deliver_outbox_now(),
            success=lambda result: ngettext(
                "%(num)s user imported.", "%(num)s users imported.", len(result.created)
            ),
            redirect_to=url_for("admin.users", status="all"),
        )
        if outcome.response:
            return outcome.response
        if isinstance(outcome.error, RowErrors):
            row_errors = outcome.error.errors
    status = 422 if form.errors or row_errors else 200
    return render_template(
        "admin/users_import.html",
        form=form,
        row_errors=row_errors,
        columns=user_imports.column_help(),
        max_rows=user_imports.MAX_ROWS,
    ), status


@bp.route("/users/import/template.csv")
@role_required(Role.ADMIN)
def users_import_template():
    header, rows = user_imports.template_csv_rows()
    return csv_response("users-import-template", header, rows, personal=False)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user():
    form = UserForm()
    form.member_administration_id.choices = _member_choices()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: _create_and_invite(form),
            form=form,
            after_commit=lambda _user: deliver_outbox_now(),
            success=lambda user: _("User %(email)s created.", email=user.email),
            redirect_to=lambda user: url_for("admin.user_detail", user_id=user.id),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/user_form.html", form=form, user=None)


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>")
@role_required(Role.ADMIN)
def user_detail(user_id: int):
    user = _get_user(user_id)
    entries, total = admin_services.user_audit_trail(db.session, user)
    return render_template(
        "admin/user_detail.html",
        user=user,
        entries=entries,
        entries_total=total,
        confirm=ConfirmForm(),
        history=services.history_reason(db.session, user),
        second_factor_on=two_factor.is_enabled(db.session, user),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = _get_user(user_id)
    form = UserForm(obj=user)
    del form.send_invitation  # only offered when the account is created
    form.member_administration_id.choices = _member_choices()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.member_administration_id.data = user.member_administration_id
        form.sex.data = user.sex.value if user.sex else ""
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: services.update_user(
                db.session, user, actor=current_user, **_user_values(form)
            ),
            form=form,
            success=lambda _result: _("Changes to %(email)s saved.", email=user.email),
            redirect_to=url_for("admin.user_detail", user_id=user.id),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/user_form.html", form=form, user=user)


def _confirmed_action(user_id: int, action, message: str):
    user = _get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: action(user),
        after_commit=lambda _result: deliver_outbox_now(),
        success=lambda _result: message % {"email": user.email},
    )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    return _confirmed_action(
        user_id,
        lambda u: services.deactivate_user(db.session, u, actor=current_user),
        _("%(email)s is deactivated and signed out everywhere."),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate_user(user_id: int):
    return _confirmed_action(
        user_id,
        lambda u: services.reactivate_user(db.session, u, actor=current_user),
        _("%(email)s is active again."),
    )


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@role_required(Role.ADMIN)
def invite_user(user_id: int):
    return _confirmed_action(
        user_id,
        lambda u: services.send_invitation(
            db.session,
            u,
            actor=current_user,
            link_for=_invitation_link,
            lifetime=_invitation_lifetime(),
        ),
        _("A new invitation was sent to %(email)s."),
    )


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete_user(user_id: int):
    user = _get_user(user_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        email = user.email
        outcome = commit_or_report(
            lambda: services.delete_user(db.session, user, actor=current_user),
            success=_("%(email)s was deleted.", email=email),
            redirect_to=url_for("admin.users"),
        )
        return outcome.response or redirect(url_for("admin.user_detail", user_id=user_id))
    reason = services.history_reason(db.session, user)
    return render_template("admin/user_delete.html", user=user, form=form, reason=reason)


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    """The confirmation page (with the reason) and the reset itself, audited."""
    user = _get_user(user_id)
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: two_factor.reset(db.session, user, actor=current_user, reason=form.reason.data),
            form=form,
            after_commit=lambda _result: deliver_outbox_now(),
            success=_("The second factor of %(email)s is reset; they are told by email.")
            % {"email": user.email},
            redirect_to=url_for("admin.user_detail", user_id=user.id),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/user_two_factor_reset.html", user=user, form=form)


# Member administrations ----------------------------------------------------------------------


@bp.route("/members")
@role_required(Role.ADMIN)
@export_limited
def members():
    filters = queries.MemberFilters.from_args(request.args)
    if wants_csv():
        return csv_response(
            "member-administrations",
            *account_exports.members_table(db.session, queries.members_query(filters)),
        )
    page = paginate(queries.members_query(filters))
    return render_template(
        "admin/members.html",
        page=page,
        q=filters.q,
        region=filters.region,
        status=filters.status,
        regions=list(Region),
        counts=queries.member_user_counts(db.session, [m.id for m in page.items]),
    )


@bp.route("/members/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_member():
    form = MemberForm()
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: member_services.create_member(
                db.session, actor=current_user, **_member_values(form)
            ),
            form=form,
            success=lambda member: _("%(name)s added.", name=member.name),
            redirect_to=url_for("admin.members"),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/member_form.html", form=form, member=None)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_member(member_id: int):
    member = db.session.get(MemberAdministration, member_id)
    if member is None:
        abort(404)
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.region.data = member.region.value
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: member_services.update_member(
                db.session, member, actor=current_user, **_member_values(form)
            ),
            form=form,
            success=lambda _result: _("Changes to %(name)s saved.", name=member.name),
            redirect_to=url_for("admin.members"),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/member_form.html", form=form, member=member)


# Audit log and outbox -------------------------------------------------------------------------


@bp.route("/audit")
@role_required(Role.ADMIN)
@export_limited
def audit():
    filters = admin_services.AuditFilters.from_args(request.args)
    if wants_csv():
        return csv_response(
            "audit-log", *exports.audit_table(db.session, admin_services.audit_query(filters))
        )
    return render_template(
        "admin/audit.html",
        page=paginate(admin_services.audit_query(filters), per_page=50),
        action=filters.action,
        entity_type=filters.entity_type,
        actor=filters.actor,
        entity_types=admin_services.audit_entity_types(db.session),
    )


@bp.route("/outbox")
@role_required(Role.ADMIN)
@export_limited
def outbox():
    status = request.args.get("status", "")
    if wants_csv():
        return csv_response(
            "outbox", *exports.outbox_table(db.session, admin_services.outbox_query(status))
        )
    return render_template(
        "admin/outbox.html",
        page=paginate(admin_services.outbox_query(status)),
        status=status,
        counts=admin_services.outbox_counts(db.session),
        statuses=list(OutboxStatus),
    )


@bp.route("/http-outbox")
@role_required(Role.ADMIN)
@export_limited
def http_outbox_page():
    status = request.args.get("status", "")
    if wants_csv():
        return csv_response(
            "http-outbox",
            *exports.http_outbox_table(db.session, admin_services.http_outbox_query(status)),
        )
    return render_template(
        "admin/http_outbox.html",
        page=paginate(admin_services.http_outbox_query(status)),
        status=status,
        counts=admin_services.http_outbox_counts(db.session),
        statuses=list(OutboundStatus),
    )


@bp.route("/http-outbox/<int:request_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry_http_request(request_id: int):
    """Queue a dead or waiting request for the next run of ``http_outbox.deliver``."""
    outbound = db.session.get(OutboundRequest, request_id)
    if outbound is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_report(
        lambda: http_outbox.retry_now(db.session, outbound, actor=current_user),
        success=_(
            "The request to %(url)s is queued again; the job sends it within a minute.",
            url=outbound.url,
        ),
    )
    return redirect(url_for("admin.http_outbox_page", status=request.args.get("status", "")))


# Organisation settings (what certificates print) -------------------------------------------


def _save_organisation(form: OrganisationForm):
    return organisation.update(
        db.session,
        actor=current_user,
        name=form.name.data,
        signatory_name=form.signatory_name.data,
        signatory_title=form.signatory_title.data,
        logo=organisation.read_image(form.logo.data, "logo"),
        signature=organisation.read_image(form.signature.data, "signature"),
        remove_logo=form.remove_logo.data,
        remove_signature=form.remove_signature.data,
    )


@bp.route("/organisation", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisation_settings():
    settings = organisation.current(db.session) or organisation.blank()
    # The text fields only: the stored images are bytes, not uploads.
    form = OrganisationForm(data={f: getattr(settings, f) for f in organisation.TEXT_FIELDS})
    if form.validate_on_submit():
        outcome = commit_or_report(
            lambda: _save_organisation(form),
            form=form,
            success=_("Organisation settings saved."),
            redirect_to=url_for("admin.organisation_settings"),
        )
        if outcome.response:
            return outcome.response
    return render_template("admin/organisation.html", form=form, settings=settings)


@bp.route("/organisation/<any(logo, signature):image>")
@role_required(Role.ADMIN)
def organisation_image(image: str):
    content = organisation.image(db.session, image)
    if content is None:
        abort(404)
    return current_app.response_class(content, mimetype=organisation.image_mime_type(content))
