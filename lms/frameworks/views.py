"""Pages for frameworks, competencies, scales, imports and tracks. Thin: parse, authorise,
call a service, commit once, render. Everyone logged in browses what is published; admins and
directorate staff edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.accounts.forms import ConfirmForm
from lms.core.errors import commit_or_report, flash_error
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import (
    login_required,
    require_edit,
    require_view,
    role_required,
)
from lms.frameworks import exporters, services
from lms.frameworks import imports as import_services
from lms.frameworks import tracks as track_services
from lms.frameworks.forms import (
    CompetencyForm,
    FrameworkForm,
    ImportForm,
    MoveTrackForm,
    ScaleForm,
    TargetsForm,
    TrackForm,
    competency_form_for,
)
from lms.frameworks.models import (
    Competency,
    Framework,
    FrameworkImport,
    FrameworkStatus,
    ImportFormat,
    ImportStatus,
    ProficiencyScale,
    RollupRule,
    Track,
)
from lms.frameworks.permissions import EDITORS, can_view_framework, is_editor

bp = Blueprint("frameworks", __name__)


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _scale_choices() -> list[tuple[int, str]]:
    return [
        (s.id, f"{s.name} ({', '.join(lv.name for lv in s.levels)})")
        for s in db.session.scalars(sa.select(ProficiencyScale).order_by(ProficiencyScale.name))
    ]


def _taxonomy(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


# Frameworks --------------------------------------------------------------------------------


@bp.route("/frameworks/")
@login_required
def index():
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    stmt = sa.select(Framework)
    if not is_editor(current_user):
        stmt = stmt.where(Framework.status != FrameworkStatus.DRAFT)
    if status in {s.value for s in FrameworkStatus}:
        stmt = stmt.where(Framework.status == status)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Framework.name).like(like), sa.func.lower(Framework.code).like(like)
            )
        )
    page = paginate(stmt.order_by(Framework.code, Framework.version.desc()))
    counts = dict(
        db.session.execute(
            sa.select(Competency.framework_id, sa.func.count())
            .where(Competency.framework_id.in_([f.id for f in page.items]))
            .group_by(Competency.framework_id)
        ).all()
    )
    return render_template(
        "frameworks/index.html",
        page=page,
        q=q,
        status=status,
        statuses=list(FrameworkStatus),
        counts=counts,
        editor=is_editor(current_user),
    )


@bp.route("/frameworks/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_framework():
    form = FrameworkForm()
    form.scale_id.choices = _scale_choices()
    if request.method == "GET":
        form.scale_id.data = services.default_scale(db.session, actor=current_user).id
        db.session.commit()
        form.scale_id.choices = _scale_choices()
        form.taxonomy.data = "domain, competency, skill"
    if form.validate_on_submit():
        ok, fw = commit_or_report(
            lambda: services.create_framework(
                db.session,
                actor=current_user,
                name=form.name.data,
                code=form.code.data,
                scale=db.session.get(ProficiencyScale, form.scale_id.data),
                description=form.description.data,
                source_document=form.source_document.data,
                language=form.language.data,
                taxonomy=_taxonomy(form.taxonomy.data),
            ),
            form=form,
        )
        if ok:
            flash(_("Framework %(name)s created as a draft.", name=fw.name), "success")
            return redirect(url_for("frameworks.detail", framework_id=fw.id))
    return render_template("frameworks/framework_form.html", form=form, framework=None)


def _framework(framework_id: int) -> Framework:
    return require_view(db.session.get(Framework, framework_id))


@bp.route("/frameworks/<int:framework_id>")
@login_required
def detail(framework_id: int):
    fw = _framework(framework_id)
    q = request.args.get("q", "").strip()
    competencies = services.load_competencies(db.session, fw)
    tree = services.build_tree(competencies, q)
    versions = db.session.scalars(
        sa.select(Framework).where(Framework.code == fw.code).order_by(Framework.version)
    ).all()
    return render_template(
        "frameworks/detail.html",
        framework=fw,
        tree=tree,
        q=q,
        total=len(competencies),
        hits=sum(1 for n in services.flatten(tree) if n.matches) if q else None,
        versions=[v for v in versions if v.id == fw.id or require_visible(v)],
        tracks=db.session.scalars(
            sa.select(Track).where(Track.framework_id == fw.id).order_by(Track.name)
        ).all(),
        confirm=ConfirmForm(),
        editor=is_editor(current_user),
    )


def require_visible(framework: Framework) -> bool:
    return can_view_framework(current_user, framework)


@bp.route("/frameworks/<int:framework_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_framework(framework_id: int):
    fw = require_edit(db.session.get(Framework, framework_id))
    if fw.is_frozen:
        flash_error(
            services.FrameworkFrozen(
                _(
                    "This version is %(status)s and frozen. Create a new version to change it.",
                    status=str(fw.status.label).lower(),
                )
            )
        )
        return redirect(url_for("frameworks.detail", framework_id=fw.id))
    form = FrameworkForm(obj=fw)
    form.scale_id.choices = _scale_choices()
    del form.code  # the code is the framework's identity across versions
    if request.method == "GET":
        form.taxonomy.data = ", ".join(fw.taxonomy or [])
    if form.validate_on_submit():
        ok, _fw = commit_or_report(
            lambda: services.update_framework(
                db.session,
                fw,
                actor=current_user,
                name=form.name.data,
                description=form.description.data,
                source_document=form.source_document.data,
                language=form.language.data,
                taxonomy=_taxonomy(form.taxonomy.data),
                scale=db.session.get(ProficiencyScale, form.scale_id.data),
            ),
            form=form,
        )
        if ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("frameworks.detail", framework_id=fw.id))
    return render_template("frameworks/framework_form.html", form=form, framework=fw)


def _framework_action(framework_id: int, action: Callable[[Framework], Any], message: str):
    fw = require_edit(db.session.get(Framework, framework_id))
    _confirmed()
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


@bp.route("/frameworks/<int:framework_id>/export.csv")
@login_required
def export_csv(framework_id: int):
    fw = _framework(framework_id)
    body = exporters.export_moodle_csv(db.session, fw)
    filename = f"{exporters.moodle_id_number(fw)}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/frameworks/<int:framework_id>/case.json")
@login_required
def export_case(framework_id: int):
    fw = _framework(framework_id)
    body = json.dumps(exporters.export_case_package(db.session, fw), ensure_ascii=False, indent=2)
    filename = f"{exporters.moodle_id_number(fw)}-case.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Competencies ------------------------------------------------------------------------------


def _parent_choices(fw: Framework, exclude: Competency | None = None) -> list[tuple[Any, str]]:
    competencies = services.load_competencies(db.session, fw)
    banned = set()
    if exclude is not None:
        banned = services.descendant_ids(db.session, exclude) | {exclude.id}
    nodes = services.flatten(services.build_tree(competencies))
    return [("", _("— top level —"))] + [
        (
            n.competency.id,
            "\u2003" * (n.depth - 1) + f"{n.competency.code} · {n.competency.short_name}",
        )
        for n in nodes
        if n.competency.id not in banned
    ]


def _rule_args(form: CompetencyForm) -> dict[str, Any]:
    return {
        "rule": RollupRule(form.rule.data),
        "rule_threshold": form.rule_threshold.data,
        "rule_points": form.rule_points.data or 0,
        "rule_required": form.rule_required.data,
    }


@bp.route("/competencies/<int:competency_id>")
@login_required
def competency(competency_id: int):
    c = require_view(db.session.get(Competency, competency_id))
    fw = c.framework
    ancestors = []
    node = c.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    later = db.session.scalar(
        sa.select(Framework)
        .where(Framework.previous_version_id == fw.id)
        .order_by(Framework.version.desc())
    )
    successor = services.map_competency(db.session, c, later) if later is not None else None
    from lms.courses.services import courses_developing  # courses build on frameworks

    return render_template(
        "frameworks/competency.html",
        competency=c,
        course_links=courses_developing(db.session, c),
        framework=fw,
        ancestors=ancestors,
        related=services.related_competencies(db.session, c),
        targets=[
            t
            for t in track_services.tracks_targeting(db.session, c)
            if require_track_visible(t.track)
        ],
        mapped_from=services.mapped_from(db.session, c),
        successor=successor
        if successor is not None and require_visible(successor.framework)
        else None,
        confirm=ConfirmForm(),
        editor=is_editor(current_user),
    )


def require_track_visible(track: Track) -> bool:
    return is_editor(current_user) or track.is_active


@bp.route("/frameworks/<int:framework_id>/competencies/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_competency(framework_id: int):
    fw = require_edit(db.session.get(Framework, framework_id))
    if fw.is_frozen:
        flash_error(services.FrameworkFrozen(_("This version is frozen; create a new version.")))
        return redirect(url_for("frameworks.detail", framework_id=fw.id))
    form = competency_form_for(fw.scale)
    form.parent_id.choices = _parent_choices(fw)
    if request.method == "GET":
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():

        def create() -> Competency:
            parent = (
                db.session.get(Competency, form.parent_id.data) if form.parent_id.data else None
            )
            c = services.create_competency(
                db.session,
                fw,
                actor=current_user,
                code=form.code.data,
                short_name=form.short_name.data,
                parent=parent,
                description=form.description.data,
                indicators=form.indicators(),
                **_rule_args(form),
            )
            db.session.flush()
            services.set_related(db.session, c, _taxonomy(form.related.data), actor=current_user)
            return c

        ok, c = commit_or_report(create, form=form)
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
        flash_error(
            services.FrameworkFrozen(
                _(
                    "%(name)s version %(version)s is frozen. Create a new version to change it.",
                    name=fw.name,
                    version=fw.version,
                )
            )
        )
        return redirect(url_for("frameworks.competency", competency_id=c.id))
    form = competency_form_for(fw.scale, obj=c)
    form.parent_id.choices = _parent_choices(fw, exclude=c)
    if request.method == "GET":
        form.rule.data = c.rule.value
        form.related.data = ", ".join(r.code for r in services.related_competencies(db.session, c))
        for level_id, name in form.level_fields:
            form[name].data = next((i.text for i in c.indicators if i.level_id == level_id), "")
    if form.validate_on_submit():

        def update() -> Competency:
            services.update_competency(
                db.session,
                c,
                actor=current_user,
                code=form.code.data,
                short_name=form.short_name.data,
                description=form.description.data,
                indicators=form.indicators(),
                **_rule_args(form),
            )
            parent = (
                db.session.get(Competency, form.parent_id.data) if form.parent_id.data else None
            )
            services.move_competency(db.session, c, parent, actor=current_user)
            services.set_related(db.session, c, _taxonomy(form.related.data), actor=current_user)
            return c

        ok, _c = commit_or_report(update, form=form)
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
    _confirmed()
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
    _confirmed()
    ok, _r = commit_or_report(lambda: services.delete_competency(db.session, c, actor=current_user))
    if ok:
        flash(_("Competency %(code)s deleted.", code=code), "success")
        return redirect(url_for("frameworks.detail", framework_id=framework_id))
    return redirect(url_for("frameworks.competency", competency_id=competency_id))


# Scales ------------------------------------------------------------------------------------


@bp.route("/scales/")
@login_required
def scales():
    page = paginate(sa.select(ProficiencyScale).order_by(ProficiencyScale.name))
    return render_template("frameworks/scales.html", page=page, editor=is_editor(current_user))


@bp.route("/scales/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_scale():
    form = ScaleForm()
    if form.validate_on_submit():
        ok, scale = commit_or_report(
            lambda: services.create_scale(
                db.session,
                actor=current_user,
                name=form.name.data,
                description=form.description.data,
                levels=services.parse_levels(
                    form.levels.data, form.default_position.data, form.proficient_position.data
                ),
            ),
            form=form,
        )
        if ok:
            flash(_("Scale %(name)s created.", name=scale.name), "success")
            return redirect(url_for("frameworks.scales"))
    return render_template("frameworks/scale_form.html", form=form)


# Imports -----------------------------------------------------------------------------------


@bp.route("/frameworks/import", methods=["GET", "POST"])
@role_required(*EDITORS)
def import_upload():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        staged, result = import_services.stage_import(
            db.session,
            actor=current_user,
            format=ImportFormat(form.format.data),
            filename=upload.filename or "",
            content=content,
        )
        if staged is not None:
            db.session.commit()
            return redirect(url_for("frameworks.import_preview", import_id=staged.id))
        db.session.rollback()
        problems = result.problems
        flash(
            _("The file was not imported: %(n)s problem(s). Nothing was created.", n=len(problems)),
            "danger",
        )
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
    _confirmed()
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
    _confirmed()
    ok, _r = commit_or_report(
        lambda: import_services.discard_import(db.session, staged, actor=current_user)
    )
    if ok:
        flash(_("Import discarded; nothing was created."), "info")
    return redirect(url_for("frameworks.import_upload"))


# Tracks ------------------------------------------------------------------------------------


def _framework_choices(code: str | None = None) -> list[tuple[int, str]]:
    stmt = sa.select(Framework).where(Framework.status != FrameworkStatus.ARCHIVED)
    if code:
        stmt = stmt.where(Framework.code == code)
    return [
        (f.id, f"{f.label} · {f.status.label}")
        for f in db.session.scalars(stmt.order_by(Framework.name, Framework.version))
    ]


def _track_choices(exclude: Track | None = None) -> list[tuple[Any, str]]:
    tracks = db.session.scalars(sa.select(Track).order_by(Track.name)).all()
    return [("", _("— none —"))] + [
        (t.id, t.name) for t in tracks if exclude is None or t.id != exclude.id
    ]


@bp.route("/tracks/")
@login_required
def tracks():
    stmt = sa.select(Track).join(Framework).options(selectinload(Track.stages))
    if not is_editor(current_user):
        stmt = stmt.where(Track.is_active.is_(True), Framework.status != FrameworkStatus.DRAFT)
    page = paginate(stmt.order_by(Track.name))
    counts = dict(
        db.session.execute(
            sa.select(Track.id, sa.func.count())
            .join(Track.targets)
            .where(Track.id.in_([t.id for t in page.items]))
            .group_by(Track.id)
        ).all()
    )
    return render_template(
        "frameworks/tracks.html", page=page, counts=counts, editor=is_editor(current_user)
    )


def _save_track(form: TrackForm, track: Track | None) -> Track:
    prerequisite = (
        db.session.get(Track, form.prerequisite_track_id.data)
        if form.prerequisite_track_id.data
        else None
    )
    fields = {
        "code": form.code.data,
        "name": form.name.data,
        "description": form.description.data,
        "target_audience": form.target_audience.data,
        "expected_duration_weeks": form.expected_duration_weeks.data,
        "entry_requirements": form.entry_requirements.data,
        "prerequisite": prerequisite,
    }
    if track is None:
        framework = db.session.get(Framework, form.framework_id.data)
        if framework is None:
            abort(400)
        track = track_services.create_track(
            db.session, actor=current_user, framework=framework, **fields
        )
        db.session.flush()
    else:
        track_services.update_track(
            db.session, track, actor=current_user, is_active=form.is_active.data, **fields
        )
    track_services.set_stages(
        db.session, track, track_services.parse_stages(form.stages.data), actor=current_user
    )
    return track


@bp.route("/tracks/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_track():
    form = TrackForm()
    form.framework_id.choices = _framework_choices()
    form.prerequisite_track_id.choices = _track_choices()
    if form.validate_on_submit():
        ok, track = commit_or_report(lambda: _save_track(form, None), form=form)
        if ok:
            flash(_("Track %(name)s created; now set its targets.", name=track.name), "success")
            return redirect(url_for("frameworks.track_targets", track_id=track.id))
    return render_template("frameworks/track_form.html", form=form, track=None)


@bp.route("/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_track(track_id: int):
    track = require_edit(db.session.get(Track, track_id))
    form = TrackForm(obj=track)
    del form.framework_id  # moving to another version carries targets over: its own page
    form.prerequisite_track_id.choices = _track_choices(exclude=track)
    if request.method == "GET":
        form.stages.data = "\n".join(
            f"{s.name}: {s.description}" if s.description else s.name for s in track.stages
        )
    if form.validate_on_submit():
        ok, _t = commit_or_report(lambda: _save_track(form, track), form=form)
        if ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("frameworks.track", track_id=track.id))
    return render_template("frameworks/track_form.html", form=form, track=track)


@bp.route("/tracks/<int:track_id>")
@login_required
def track(track_id: int):
    t = require_view(db.session.get(Track, track_id))
    fw = t.framework
    competencies = services.load_competencies(db.session, fw)
    targets = {target.competency_id: target.level for target in t.targets}
    nodes = services.flatten(services.build_tree(competencies))
    # Show targeted competencies with the ancestors that give them their place.
    wanted: set[int] = set()
    by_id = {c.id: c for c in competencies}
    for cid in targets:
        node = by_id.get(cid)
        while node is not None:
            wanted.add(node.id)
            node = by_id.get(node.parent_id) if node.parent_id else None
    rows = [n for n in nodes if n.competency.id in wanted]
    return render_template(
        "frameworks/track.html",
        track=t,
        framework=fw,
        rows=rows,
        targets=targets,
        levels=fw.scale.levels,
        editor=is_editor(current_user),
    )


@bp.route("/tracks/<int:track_id>/targets", methods=["GET", "POST"])
@role_required(*EDITORS)
def track_targets(track_id: int):
    t = require_edit(db.session.get(Track, track_id))
    fw = t.framework
    form = TargetsForm()
    nodes = services.flatten(services.build_tree(services.load_competencies(db.session, fw)))
    current = {target.competency_id: target.level_id for target in t.targets}
    level_ids = {lv.id for lv in fw.scale.levels}
    if form.validate_on_submit():
        wanted: dict[int, int | None] = {}
        for node in nodes:
            raw = request.form.get(f"target_{node.competency.id}", "")
            level_id = int(raw) if raw.isdigit() else None
            wanted[node.competency.id] = level_id if level_id in level_ids else None
        ok, _t = commit_or_report(
            lambda: track_services.set_targets(db.session, t, wanted, actor=current_user), form=form
        )
        if ok:
            flash(_("Targets saved."), "success")
            return redirect(url_for("frameworks.track", track_id=t.id))
    return render_template(
        "frameworks/track_targets.html",
        track=t,
        framework=fw,
        form=form,
        nodes=nodes,
        current=current,
        levels=fw.scale.levels,
    )


@bp.route("/tracks/<int:track_id>/move", methods=["GET", "POST"])
@role_required(*EDITORS)
def move_track(track_id: int):
    t = require_edit(db.session.get(Track, track_id))
    form = MoveTrackForm()
    form.framework_id.choices = [
        (fid, label) for fid, label in _framework_choices(t.framework.code) if fid != t.framework_id
    ]
    if form.validate_on_submit():
        target = db.session.get(Framework, form.framework_id.data)
        ok, dropped = commit_or_report(
            lambda: track_services.move_track_to_version(db.session, t, target, actor=current_user),
            form=form,
        )
        if ok:
            if dropped:
                flash(
                    _(
                        "Track moved. Targets not carried over (no longer in the framework): "
                        "%(codes)s.",
                        codes=", ".join(dropped),
                    ),
                    "warning",
                )
            else:
                flash(_("Track moved; every target was carried over."), "success")
            return redirect(url_for("frameworks.track", track_id=t.id))
    return render_template("frameworks/track_move.html", form=form, track=t)
