"""The dashboards' pages (overview, equity, leadership, a school, trainers), their figures' CSV downloads, and plotly.js.

A page reads its filters from the query string (a copied link shows the same view), asks
`dashboards.queries` for plain data, draws it with `dashboards.figures`, and sends each
figure as JSON in a `<script type="application/json">` block that `static/figures.js` hands
to `Plotly.newPlot`: no inline script, so the Content-Security-Policy stays strict. plotly.js
is the copy inside the installed `plotly` package, so the drawing code and the figures' JSON
always come from the same version, and school networks that block CDNs still see figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import plotly
import plotly.graph_objects as go
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_number, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import col, select

from dashboards.cells import cell_text
from dashboards.figures import equity, leadership, school, trainers, training
from dashboards.figures import overview as figures
from dashboards.figures.overview import LABELS
from dashboards.figures.table import Table
from dashboards.queries import equity as equity_queries
from dashboards.queries import leadership as leadership_queries
from dashboards.queries import overview as queries
from dashboards.queries import school as school_queries
from dashboards.queries import trainers as trainer_queries
from dashboards.queries import training as training_queries
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
from rollout.tracking import display
from rollout.tracking.colour import evaluation_date
from rollout.tracking.history import school_history

bp = Blueprint("dashboards", __name__)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
INJECTED_STYLE = re.compile(rb'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)')
"""A stylesheet plotly.js adds when loaded unless an element with its id is there (maplibre's,
for map tiles the dashboards never use)."""
ONE_YEAR = 365 * 24 * 3600
"""plotly.js is cached for a year: its URL carries the package's version, which changes with it."""


@dataclass(frozen=True)
class Drawn:
    """One figure of a page: its title, what it shows (caption), the figure and its table.

    `figure` is the JSON the page sends once `written`: what the cache keeps, since rebuilding
    a Figure from its data would validate every trace again, the slowest part of a page."""

    name: str
    title: str
    caption: str
    figure: go.Figure | str
    table: Table

    def written(self) -> Drawn:
        """The same figure with its JSON written (`figure_json`), ready to be cached."""
        return replace(self, figure=figure_json(self.figure))


@dataclass(frozen=True)
class Computed:
    """What a dashboard page computes from the data, as the cache keeps it: the figures written,
    what its template needs beyond them (`Page.context`), and the date the data is seen at."""

    drawn: list[Drawn]
    context: dict[str, Any]
    as_of: date


@dataclass(frozen=True)
class Overview:
    """The overview's plain data for one programme and one choice of filters."""

    rollouts: list[figures.SchoolRollout]
    waves: list[figures.WaveWindow]
    cascade: figures.CascadeCounts
    months: list[figures.MonthUsage]
    shares: list[figures.SchoolShare]
    headline: queries.Headline


def _labels(texts: dict[str, str]) -> dict[str, str]:
    return {key: _(text) for key, text in texts.items()}


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


def _overview(programme: Programme, filters: Filters) -> Overview:
    """Computed once per request: the overview's figures and its headline cards both need it."""
    computed = g.setdefault("overviews", {})
    if (programme.id, filters) not in computed:
        computed[programme.id, filters] = _compute_overview(programme, filters)
    return computed[programme.id, filters]


def _as_of(programme: Programme) -> date:
    """The date colours are evaluated at, read once per request: the overview's data and the
    page both need it, and for a simulated country it is 5,287 index lookups (25 ms)."""
    found = g.setdefault("as_of", {})
    if programme.id not in found:
        found[programme.id] = evaluation_date(get_session(), programme=programme, today=date.today())
    return found[programme.id]


def _compute_overview(programme: Programme, filters: Filters) -> Overview:
    db = get_session()
    as_of = _as_of(programme)
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    rollouts = queries.school_rollouts(db, programme=programme, schools=schools, as_of=as_of)
    cascade = queries.cascade_counts(db, programme=programme, schools=schools, filters=filters)
    shares = queries.school_shares(db, programme=programme, schools=schools, filters=filters)
    return Overview(
        rollouts=rollouts,
        waves=queries.wave_windows(db, programme=programme, filters=filters),
        cascade=cascade,
        months=queries.month_usage(db, programme=programme, schools=schools, filters=filters),
        shares=shares,
        headline=queries.headline(rollouts, cascade, shares, as_of=as_of),
    )


def _drawn(data: Overview) -> list[Drawn]:
    """The overview's figures in page order, each with its caption and its table."""
    labels = _labels(LABELS)
    return [
        Drawn("plan_vs_actual", _("Plan et réalisé"),
              _("Établissements ouverts et élèves ayant accès, cumulés dans le temps : le plan adopté (tirets) "
                "et le réalisé (trait plein)."),
              figures.plot_plan_vs_actual(data.rollouts, labels), figures.plan_vs_actual_table(data.rollouts, labels)),
        Drawn("wave_timeline", _("Calendrier des vagues"),
              _("Fenêtre prévue de chaque vague et ouverture réelle de ses établissements ; une ouverture après la "
                "date prévue est marquée d'une croix."),
              figures.plot_wave_timeline(data.waves, data.rollouts, labels),
              figures.wave_timeline_table(data.waves, data.rollouts, labels)),
        Drawn("cascade", _("Cascade de formation"),
              _("Formateurs formés, directions sensibilisées, enseignants formés, enseignants actifs sur l'ENT "
                "et enseignants certifiés Pix+ Édu."),
              figures.plot_cascade(data.cascade, labels), figures.cascade_table(data.cascade, labels)),
        Drawn("usage_by_category", _("Usages par catégorie"),
              _("Visites par mois, empilées : pédagogique (pédagogie et ressources), administratif (vie scolaire "
                "et communication), autre."),
              figures.plot_usage_by_category(data.months, labels), figures.usage_by_category_table(data.months, labels)),
        Drawn("pedagogical_share", _("Part pédagogique par établissement"),
              _("Part des visites consacrée à la pédagogie, par établissement, de la plus forte à la plus faible, "
                "avec la référence nationale (5 %) et l'objectif (20 %)."),
              figures.plot_pedagogical_share(data.shares, labels), figures.pedagogical_share_table(data.shares, labels)),
        Drawn("school_map", _("Carte des établissements"),
              _("Établissements situés par leurs coordonnées, avec leur statut (couleur et forme du symbole)."),
              figures.plot_school_map(data.rollouts, labels), figures.school_map_table(data.rollouts, labels)),
    ]


def figure_json(figure: go.Figure | str) -> str:
    """The figure as JSON that cannot end its `<script>` block, whatever a school is named
    (a figure already written, `Drawn.written`, as it is)."""
    if isinstance(figure, str):
        return figure
    return figure.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _school_years(programme: Programme, as_of: date) -> list[str]:
    """The school years from the programme's start to the data's date, for the filter's choices."""
    first = programme.start_date.year - (programme.start_date.month < 9)
    last = as_of.year - (as_of.month < 9)
    return [school_year(year) for year in range(first, max(first, last) + 1)]


def _equity_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """Equity's figures; `shared` changes nothing, since they name no person."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    measures = equity_queries.school_equity(db, programme=programme, schools=schools, filters=filters)
    labels = _labels(equity.LABELS)
    return [Drawn("equity", _("Éducation prioritaire et hors éducation prioritaire"),
                  _("REP+, REP et hors éducation prioritaire côte à côte : retard moyen d'ouverture sur le plan, part des "
                    "enseignants formés, adoption moyenne des établissements (enseignants, élèves) et part pédagogique."),
                  equity.plot_equity(measures, labels), equity.equity_table(measures, labels))]


def _leadership_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """Leadership's figures; `shared` changes nothing: they name schools, never a head teacher."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    measures = leadership_queries.school_leadership(db, programme=programme, schools=schools, filters=filters)
    labels = _labels(leadership.LABELS)
    return [
        Drawn("leadership", _("Direction informée avant ou après l'ouverture"),
              _("Établissements ouverts dont la direction a été informée avant l'ouverture, après, ou pas encore : "
                "adoption moyenne des établissements (enseignants, élèves) et part pédagogique du groupe."),
              leadership.plot_leadership(measures, labels), leadership.leadership_table(measures, labels)),
        Drawn("leadership_schools", _("Chaque établissement"),
              _("Les mêmes mesures pour chaque établissement ouvert (un point chacun, la forme et la couleur de son "
                "groupe), sur la boîte de son groupe : médiane et quartiles. Au-delà de %(limit)s établissements "
                "ouverts, les boîtes seules : chaque établissement reste dans le tableau des données.",
                limit=format_number(leadership.POINTS_LIMIT)),
              leadership.plot_leadership_schools(measures, labels),
              leadership.leadership_schools_table(measures, labels)),
    ]


def _school_labels() -> dict[str, str]:
    """The school figures' labels, with milestones and statuses named as the progress pages name them."""
    return (_labels(school.LABELS) | {kind: str(name) for kind, name in display.MILESTONE_NAMES.items()}
            | {status: str(name) for status, name in display.STATUS_NAMES.items()})


def _changes(programme: Programme, chosen: School) -> list[school.Change]:
    """The school's history as the progress page words it (personal data: the authors)."""
    changes = []
    for entry in school_history(get_session(), programme=programme, school=chosen):
        event = entry.event
        channel = str(display.CHANNEL_NAMES.get(event.channel, event.channel))
        changes.append(school.Change(
            at=event.at, actor=event.actor,
            channel=f"{channel} n° {event.import_batch_id}" if event.import_batch_id else channel,
            milestone=str(display.MILESTONE_NAMES[entry.kind]) if entry.kind else _("Établissement"),
            change="; ".join(f"{display.FIELD_NAMES.get(field, field)} : {'—' if old is None else old} → "
                             f"{'—' if new is None else new}" for field, (old, new) in event.changes.items()),
        ))
    return changes


def _school_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The chosen school's figures (none until a school is chosen); shared, without its history,
    whose entries name their authors."""
    if not filters.school:
        return []
    db = get_session()
    chosen = school_or_404(programme, filters.school)
    usage = school_queries.school_usage(db, programme=programme, school=chosen, filters=filters)
    milestones = school_queries.school_milestones(db, school=chosen)
    labels = _school_labels()
    drawn = [Drawn("school_milestones", _("Jalons : prévu et réalisé"),
                   _("Date prévue par le plan adopté (cercle) et date de réalisation (losange) de chaque jalon ; un "
                     "jalon réalisé en retard est une croix, avec son retard en jours (⚠ +N j)."),
                   school.plot_school_milestones(milestones, labels), school.milestones_table(milestones, labels))]
    if not shared:
        changes = _changes(programme, chosen)
        drawn.append(Drawn("school_history", _("Historique des modifications"),
                           _("Chaque modification de l'établissement ou de ses jalons, la plus récente en premier : "
                             "quand, qui, par quel canal, et ce qui a changé."),
                           school.plot_school_history(changes, labels), school.history_table(changes, labels)))
    return drawn + [
        Drawn("school_services", _("Usages par service"),
              _("Visites par mois, empilées par catégorie de service (taxonomie du programme)."),
              school.plot_usage_by_service(usage, labels), school.usage_by_service_table(usage, labels)),
        Drawn("school_profiles", _("Usages par profil"),
              _("Visites par mois, empilées par profil : enseignants, élèves, parents, personnels."),
              school.plot_usage_by_profile(usage, labels), school.usage_by_profile_table(usage, labels)),
        Drawn("school_adoption", _("Adoption par mois"),
              _("Part des enseignants et des élèves de l'établissement venus sur l'ENT chaque mois (définition du "
                "rapport d'usage)."),
              school.plot_school_adoption(usage, labels), school.adoption_table(usage, labels)),
        Drawn("school_years", _("Années scolaires comparées"),
              _("Chaque année scolaire (septembre à août) côte à côte : visites, part pédagogique, adoption des "
                "enseignants et des élèves."),
              school.plot_school_years(usage, labels), school.school_years_table(usage, labels)),
    ]


def _trainers_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The trainers' load (none without an adopted plan); shared, trainers are numbered, not named."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    load = trainer_queries.trainer_load(db, programme=programme, schools=schools, filters=filters)
    if load is None:
        return []
    if shared:
        load = trainers.neutral(load, lambda number: _("Formateur %(number)d", number=number))
    labels = _labels(trainers.LABELS)
    return [Drawn("trainer_load", _("Sessions par formateur et par vague"),
                  _("Sessions que le plan adopté confie à chaque formateur dans chaque vague, sur sa capacité "
                    "d'aujourd'hui (« sessions / capacité ») ; une case au-delà de la capacité est marquée ⚠."),
                  trainers.plot_trainer_load(load, labels), trainers.trainer_load_table(load, labels))]


def _training_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The delivered cascade (none while the programme records no session); `shared` changes
    nothing: the figures are aggregates, naming no trainer and linking no trainer's feed."""
    db = get_session()
    if not training_queries.records_sessions(db, programme=programme):
        return []
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    cascade = training_queries.training_cascade(db, programme=programme, schools=schools, filters=filters)
    waves = training_queries.workload(db, programme=programme, schools=schools, filters=filters)
    hours = training_queries.hours_per_teacher(db, programme=programme, schools=schools)
    courses = training_queries.course_progress(db, programme=programme, schools=schools)
    labels = _labels(training.LABELS)
    return [
        Drawn("training_cascade", _("Cascade de formation réalisée"),
              _("Formateurs formés par une session tenue, établissements dont la direction a été sensibilisée, "
                "enseignants formés par modalité (participations aux sessions tenues), enseignants actifs sur l'ENT "
                "et enseignants certifiés Pix+ Édu par niveau."),
              training.plot_training_cascade(cascade, labels), training.training_cascade_table(cascade, labels)),
        Drawn("training_workload", _("Sessions prévues et réalisées par vague"),
              _("Sessions que le plan adopté confie à l'ensemble des formateurs dans chaque vague, sessions tenues et "
                "sessions annulées ; une session pour plusieurs établissements compte une fois."),
              training.plot_workload(waves, labels), training.workload_table(waves, labels)),
        Drawn("training_hours", _("Heures de formation par enseignant"),
              _("Pour chaque établissement : somme des heures × participants des sessions d'enseignants tenues, "
                "divisée par le nombre d'enseignants de l'établissement. Au-delà de %(limit)s établissements, leur "
                "répartition : combien d'établissements ont combien d'heures par enseignant.",
                limit=format_number(training.BARS_LIMIT)),
              training.plot_hours_per_teacher(hours, labels), training.hours_per_teacher_table(hours, labels)),
        Drawn("training_courses", _("Achèvement des parcours M@gistère"),
              _("Pour chaque parcours en ligne : enseignants ayant terminé sur enseignants inscrits, d'après le "
                "dernier export des participants (comptes par établissement, aucune donnée personnelle)."),
              training.plot_completion(courses, labels), training.completion_table(courses, labels)),
    ]


class Builder(Protocol):
    """What draws a dashboard's figures. With `shared` (a share link, read by people without an
    account) the figures show no personal data: no author of an audit entry, no head teacher,
    trainers under neutral labels."""

    def __call__(self, programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]: ...


def _overview_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The overview's figures; `shared` changes nothing, since they name no person."""
    return _drawn(_overview(programme, filters))


DASHBOARDS: dict[str, Builder] = {
    "overview": _overview_drawn,
    "equity": _equity_drawn,
    "leadership": _leadership_drawn,
    "school": _school_drawn,
    "trainers": _trainers_drawn,
    "training": _training_drawn,
}
FIGURES = {name: "overview" for name in (
    "plan_vs_actual", "wave_timeline", "cascade", "usage_by_category", "pedagogical_share", "school_map")} | {"equity": "equity", "leadership": "leadership", "leadership_schools": "leadership", "trainer_load": "trainers"} | {
    name: "training" for name in ("training_cascade", "training_workload", "training_hours", "training_courses")} | {
    name: "school" for name in ("school_milestones", "school_history", "school_services", "school_profiles",
                                "school_adoption", "school_years")}
"""Which dashboard draws each figure (its CSV is computed by that dashboard alone)."""


def _no_context(programme: Programme, filters: Filters) -> dict[str, Any]:
    return {}


def _overview_context(programme: Programme, filters: Filters) -> dict[str, Any]:
    return {"headline": _overview(programme, filters).headline, "format_percent": format_percent}


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
    "overview": Page("dashboards.overview", "dashboards/overview.html", _l("Vue d'ensemble"), _overview_context),
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
    as_of = _as_of(programme)
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
        plotly_style_ids=plotly_style_ids(), pages=PAGES, share=share, printing=request.args.get("print") == "1",
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
    response = Response(_plotly_js(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    return response


@cache
def plotly_style_ids() -> tuple[str, ...]:
    """The ids of the stylesheets plotly.js would inject on load: the page names them so that it
    does not, since the CSP (no inline style) would refuse them with a console error."""
    return tuple(found.decode() for found in INJECTED_STYLE.findall(_plotly_js()))


@cache
def _plotly_js() -> bytes:
    """Read once per process: a file handle per request would outlive responses nobody reads to the end."""
    return PLOTLY_JS.read_bytes()

