"""Scale pages: the list and the scale editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.csv_export import csv_response, wants_csv
from lms.core.errors import commit_or_report
from lms.core.extensions import db
from lms.core.pagination import paginate
from lms.core.permissions import login_required, role_required
from lms.core.ratelimit import export_limited
from lms.frameworks import list_exports, services
from lms.frameworks.forms import ScaleForm
from lms.frameworks.permissions import EDITORS
from lms.frameworks.views.common import bp, editor


@bp.route("/scales/")
@login_required
@export_limited
def scales():
    if wants_csv():
        table = list_exports.scales_table(db.session, services.scales_query())
        return csv_response("proficiency-scales", *table, personal=False)
    page = paginate(services.scales_query())
    return render_template("frameworks/scales.html", page=page, editor=editor())


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
                french={"name_fr": form.name_fr.data, "description_fr": form.description_fr.data},
                levels=services.parse_levels(
                    form.levels.data,
                    form.default_position.data,
                    form.proficient_position.data,
                    form.levels_fr.data or "",
                ),
            ),
            form=form,
        )
        if ok:
            flash(_("Scale %(name)s created.", name=scale.name), "success")
            return redirect(url_for("frameworks.scales"))
    return render_template("frameworks/scale_form.html", form=form)
