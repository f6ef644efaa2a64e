"""Competency pages: one competency, its editor, reordering and deleting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import login_required, require_edit, require_view, role_required
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.forms import CompetencyForm, competency_form_for
from lms.frameworks.models import Competency, Framework
from lms.frameworks.permissions import EDITORS, can_view_framework
from lms.frameworks.views.common import bp, confirmed, editor, parent_choices, refuse_frozen


def _form(fw: Framework, c: Competency | None) -> CompetencyForm:
    """The editor for ``c`` (``None``: a new one, under ``?parent=``), with the hierarchy to
    choose a parent from."""
    form = competency_form_for(fw.scale, obj=c)
    form.parent_id.choices = parent_choices(fw, exclude=c)
    if request.method == "GET" and c is not None:
        form.fill(c, [r.code for r in services.related_competencies(db.session, c)])
    elif request.method == "GET":
        form.parent_id.data = request.args.get("parent", type=int)
    return form


@bp.route("/competencies/<int:competency_id>")
@login_required
def competency(competency_id: int):
    c = require_view(db.session.get(Competency, competency_id))
    successor = services.successor_of(db.session, c)
    return render_template(
        "frameworks/competency.html",
        competency=c,
        framework=c.framework,
        ancestors=services.ancestors_of(c),
        related=services.related_competencies(db.session, c),
        targets=[
            t
            for t in track_services.tracks_targeting(db.session, c)
            if editor() or t.track.is_active
        ],
        mapped_from=services.mapped_from(db.session, c),
        successor=successor
        if successor is not None and can_view_framework(current_user, successor.framework)
        else None,
        blocks=services.related_blocks(db.session, c),
        confirm=ConfirmForm(),
        editor=editor(),
    )


@bp.route("/frameworks/<int:framework_id>/competencies/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_competency(framework_id: int):
    fw = require_edit(db.session.get(Framework, framework_id))
    if fw.is_frozen:
        return refuse_frozen(
            _("This version is frozen; create a new version."),
            url_for("frameworks.detail", framework_id=fw.id),
        )
    form = _form(fw, None)
    if form.validate_on_submit():
        ok, c = commit_or_report(
            lambda: services.save_competency(
                db.session, fw, None, actor=current_user, **form.values()
            ),
            form=form,
        )
        if ok:
            flash(_("Competency %(code)s added.", code=c.code), "success")
            return redirect(url_for("frameworks.detail", framework_id=fw.id, _anchor=f"c{c.id}"))
    return render_template(
        "frameworks/competency_form.html", form=form, framework=fw, competency=None
    )


@bp.route("/competencies/<int:competency_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_competency(competency_id: int):
    c = require_edit(db.session.get(Competency, competency_id))
    fw = c.framework
    if fw.is_frozen:
        return refuse_frozen(
            _(
                "%(name)s version %(version)s is frozen. Create a new version to change it.",
                name=fw.name,
                version=fw.version,
            ),
            url_for("frameworks.competency", competency_id=c.id),
        )
    form = _form(fw, c)
    if form.validate_on_submit():
        ok, _c = commit_or_report(
            lambda: services.save_competency(
                db.session, fw, c, actor=current_user, **form.values()
            ),
            form=form,
        )
        if ok:
            flash(_("Changes to %(code)s saved.", code=c.code), "success")
            return redirect(url_for("frameworks.competency", competency_id=c.id))
    return render_template("frameworks/competency_form.html", form=form, framework=fw, competency=c)


@bp.route("/competencies/<int:competency_id>/shift/<direction>", methods=["POST"])
@role_required(*EDITORS)
def shift_competency(competency_id: int, direction: str):
    c = require_edit(db.session.get(Competency, competency_id))
    if direction not in ("up", "down"):
        abort(404)
    confirmed()
    commit_or_report(
        lambda: services.shift_competency(
            db.session, c, -1 if direction == "up" else 1, actor=current_user
        )
    )
    return redirect(url_for("frameworks.detail", framework_id=c.framework_id, _anchor=f"c{c.id}"))


@bp.route("/competencies/<int:competency_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def delete_competency(competency_id: int):
    c = require_edit(db.session.get(Competency, competency_id))
    framework_id, code = c.framework_id, c.code
    confirmed()
    ok, _r = commit_or_report(lambda: services.delete_competency(db.session, c, actor=current_user))
    if ok:
        flash(_("Competency %(code)s deleted.", code=code), "success")
        return redirect(url_for("frameworks.detail", framework_id=framework_id))
    return redirect(url_for("frameworks.competency", competency_id=competency_id))
