"""The trainers dashboard's figure: each trainer's sessions per wave in the adopted plan."""

from __future__ import annotations

from flask_babel import gettext as _

from dashboards.figures import trainers
from dashboards.pages.drawn import Drawn, translated
from dashboards.queries import overview as queries
from dashboards.queries import trainers as trainer_queries
from dashboards.queries.filters import Filters
from rollout.db import get_session
from rollout.models import Programme


def trainers_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
    """The trainers' load (none without an adopted plan); shared, trainers are numbered, not named."""
    db = get_session()
    schools = queries.selected_schools(db, programme=programme, filters=filters)
    load = trainer_queries.trainer_load(db, programme=programme, schools=schools, filters=filters)
    if load is None:
        return []
    if shared:
        load = trainers.neutral(load, lambda number: _("Formateur %(number)d", number=number))
    labels = translated(trainers.LABELS)
    return [Drawn("trainer_load", _("Sessions par formateur et par vague"),
                  _("Sessions que le plan adopté confie à chaque formateur dans chaque vague, sur sa capacité "
                    "d'aujourd'hui (« sessions / capacité ») ; une case au-delà de la capacité est marquée ⚠."),
                  trainers.plot_trainer_load(load, labels), trainers.trainer_load_table(load, labels))]
