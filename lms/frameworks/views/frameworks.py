"""Framework pages: the list, a version's tree, its editor, the version actions (publish, new
version, archive, delete) and the exports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.i18n import current_language, language_code
from lms.core.pagination import paginate
from lms.core.permissions import login_required, require_edit, require_view, role_required
from lms.core.ratelimit import export_limited, rate_limited
from lms.frameworks import exporters, list_exports, services
from lms.frameworks import tracks as track_services
from lms.frameworks.forms import FrameworkForm, split_list
from lms.frameworks.models import Framework, FrameworkStatus, ProficiencyScale
from lms.frameworks.permissions import EDITORS, can_view_framework
from lms.frameworks.views.common import bp, confirmed, editor, refuse_frozen, scale_choices


def _framework_fields(form: FrameworkForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "description": form.description.data,
        "source_document": form.source_document.data,
        "language": form.language.data,
        "taxonomy": split_list(form.taxonomy.data),
        "scale": db.session.get(ProficiencyScale, form.scale_id.data),
        "french": {"name_fr": form.name_fr.data, "description_fr": form.description_fr.data},
    }


@bp.route("/frameworks/")
@login_required
@export_limited
def index():
    filters = services.FrameworkFilters(
        q=request.args.get("q", "").strip(),
        status=request.args.get("status", ""),
        include_drafts=editor(),
    )
    if wants_csv():
        stmt = services.frameworks_query(filters)
        return csv_response("frameworks", *list_exports.frameworks_table(db.session, stmt))
    page = paginate(services.frameworks_query(filters))
    return render_template(
        "frameworks/index.html",
        page=page,
        q=filters.q,
        status=filters.status,
        statuses=list(FrameworkStatus),
        counts=services.competency_counts(db.session, [f.id for f in page.items]),
        editor=editor(),
    )


@bp.route("/frameworks/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_framework():
    form = FrameworkForm()
    if request.method == "GET":
        _ok, scale = commit_or_report(
            lambda: services.default_scale(db.session, actor=current_user)
        )
        form.scale_id.data = scale.id if scale else None
        form.taxonomy.data = "domain, competency, skill"
    form.scale_id.choices = scale_choices()
    if form.validate_on_submit():
        ok, fw = commit_or_report(
            lambda: services.create_framework(
                db.session, actor=current_user, code=form.code.data, **_framework_fields(form)
            ),
            form=form,
        )
        if ok:
            flash(_("Framework %(name)s created as a draft.", name=fw.name), "success")
            return redirect(url_for("frameworks.detail", framework_id=fw.id))
    return render_template("frameworks/framework_form.html", form=form, framework=None)


@bp.route("/frameworks/<int:framework_id>")
@login_required
def detail(framework_id: int):
    fw = require_view(db.session.get(Framework, framework_id))
    q = request.args.get("q", "").strip()
    competencies = services.load_competencies(db.session, fw)
    tree = services.build_tree(competencies, q)
    return render_template(
        "frameworks/detail.html",
        framework=fw,
        tree=tree,
        q=q,
        total=len(competencies),
        hits=sum(1 for n in services.flatten(tree) if n.matches) if q else None,
        versions=[
            v
            for v in services.versions_of(db.session, fw)
            if v.id == fw.id or can_view_framework(current_user, v)
        ],
        tracks=track_services.tracks_on(db.session, fw),
        confirm=ConfirmForm(),
        editor=editor(),
    )


@bp.route("/frameworks/<int:framework_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_framework(framework_id: int):
    fw = require_edit(db.session.get(Framework, framework_id))
    if fw.is_frozen:
        return refuse_frozen(
            _(
                "This version is %(status)s and frozen. Create a new version to change it.",
                status=str(fw.status.label).lower(),
            ),
            url_for("frameworks.detail", framework_id=fw.id),
        )
    form = FrameworkForm(obj=fw)
    form.scale_id.choices = scale_choices()
    del form.code  # the code is the framework's identity across versions
    if form.validate_on_submit():
        ok, _fw = commit_or_report(
            lambda: services.update_framework(
                db.session, fw, actor=current_user, **_framework_fields(form)
            ),
            form=form,
        )
        if ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("frameworks.detail", framework_id=fw.id))
    return render_template("frameworks/framework_form.html", form=form, framework=fw)


def _framework_action(framework_id: int, action: Callable[[Framework], Any], message: str):
    fw = require_edit(db.session.get(Framework, framework_id))
    confirmed()
    ok, result = commit_or_report(lambda: action(fw))
    if ok:
        flash(message, "success")
        if isinstance(result, Framework):
            return redirect(url_for("frameworks.detail", framework_id=result.id))
        return redirect(url_for("frameworks.index"))
    return redirect(url_for("frameworks.detail", framework_id=fw.id))


@bp.route("/frameworks/<int:framework_id>/publish", methods=["POST"])
@role_required(*EDITORS)
def publish(framework_id: int):
    return _framework_action(
        framework_id,
        lambda fw: services.publish_framework(db.session, fw, actor=current_user),
        _("Published. This version is now frozen."),
    )


@bp.route("/frameworks/<int:framework_id>/new-version", methods=["POST"])
@role_required(*EDITORS)
def new_version(framework_id: int):
    return _framework_action(
        framework_id,
        lambda fw: services.create_new_version(db.session, fw, actor=current_user),
        _("New draft version created; every competency is mapped to its predecessor."),
    )


@bp.route("/frameworks/<int:framework_id>/archive", methods=["POST"])
@role_required(*EDITORS)
def archive(framework_id: int):
    return _framework_action(
        framework_id,
        lambda fw: services.archive_framework(db.session, fw, actor=current_user),
        _("Archived."),
    )


@bp.route("/frameworks/<int:framework_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def delete_framework(framework_id: int):
    return _framework_action(
        framework_id,
        lambda fw: services.delete_framework(db.session, fw, actor=current_user),
        _("Draft deleted."),
    )


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/frameworks/<int:framework_id>/export.csv")
@login_required
@rate_limited("exports")
def export_csv(framework_id: int):
    fw = require_view(db.session.get(Framework, framework_id))
    # Moodle holds one language: ?lang=fr|en, else the reader's.
    language = language_code(request.args.get("lang") or current_language())
    suffix = "" if language == "en" else f"-{language}"
    return _download(
        exporters.export_moodle_csv(db.session, fw, language),
        "text/csv",
        f"{exporters.moodle_id_number(fw)}{suffix}.csv",
    )


@bp.route("/frameworks/<int:framework_id>/case.json")
@login_required
@rate_limited("exports")
def export_case(framework_id: int):
    fw = require_view(db.session.get(Framework, framework_id))
    return _download(
        json.dumps(exporters.export_case_package(db.session, fw), ensure_ascii=False, indent=2),
        "application/json",
        f"{exporters.moodle_id_number(fw)}-case.json",
    )
