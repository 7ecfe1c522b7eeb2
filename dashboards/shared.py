"""The dashboards as a share link opens them, for people without an account.

`/partage/<secret>` and its dashboards and CSVs draw the same figures as the signed-in pages,
with `shared=True` (no personal data) and without the signed-in app's navigation. A secret no
active link has (unknown, expired or revoked) answers the same 404, so a guess learns nothing,
and is audited as a refused use. The secret is in the address: these pages send no Referer
(`Referrer-Policy: no-referrer`), are never cached (a revoked link must stop at once), and the
audit trail names the link by its id, never by its secret.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from sqlmodel import Session

from dashboards.views import PAGES, Shared, csv_response, dashboard_page
from rollout.auth.access import access
from rollout.core import secret_links
from rollout.db import get_engine, get_session
from rollout.models import Programme, ShareLink, utcnow
from rollout.sharing import links

bp = Blueprint("shared", __name__)


def _shared_programme(secret: str) -> tuple[Programme, ShareLink]:
    """The programme an active link opens, its use recorded; 404 (audited) for any other secret,
    429 once the address has sent too many (`rollout.core.secret_links`)."""
    now = utcnow()
    details = {"endpoint": request.endpoint or "", "ip": request.remote_addr or "unknown"}
    secret_links.abort_if_flooding(get_session(), address=details["ip"])
    link = links.link_by_secret(get_session(), secret)
    with Session(get_engine()) as own:  # the page's own transaction stays a read
        if link is None or links.status(link, now) != "active":
            links.record_refused_use(own, link=link, now=now, details=details)
            abort(404)
        programme = get_session().get(Programme, link.programme_id)
        links.record_use(own, link=link, programme=programme, now=now, details=details)
    return programme, link


def _private(response: Response) -> Response:
    """The secret is in the address: no Referer to the sites a page links to, no cached copy."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/partage/<secret>", defaults={"dashboard": "overview"})
@bp.get("/partage/<secret>/<dashboard>")
@access(public=True)
def dashboard(secret: str, dashboard: str) -> Response:
    """A dashboard of the link's programme, read-only, for the query string's filters."""
    programme, link = _shared_programme(secret)
    if dashboard not in PAGES:
        abort(404)
    page = dashboard_page(dashboard, programme, share=Shared(secret=secret, expires_at=link.expires_at))
    return _private(Response(page, mimetype="text/html"))


@bp.get("/partage/<secret>/<figure>.csv")
@access(public=True)
def figure_csv(secret: str, figure: str) -> Response:
    """One figure's numbers as CSV, as the signed-in download writes them, without personal data."""
    programme, _link = _shared_programme(secret)
    return _private(csv_response(programme, figure, shared=True))
