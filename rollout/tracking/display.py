"""How milestones, statuses, levels and colours are named on pages, in the user's language.

The parsing vocabulary (`vocabulary.py`) accepts many spellings; these are the one label each
that pages show, translated through the catalogue.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MILESTONE_NAMES = {
    "leadership_briefed": _l("Équipe de direction informée"),
    "admins_trained": _l("Administrateurs formés"),
    "platform_provisioned": _l("Plateforme paramétrée"),
    "teachers_trained": _l("Enseignants formés"),
    "school_live": _l("Établissement ouvert"),
    "relays_active": _l("Relais numériques actifs"),
    "pix_certified": _l("Enseignants certifiés Pix+ Édu"),
}
STATUS_NAMES = {
    "not_started": _l("Non commencé"),
    "in_progress": _l("En cours"),
    "done": _l("Terminé"),
    "blocked": _l("Bloqué"),
}
PIX_NAMES = {"initie": _l("Initié"), "confirme": _l("Confirmé"), "avance": _l("Avancé"), "expert": _l("Expert")}
COLOUR_NAMES = {"green": _l("Dans les temps"), "amber": _l("En retard"), "red": _l("En difficulté")}
FIELD_NAMES = {
    "status": _l("Statut"),
    "actual_on": _l("Date de réalisation"),
    "planned_on": _l("Date prévue"),
    "count": _l("Nombre"),
    "note": _l("Note"),
    "kind": _l("Jalon"),
    "source": _l("Origine"),
    **{f"pix_{level}": _l("Pix+ Édu %(level)s", level=name) for level, name in PIX_NAMES.items()},
}
CHANNEL_NAMES = {"form": _l("formulaire"), "api": _l("API"), "import": _l("import"), "cli": _l("ligne de commande"),
                 "system": _l("système")}
