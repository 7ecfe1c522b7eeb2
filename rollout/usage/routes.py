"""Usage pages: map service labels to categories, read the report (importing a usage file is
one of the imports, `rollout.imports`).

Only district leaders change the taxonomy; everyone who may see a programme reads the taxonomy
and the report.
Programmes are loaded through the user's districts, so another district's answers 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import programme_or_404
from rollout.core.permissions import may
from rollout.db import get_session
from rollout.usage import display, taxonomy
from rollout.usage.forms import CategoryForm
from rollout.usage.report import GROUPINGS, parse_bound, report_csv, report_json, usage_report

bp = Blueprint("usage", __name__)


@bp.get("/programmes/<int:programme_id>/usage/taxonomy")
@access(*READERS)
def taxonomy_page(programme_id: int):
    """Every service label of the programme's usage with its category; unknown labels first."""
    programme = programme_or_404(programme_id)
    entries = taxonomy.taxonomy_entries(get_session(), programme_id=programme.id)
    forms = {
        entry.label: CategoryForm(
            formdata=None, label=entry.label, category=entry.category if entry.source == "override" else ""
        )
        for entry in entries
    } if may(current_user, "edit_taxonomy") else {}
    return render_template(
        "usage/taxonomy.html", programme=programme, simulated=programme.simulated, entries=entries, forms=forms,
        names=display, label_key=taxonomy.label_key, keywords=taxonomy.DEFAULT_KEYWORDS,
    )


@bp.post("/programmes/<int:programme_id>/usage/taxonomy/<path:label_key>")
@access(*LEADERS)
def set_label_category(programme_id: int, label_key: str):
    """A leader maps a label to a category (or back to the default taxonomy)."""
    db = get_session()
    programme = programme_or_404(programme_id)
    form = CategoryForm()
    if not form.validate_on_submit() or taxonomy.label_key(form.label.data) != label_key:
        abort(400)
    category = form.category.data or None
    taxonomy.set_category(
        db, programme=programme, label=form.label.data, category=category,
        actor=current_user.email, channel="form", user_id=current_user.id,
    )
    db.commit()
    if category is None:
        flash(_("« %(label)s » suit de nouveau la taxonomie par défaut.", label=form.label.data), "info")
    else:
        flash(_("« %(label)s » est classé en %(category)s.", label=form.label.data,
                category=display.CATEGORY_NAMES[category]), "info")
    return redirect(url_for("usage.taxonomy_page", programme_id=programme.id))


def _bound(name: str, *, end: bool) -> tuple[date | None, str | None]:
    """A `from`/`to` query argument as a date, or the error to show."""
    text = request.args.get(name, "").strip()
    if not text:
        return None, None
    try:
        return parse_bound(text, end=end), None
    except ValueError:
        return None, _("Date « %(value)s » illisible : AAAA-MM-JJ, AAAA-MM ou JJ/MM/AAAA.", value=text)


@bp.get("/programmes/<int:programme_id>/usage/report")
@access(*READERS)
def report_page(programme_id: int):
    """Visits, pedagogical share and adoption per school, month or category; CSV and JSON too."""
    programme = programme_or_404(programme_id)
    by = request.args.get("by", "school")
    if by not in GROUPINGS:
        abort(400)
    start, start_error = _bound("from", end=False)
    end, end_error = _bound("to", end=True)
    errors = [error for error in (start_error, end_error) if error]
    rows = [] if errors else usage_report(get_session(), programme_id=programme.id, by=by, start=start, end=end)
    output = request.args.get("format", "")
    if output in ("csv", "json") and not errors:
        body = report_csv(rows, by=by) if output == "csv" else report_json(rows, by=by)
        mimetype = "text/csv" if output == "csv" else "application/json"
        return Response(body, mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="usage-{programme.id}-{by}.{output}"'
        })
    return render_template(
        "usage/report.html", programme=programme, simulated=programme.simulated, rows=rows, by=by,
        groupings=GROUPINGS, names=display, errors=errors, chosen={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
    ), (400 if errors else 200)
