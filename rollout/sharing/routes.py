"""The share links page of a programme: its district leaders (and admins) list the links, create
one (its address is shown once, on the response) and revoke them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.pages import programme_page
from rollout.db import get_session
from rollout.models import ShareLink, utcnow
from rollout.sharing import links
from rollout.sharing.forms import ShareLinkForm

bp = Blueprint("sharing", __name__)


@bp.route("/programmes/<int:programme_id>/partages", methods=["GET", "POST"])
@access(*LEADERS)
def index(programme_id: int):
    """The programme's links and the form creating one; 422 when a submission is refused."""
    programme = programme_or_404(programme_id)
    db = get_session()
    form = ShareLinkForm()
    created = None
    if form.validate_on_submit():
        _link, secret = links.create_link(db, programme=programme, label=form.label.data, days=form.days.data,
                                         author=current_author("form"))
        db.commit()
        created = url_for("shared.dashboard", secret=secret, _external=True)
        form = ShareLinkForm(formdata=None)
    code = 422 if form.errors else 200
    return programme_page("sharing/index.html", programme, form=form, created=created,
                          links=links.programme_links(db, programme=programme), status=links.status, now=utcnow()), code


@bp.post("/programmes/<int:programme_id>/partages/<int:link_id>/revoke")
@access(*LEADERS)
def revoke(programme_id: int, link_id: int):
    """Revoke one of the programme's links (another programme's link is a 404, like another
    district's), then back to the list."""
    programme = programme_or_404(programme_id)
    db = get_session()
    link = db.get(ShareLink, link_id)
    if link is None or link.programme_id != programme.id:
        abort(404)
    if links.revoke_link(db, link=link, programme=programme, author=current_author("form")):
        db.commit()
        flash(_("Lien « %(label)s » révoqué : il n'ouvre plus rien.", label=link.label), "info")
    return redirect(url_for("sharing.index", programme_id=programme.id))
