"""Track pages: the list, a track's targets matrix, its editor, setting targets and moving it
to another version of its framework."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import login_required, require_edit, require_view, role_required
from lms.core.ratelimit import export_limited
from lms.frameworks import list_exports, services
from lms.frameworks import tracks as track_services
from lms.frameworks.forms import MoveTrackForm, TargetsForm, TrackForm
from lms.frameworks.models import Framework, Track
from lms.frameworks.permissions import EDITORS
from lms.frameworks.views.common import bp, editor, framework_choices, track_choices


@bp.route("/tracks/")
@login_required
@export_limited
def tracks():
    filters = track_services.TrackFilters(include_hidden=editor())
    if wants_csv():
        stmt = track_services.tracks_query(filters)
        return csv_response("tracks", *list_exports.tracks_table(db.session, stmt, editor=editor()))
    page = paginate(track_services.tracks_query(filters))
    counts = track_services.target_counts(db.session, [t.id for t in page.items])
    return render_template("frameworks/tracks.html", page=page, counts=counts, editor=editor())


@bp.route("/tracks/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create_track():
    form = TrackForm()
    form.framework_id.choices = framework_choices()
    form.prerequisite_track_id.choices = track_choices()
    if form.validate_on_submit():
        ok, track = commit_or_report(
            lambda: track_services.save_track(
                db.session, None, actor=current_user, **form.values()
            ),
            form=form,
        )
        if ok:
            flash(_("Track %(name)s created; now set its targets.", name=track.name), "success")
            return redirect(url_for("frameworks.track_targets", track_id=track.id))
    return render_template("frameworks/track_form.html", form=form, track=None)


@bp.route("/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_track(track_id: int):
    track = require_edit(db.session.get(Track, track_id))
    form = TrackForm(obj=track, stages_fr=track.stages)
    del form.framework_id  # moving to another version carries targets over: its own page
    form.prerequisite_track_id.choices = track_choices(exclude=track)
    if form.validate_on_submit():
        ok, _t = commit_or_report(
            lambda: track_services.save_track(
                db.session, track, actor=current_user, **form.values()
            ),
            form=form,
        )
        if ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("frameworks.track", track_id=track.id))
    return render_template("frameworks/track_form.html", form=form, track=track)


@bp.route("/tracks/<int:track_id>")
@login_required
def track(track_id: int):
    t = require_view(db.session.get(Track, track_id))
    targets = {target.competency_id: target.level for target in t.targets}
    competencies = services.load_competencies(db.session, t.framework)
    return render_template(
        "frameworks/track.html",
        track=t,
        framework=t.framework,
        rows=services.rows_for_targets(competencies, targets),
        targets=targets,
        levels=t.framework.scale.levels,
        editor=editor(),
    )


@bp.route("/tracks/<int:track_id>/targets", methods=["GET", "POST"])
@role_required(*EDITORS)
def track_targets(track_id: int):
    t = require_edit(db.session.get(Track, track_id))
    form = TargetsForm()
    nodes, levels = services.tree_nodes(db.session, t.framework), t.framework.scale.levels
    if form.validate_on_submit():
        ids = [n.competency.id for n in nodes]
        wanted = track_services.parse_targets(request.form, ids, {lv.id for lv in levels})
        ok, _t = commit_or_report(
            lambda: track_services.set_targets(db.session, t, wanted, actor=current_user), form=form
        )
        if ok:
            flash(_("Targets saved."), "success")
            return redirect(url_for("frameworks.track", track_id=t.id))
    return render_template(
        "frameworks/track_targets.html",
        track=t,
        framework=t.framework,
        form=form,
        nodes=nodes,
        current={target.competency_id: target.level_id for target in t.targets},
        levels=levels,
    )


def _moved_message(dropped: list[str]) -> tuple[str, str]:
    if dropped:
        return _(
            "Track moved. Targets not carried over (no longer in the framework): %(codes)s.",
            codes=", ".join(dropped),
        ), "warning"
    return _("Track moved; every target was carried over."), "success"


@bp.route("/tracks/<int:track_id>/move", methods=["GET", "POST"])
@role_required(*EDITORS)
def move_track(track_id: int):
    t = require_edit(db.session.get(Track, track_id))
    form = MoveTrackForm()
    form.framework_id.choices = [
        (fid, label) for fid, label in framework_choices(t.framework.code) if fid != t.framework_id
    ]
    if form.validate_on_submit():
        target = db.session.get(Framework, form.framework_id.data)
        ok, dropped = commit_or_report(
            lambda: track_services.move_track_to_version(db.session, t, target, actor=current_user),
            form=form,
        )
        if ok:
            flash(*_moved_message(dropped))
            return redirect(url_for("frameworks.track", track_id=t.id))
    return render_template("frameworks/track_move.html", form=form, track=t)
