"""Import pages: upload (checked, nothing kept when refused), preview, commit, discard."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.permissions import require_edit, role_required
from lms.frameworks import imports as import_services
from lms.frameworks.forms import ImportForm
from lms.frameworks.models import FrameworkImport, ImportFormat, ImportStatus
from lms.frameworks.permissions import EDITORS
from lms.frameworks.views.common import bp, confirmed


def _refusal(count: int) -> str:
    return _("The file was not imported: %(n)s problem(s). Nothing was created.", n=count)


@bp.route("/frameworks/import", methods=["GET", "POST"])
@role_required(*EDITORS)
def import_upload():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload, format = form.file.data, ImportFormat(form.format.data)
        content = upload.read()
        result = import_services.check_upload(db.session, format, content)
        problems = result.problems
        if result.ok:
            ok, staged = commit_or_report(
                lambda: import_services.keep_upload(
                    db.session,
                    actor=current_user,
                    format=format,
                    filename=upload.filename or "",
                    content=content,
                    plan=result.plan,
                )
            )
            if ok:
                return redirect(url_for("frameworks.import_preview", import_id=staged.id))
        else:
            flash(_refusal(len(problems)), "danger")
    return render_template("frameworks/import.html", form=form, problems=problems)


def _staged(import_id: int) -> FrameworkImport:
    return require_edit(db.session.get(FrameworkImport, import_id))


@bp.route("/frameworks/import/<int:import_id>")
@role_required(*EDITORS)
def import_preview(import_id: int):
    staged = _staged(import_id)
    result = import_services.parse_import(staged.format, staged.content)
    problems = list(result.problems)
    if result.plan is not None and staged.status == ImportStatus.PENDING:
        # Something with the same code or identifiers may have arrived since the upload.
        problems += import_services.plan_conflicts(db.session, result.plan)
    return render_template(
        "frameworks/import_preview.html",
        staged=staged,
        plan=result.plan,
        problems=problems,
        rows=result.plan.in_tree_order() if result.plan else [],
        confirm=ConfirmForm(),
        pending=staged.status == ImportStatus.PENDING,
    )


@bp.route("/frameworks/import/<int:import_id>/commit", methods=["POST"])
@role_required(*EDITORS)
def import_commit(import_id: int):
    staged = _staged(import_id)
    confirmed()
    ok, fw = commit_or_report(
        lambda: import_services.commit_import(db.session, staged, actor=current_user)
    )
    if not ok:
        return redirect(url_for("frameworks.import_preview", import_id=import_id))
    flash(
        _(
            "Imported %(name)s as a draft with %(n)s competencies.",
            name=fw.name,
            n=len(fw.competencies),
        ),
        "success",
    )
    return redirect(url_for("frameworks.detail", framework_id=fw.id))


@bp.route("/frameworks/import/<int:import_id>/discard", methods=["POST"])
@role_required(*EDITORS)
def import_discard(import_id: int):
    staged = _staged(import_id)
    confirmed()
    ok, _r = commit_or_report(
        lambda: import_services.discard_import(db.session, staged, actor=current_user)
    )
    if ok:
        flash(_("Import discarded; nothing was created."), "info")
    return redirect(url_for("frameworks.import_upload"))
