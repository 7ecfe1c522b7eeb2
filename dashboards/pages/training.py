"""The training dashboard's figures: the cascade as delivered, sessions, hours and online courses."""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import gettext as _

from dashboards.figures import training
from dashboards.pages.drawn import Drawn, translated
from dashboards.queries import overview as queries
from dashboards.queries import training as training_queries
from dashboards.queries.filters import Filters
from rollout.db import get_session
from rollout.models import Programme


def training_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
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
    labels = translated(training.LABELS)
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
