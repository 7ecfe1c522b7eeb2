"""A school's dashboard figures: its milestones, its history (signed in only) and its usage."""

from __future__ import annotations

from flask_babel import gettext as _

from dashboards.figures import school
from dashboards.pages.drawn import Drawn, translated
from dashboards.queries import school as school_queries
from dashboards.queries.filters import Filters
from rollout.auth.scope import school_or_404
from rollout.db import get_session
from rollout.models import Programme, School
from rollout.tracking import display
from rollout.tracking.history import school_history


def _school_labels() -> dict[str, str]:
    """The school figures' labels, with milestones and statuses named as the progress pages name them."""
    return (translated(school.LABELS) | {kind: str(name) for kind, name in display.MILESTONE_NAMES.items()}
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


def school_drawn(programme: Programme, filters: Filters, *, shared: bool = False) -> list[Drawn]:
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
