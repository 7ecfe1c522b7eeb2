"""The equity dashboard's figure: priority-education groups side by side."""

from __future__ import annotations

from flask_babel import gettext as _

from dashboards.figures import equity
from dashboards.pages.drawn import Drawn, translated
from dashboards.queries import equity as equity_queries
from dashboards.queries import overview as queries
from dashboards.queries.filters import Filters
from rollout.db import get_session
from rollout.models import Programme


def equity_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """Equity's figures; `shared` changes nothing, since they name no person."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    measures = equity_queries.school_equity(db, programme=programme, schools=schools, filters=filters)
    labels = translated(equity.LABELS)
    return [Drawn("equity", _("Éducation prioritaire et hors éducation prioritaire"),
                  _("REP+, REP et hors éducation prioritaire côte à côte : retard moyen d'ouverture sur le plan, part des "
                    "enseignants formés, adoption moyenne des établissements (enseignants, élèves) et part pédagogique."),
                  equity.plot_equity(measures, labels), equity.equity_table(measures, labels))]
