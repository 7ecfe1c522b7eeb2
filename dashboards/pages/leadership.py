"""The leadership dashboard's figures: schools by when their leadership was briefed."""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import gettext as _

from dashboards.figures import leadership
from dashboards.pages.drawn import Drawn, translated
from dashboards.queries import leadership as leadership_queries
from dashboards.queries import overview as queries
from dashboards.queries.filters import Filters
from rollout.db import get_session
from rollout.models import Programme


def leadership_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """Leadership's figures; `shared` changes nothing: they name schools, never a head teacher."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    measures = leadership_queries.school_leadership(db, programme=programme, schools=schools, filters=filters)
    labels = translated(leadership.LABELS)
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
