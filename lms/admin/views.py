"""Admin pages. Thin: parse the form, call the accounts services, commit, render."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services
from lms.accounts.forms import ConfirmForm, MemberForm, UserForm
from lms.accounts.models import MemberAdministration, Region, Role, User, UserRole
from lms.core.errors import DomainError, commit_or_report, flash_error
from lms.core.extensions import db
from lms.core.mail import deliver_outbox_now
from lms.core.models import AuditEntry, OutboxMessage, OutboxStatus
from lms.core.pagination import paginate
from lms.core.permissions import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _member_choices() -> list[tuple[str, str]]:
    members = db.session.scalars(
        sa.select(MemberAdministration).order_by(MemberAdministration.name)
    ).all()
    return [("", _("— none —"))] + [
        (str(m.id), f"{m.name} ({m.country_code})" + ("" if m.is_active else " · inactive"))
        for m in members
    ]


def _invitation_link(token: str) -> str:
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    return base + url_for("auth.set_password", token=token)


def _invitation_lifetime() -> timedelta:
    return timedelta(days=current_app.config["LMS_INVITATION_DAYS"])


# Users -------------------------------------------------------------------------------------


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    member_id = request.args.get("member", type=int)
    status = request.args.get("status", "active")
    stmt = sa.select(User).options(sa.orm.joinedload(User.member_administration))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(User.email.like(like), sa.func.lower(User.full_name).like(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if member_id:
        stmt = stmt.where(User.member_administration_id == member_id)
    if status == "active":
        stmt = stmt.where(User.is_active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.is_active.is_(False))
    page = paginate(stmt.order_by(User.full_name, User.id))
    return render_template(
        "admin/users.html",
        page=page,
        q=q,
        role=role,
        member_id=member_id,
        status=status,
        roles=list(Role),
        members=_member_choices()[1:],
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user():
    form = UserForm()
    form.member_administration_id.choices = _member_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                actor=current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                roles=form.roles.data,
                member_administration_id=form.member_administration_id.data,
                preferred_language=form.preferred_language.data,
            )
            if form.send_invitation.data:
                services.send_invitation(
                    db.session,
                    user,
                    actor=current_user,
                    link_for=_invitation_link,
                    lifetime=_invitation_lifetime(),
                )
        except DomainError as error:
            db.session.rollback()
            flash_error(error, form)
        else:
            db.session.commit()
            deliver_outbox_now()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
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
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(AuditEntry.entity_type == "User", AuditEntry.entity_id == str(user.id)),
                AuditEntry.actor_id == user.id,
            )
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "admin/user_detail.html",
        user=user,
        entries=entries,
        confirm=ConfirmForm(),
        history=services.history_reason(db.session, user),
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
    if form.validate_on_submit():
        ok, _result = commit_or_report(
            lambda: services.update_user(
                db.session,
                user,
                actor=current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                roles=form.roles.data,
                member_administration_id=form.member_administration_id.data,
                preferred_language=form.preferred_language.data,
            ),
            form=form,
            success=lambda _result: _("Changes to %(email)s saved.", email=user.email),
        )
        if ok:
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


def _confirmed_action(user_id: int, action, message: str):
    user = _get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, _result = commit_or_report(lambda: action(user))
    if ok:
        deliver_outbox_now()
        flash(message % {"email": user.email}, "success")
    return user


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    user = _confirmed_action(
        user_id,
        lambda u: services.deactivate_user(db.session, u, actor=current_user),
        _("%(email)s is deactivated and signed out everywhere."),
    )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate_user(user_id: int):
    user = _confirmed_action(
        user_id,
        lambda u: services.reactivate_user(db.session, u, actor=current_user),
        _("%(email)s is active again."),
    )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@role_required(Role.ADMIN)
def invite_user(user_id: int):
    user = _confirmed_action(
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
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete_user(user_id: int):
    user = _get_user(user_id)
    form = ConfirmForm()
    reason = services.history_reason(db.session, user)
    if request.method == "POST" and form.validate_on_submit():
        email = user.email
        try:
            services.delete_user(db.session, user, actor=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("admin.user_detail", user_id=user_id))
        flash(_("%(email)s was deleted.", email=email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_delete.html", user=user, form=form, reason=reason)


# Member administrations ----------------------------------------------------------------------


@bp.route("/members")
@role_required(Role.ADMIN)
def members():
    q = request.args.get("q", "").strip()
    region = request.args.get("region", "")
    status = request.args.get("status", "")
    stmt = sa.select(MemberAdministration)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(MemberAdministration.name).like(like),
                sa.func.lower(MemberAdministration.country_code).like(like),
            )
        )
    if region in {r.value for r in Region}:
        stmt = stmt.where(MemberAdministration.region == region)
    if status == "active":
        stmt = stmt.where(MemberAdministration.is_active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(MemberAdministration.is_active.is_(False))
    page = paginate(stmt.order_by(MemberAdministration.name))
    ids = [m.id for m in page.items]
    counts = (
        dict(
            db.session.execute(
                sa.select(User.member_administration_id, sa.func.count(User.id))
                .where(User.member_administration_id.in_(ids))
                .group_by(User.member_administration_id)
            ).all()
        )
        if ids
        else {}
    )
    return render_template(
        "admin/members.html",
        page=page,
        q=q,
        region=region,
        status=status,
        regions=list(Region),
        counts=counts,
    )


@bp.route("/members/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_member():
    form = MemberForm()
    if form.validate_on_submit():
        ok, _member = commit_or_report(
            lambda: services.create_member(
                db.session,
                actor=current_user,
                name=form.name.data,
                country_code=form.country_code.data,
                region=form.region.data,
                focal_point_name=form.focal_point_name.data,
                focal_point_email=form.focal_point_email.data or "",
                is_active=form.is_active.data,
            ),
            form=form,
            success=lambda member: _("%(name)s added.", name=member.name),
        )
        if ok:
            return redirect(url_for("admin.members"))
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
        ok, _result = commit_or_report(
            lambda: services.update_member(
                db.session,
                member,
                actor=current_user,
                name=form.name.data,
                country_code=form.country_code.data,
                region=form.region.data,
                focal_point_name=form.focal_point_name.data or "",
                focal_point_email=form.focal_point_email.data or "",
                is_active=form.is_active.data,
            ),
            form=form,
            success=lambda _result: _("Changes to %(name)s saved.", name=member.name),
        )
        if ok:
            return redirect(url_for("admin.members"))
    return render_template("admin/member_form.html", form=form, member=member)


# Audit log and outbox -------------------------------------------------------------------------


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit():
    action = request.args.get("action", "").strip()
    entity_type = request.args.get("entity_type", "").strip()
    actor = request.args.get("actor", "").strip().lower()
    stmt = sa.select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.like(f"{action}%"))
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if actor:
        stmt = stmt.where(
            AuditEntry.actor_id.in_(sa.select(User.id).where(User.email.like(f"%{actor}%")))
        )
    page = paginate(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=50)
    entity_types = db.session.scalars(
        sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
    ).all()
    return render_template(
        "admin/audit.html",
        page=page,
        action=action,
        entity_type=entity_type,
        actor=actor,
        entity_types=entity_types,
    )


@bp.route("/outbox")
@role_required(Role.ADMIN)
def outbox():
    status = request.args.get("status", "")
    stmt = sa.select(OutboxMessage)
    if status in {s.value for s in OutboxStatus}:
        stmt = stmt.where(OutboxMessage.status == status)
    page = paginate(stmt.order_by(OutboxMessage.id.desc()))
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "admin/outbox.html", page=page, status=status, counts=counts, statuses=list(OutboxStatus)
    )
