"""The overview's figures and headline cards, from its plain data computed once per request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g
from flask_babel import format_percent
from flask_babel import gettext as _

from dashboards.figures import overview as figures
from dashboards.figures.overview import LABELS
from dashboards.pages.drawn import Drawn, as_of_date, translated
from dashboards.queries import overview as queries
from dashboards.queries.filters import Filters
from rollout.db import get_session
from rollout.models import Programme


@dataclass(frozen=True)
class Overview:
    """The overview's plain data for one programme and one choice of filters."""

    rollouts: list[figures.SchoolRollout]
    waves: list[figures.WaveWindow]
    cascade: figures.CascadeCounts
    months: list[figures.MonthUsage]
    shares: list[figures.SchoolShare]
    headline: queries.Headline


def _overview(programme: Programme, filters: Filters) -> Overview:
    """Computed once per request: the overview's figures and its headline cards both need it."""
    computed = g.setdefault("overviews", {})
    if (programme.id, filters) not in computed:
        computed[programme.id, filters] = _compute_overview(programme, filters)
    return computed[programme.id, filters]


def _compute_overview(programme: Programme, filters: Filters) -> Overview:
    db = get_session()
    as_of = as_of_date(programme)
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
    labels = translated(LABELS)
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


def overview_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The overview's figures; `shared` changes nothing, since they name no person."""
    return _drawn(_overview(programme, filters))


def overview_context(programme: Programme, filters: Filters) -> dict[str, Any]:
    return {"headline": _overview(programme, filters).headline, "format_percent": format_percent}
