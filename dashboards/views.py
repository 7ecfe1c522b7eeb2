"""The dashboards' pages (overview, equity, leadership, a school, trainers, training), their figures' CSV downloads, and plotly.js.

A page reads its filters from the query string (a copied link shows the same view), has its
builder in `dashboards.pages` draw `dashboards.queries`' plain data with `dashboards.figures`,
and sends each figure as JSON in a `<script type="application/json">` block that
`static/figures.js` hands to `Plotly.newPlot`: no inline script, so the Content-Security-Policy
stays strict. plotly.js is the copy inside the installed `plotly` package
(`dashboards.plotly_asset`), so the drawing code and the figures' JSON always come from the
same version, and school networks that block CDNs still see figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

import plotly
from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import col, select

from dashboards import plotly_asset
from dashboards.cells import cell_text
from dashboards.pages.drawn import Drawn, as_of_date, figure_json
from dashboards.pages.equity import equity_drawn
from dashboards.pages.leadership import leadership_drawn
from dashboards.pages.overview import overview_context, overview_drawn
from dashboards.pages.school import school_drawn
from dashboards.pages.trainers import trainers_drawn
from dashboards.pages.training import training_drawn
from dashboards.queries.filters import (
    Filters,
    InvalidFilter,
    parse_filters,
    school_year,
)
from rollout import cache as shared_cache
from rollout.auth.access import READERS, access
from rollout.auth.scope import programme_or_404, school_or_404
from rollout.db import get_session, replica_reads
from rollout.imports.export import table_bytes
from rollout.models import Basin, Programme, School, Wave

bp = Blueprint("dashboards", __name__)

ONE_YEAR = 365 * 24 * 3600
"""plotly.js is cached for a year: its URL carries the package's version, which changes with it."""


@dataclass(frozen=True)
class Computed:
    """What a dashboard page computes from the data, as the cache keeps it: the figures written,
    what its template needs beyond them (`Page.context`), and the date the data is seen at."""

    drawn: list[Drawn]
    context: dict[str, Any]
    as_of: date


def _filters(programme: Programme) -> Filters:
    """The query string's filters, or a 400 page saying which one is wrong."""
    db = get_session()
    basins = db.exec(select(Basin.code).where(Basin.programme_id == programme.id)).all()
    waves = db.exec(select(Wave.code).where(Wave.programme_id == programme.id)).all()
    asked = request.args.get("school", "").strip().upper()
    schools = db.exec(select(School.uai).where(School.programme_id == programme.id, School.uai == asked)).all()
    try:
        return parse_filters(request.args, basins=basins, waves=waves, schools=schools)
    except InvalidFilter as error:
        abort(400, description=_("Filtre « %(name)s » : la valeur « %(value)s » n'est pas reconnue pour ce programme. "
                                 "Corrigez-la ou retirez-la de l'adresse.", name=error.name, value=error.value[:80]))


def _school_years(programme: Programme, as_of: date) -> list[str]:
    """The school years from the programme's start to the data's date, for the filter's choices."""
    first = programme.start_date.year - (programme.start_date.month < 9)
    last = as_of.year - (as_of.month < 9)
    return [school_year(year) for year in range(first, max(first, last) + 1)]


class Builder(Protocol):
    """What draws a dashboard's figures. With `shared` (a share link, read by people without an
    account) the figures show no personal data: no author of an audit entry, no head teacher,
    trainers under neutral labels."""

    def __call__(self, programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]: ...


DASHBOARDS: dict[str, Builder] = {
    "overview": overview_drawn,
    "equity": equity_drawn,
    "leadership": leadership_drawn,
    "school": school_drawn,
    "trainers": trainers_drawn,
    "training": training_drawn,
}
FIGURES = {name: "overview" for name in (
    "plan_vs_actual", "wave_timeline", "cascade", "usage_by_category", "pedagogical_share", "school_map")} | {"equity": "equity", "leadership": "leadership", "leadership_schools": "leadership", "trainer_load": "trainers"} | {
    name: "training" for name in ("training_cascade", "training_workload", "training_hours", "training_courses")} | {
    name: "school" for name in ("school_milestones", "school_history", "school_services", "school_profiles",
                                "school_adoption", "school_years")}
"""Which dashboard draws each figure (its CSV is computed by that dashboard alone)."""


def _no_context(programme: Programme, filters: Filters) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Page:
    """How a dashboard of DASHBOARDS is shown: its signed-in endpoint, its template, its name in
    the dashboards' navigation, and what its template needs beyond the figures. Every dashboard
    has one (a test checks it): listed here, it is in the navigation, has a print view, and
    opens through share links."""

    endpoint: str
    template: str
    title: str
    context: Callable[[Programme, Filters], dict[str, Any]] = _no_context


PAGES: dict[str, Page] = {
    "overview": Page("dashboards.overview", "dashboards/overview.html", _l("Vue d'ensemble"), overview_context),
    "equity": Page("dashboards.equity_page", "dashboards/equity.html", _l("Équité")),
    "leadership": Page("dashboards.leadership_page", "dashboards/leadership.html", _l("Direction")),
    "school": Page("dashboards.school_page", "dashboards/school.html", _l("Établissement")),
    "trainers": Page("dashboards.trainers_page", "dashboards/trainers.html", _l("Formateurs")),
    "training": Page("dashboards.training_page", "dashboards/training.html", _l("Formation")),
}


@dataclass(frozen=True)
class Shared:
    """The dashboards as a share link shows them: its secret, which every link of its pages
    carries, and its expiry, which its banner states."""

    secret: str
    expires_at: datetime


def dashboard_page(name: str, programme: Programme, *, share: Shared | None = None) -> str:
    """The dashboard `name` of PAGES for the query string's filters; through a share link
    (`share`), drawn without personal data and without the signed-in app's navigation."""
    filters = _filters(programme)
    computed = _computed(name, programme, filters, shared=share is not None)
    return _page(PAGES[name].template, programme, filters, computed.drawn, computed.as_of, dashboard=name, share=share,
                 **computed.context)


def _computed(name: str, programme: Programme, filters: Filters, *, shared: bool) -> Computed:
    """Dashboard `name`'s figures and context, from the shared cache when this version of the
    programme's data was drawn before with these filters, in this language, on this day (the
    date colours are evaluated at), for the same kind of reader (`shared`: a share link's page
    names no person). The caller's district was checked before (`programme_or_404`); within a
    programme, every role that may read the dashboards sees the same figures."""
    version = shared_cache.data_version(get_session(), programme)
    parts = ("dashboard", name, programme.id, version, date.today(), str(get_locale()), shared, filters)
    return shared_cache.remembered(parts, lambda: _compute_on_replica(name, programme, filters, version, shared=shared))


def _compute_on_replica(name: str, programme: Programme, filters: Filters, version: tuple[int, int], *,
                        shared: bool) -> Computed:
    """`_compute` on the read replica when there is one and it has reached `version`, the
    primary's, under which the result is cached (rollout.db.replica_reads)."""
    with replica_reads(lambda replica: shared_cache.data_version(replica, programme) == version):
        return _compute(name, programme, filters, shared=shared)


def _compute(name: str, programme: Programme, filters: Filters, *, shared: bool) -> Computed:
    drawn = DASHBOARDS[name](programme, filters, shared=shared)
    as_of = as_of_date(programme)
    return Computed([item.written() for item in drawn], PAGES[name].context(programme, filters), as_of)


def csv_response(programme: Programme, figure: str, *, shared: bool = False) -> Response:
    """One figure's numbers as CSV, for the query string's filters (texts a spreadsheet would
    run are written after a quote, as in every download); 404 for a figure no dashboard draws."""
    filters = _filters(programme)
    if figure not in FIGURES or (shared and FIGURES[figure] not in PAGES):
        abort(404)
    tables = [item.table for item in _computed(FIGURES[figure], programme, filters, shared=shared).drawn if item.name == figure]
    if not tables:  # no school chosen, no adopted plan, or a school's history through a share link
        abort(404)
    (table,) = tables
    body = table_bytes(table.columns, table.rows, fmt="csv", sheet=figure)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="tableau-de-bord-{programme.id}-{figure}.csv"'})


def _urls(programme: Programme, filters: Filters, share: Shared | None) -> dict[str, Any]:
    """The page's links, to another dashboard, to a figure's CSV or to its print view, for the
    same filters: under the share link's address on a shared page, so that its reader never
    meets the sign-in page."""
    query = filters.query()

    def page_url(name: str, **extra: Any) -> str:
        if share is not None:
            return url_for("shared.dashboard", secret=share.secret, dashboard=name, **query, **extra)
        return url_for(PAGES[name].endpoint, programme_id=programme.id, **query, **extra)

    def csv_url(figure: str) -> str:
        if share is not None:
            return url_for("shared.figure_csv", secret=share.secret, figure=figure, **query)
        return url_for("dashboards.figure_csv", programme_id=programme.id, figure=figure, **query)

    print_url = url_for(request.endpoint or "", **(request.view_args or {}), **query, print="1")
    return {"page_url": page_url, "csv_url": csv_url, "print_url": print_url}


def _page(template: str, programme: Programme, filters: Filters, drawn: list[Drawn], as_of: date, *,
          share: Shared | None = None, **context: Any) -> str:
    """A dashboard page: the filter form, then each figure with its caption, table and CSV link.
    With `?print=1`, the print view: no navigation nor form, the filters stated, tables open."""
    db = get_session()
    basins = db.exec(select(Basin).where(Basin.programme_id == programme.id).order_by(col(Basin.code))).all()
    waves = db.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))).all()
    school_names = dict(db.exec(select(School.uai, School.name).where(School.programme_id == programme.id)
                                .order_by(col(School.name))).all())
    return render_template(
        template, programme=programme, filters=filters, drawn=drawn, figure_json=figure_json, cell_text=cell_text,
        basins=basins, waves=waves, school_years=_school_years(programme, as_of), plotly_version=plotly.__version__,
        plotly_style_ids=plotly_asset.plotly_style_ids(), pages=PAGES, share=share, printing=request.args.get("print") == "1",
        as_of=as_of, applied_filters=_applied_filters(filters, basins, waves, school_names), school_names=school_names,
        **_urls(programme, filters, share),
        **context,
    )


def _applied_filters(filters: Filters, basins: list[Basin], waves: list[Wave], school_names: dict[str, str]) -> list[str]:
    """The filters in words, for the print view, which has no form showing them."""
    basin_names = {basin.code: basin.name for basin in basins}
    wave_names = {wave.code: wave.label or wave.code for wave in waves}
    words = {
        _("Bassin"): basin_names.get(filters.basin or "", filters.basin),
        _("Éducation prioritaire"): _("Hors éducation prioritaire") if filters.priority == "none" else filters.priority,
        _("Vague"): wave_names.get(filters.wave or "", filters.wave),
        _("Établissement"): f"{school_names.get(filters.school, '')} ({filters.school})" if filters.school else None,
        _("Année scolaire"): school_year(filters.year) if filters.year else None,
        _("Début"): format_date(filters.start) if filters.start else None,
        _("Fin"): format_date(filters.end) if filters.end else None,
    }
    return [f"{name} : {value}" for name, value in words.items() if value]


@bp.get("/programmes/<int:programme_id>/dashboard")
@access(*READERS)
def overview(programme_id: int):
    """The programme overview: headline cards, then each figure with its caption and table."""
    return dashboard_page("overview", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/equity")
@access(*READERS)
def equity_page(programme_id: int):
    """REP+, REP and other schools side by side."""
    return dashboard_page("equity", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/leadership")
@access(*READERS)
def leadership_page(programme_id: int):
    """Schools whose leadership was briefed before go-live, after it, or not at all."""
    return dashboard_page("leadership", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/school")
@access(*READERS)
def school_page(programme_id: int):
    """One school's dashboard: the school is the `school` filter, chosen in the form."""
    return dashboard_page("school", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/schools/<uai>")
@access(*READERS)
def school_link(programme_id: int, uai: str):
    """A school's dashboard by its address (linked from its progress page): 404 for a school the
    reader may not see, else its dashboard with the school as the filter."""
    programme = programme_or_404(programme_id)
    chosen = school_or_404(programme, uai)
    filters = replace(_filters(programme), school=chosen.uai)
    return redirect(url_for("dashboards.school_page", programme_id=programme.id, **filters.query()))


@bp.get("/programmes/<int:programme_id>/dashboard/trainers")
@access(*READERS)
def trainers_page(programme_id: int):
    """Each trainer's sessions per wave in the adopted plan against capacity."""
    return dashboard_page("trainers", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/training")
@access(*READERS)
def training_page(programme_id: int):
    """The cascade as delivered: sessions, online courses and certifications."""
    return dashboard_page("training", programme_or_404(programme_id))


@bp.get("/programmes/<int:programme_id>/dashboard/<figure>.csv")
@access(*READERS)
def figure_csv(programme_id: int, figure: str) -> Response:
    """One figure's numbers as CSV, for the same filters."""
    return csv_response(programme_or_404(programme_id), figure)


@bp.get("/dashboards/plotly.min.js")
@access(public=True)
def plotly_js() -> Response:
    """The plotly.js of the installed `plotly` package, cached for a year (its URL names the version)."""
    response = Response(plotly_asset.plotly_js(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    return response
