"""How the usage pages name categories, where a category comes from, and report groupings (French
first, translated through the catalogue)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_NAMES = {
    "pedagogy": _l("Pédagogie"),
    "resources": _l("Ressources"),
    "school_life": _l("Vie scolaire"),
    "communication": _l("Communication"),
    "other": _l("Autre"),
}
SOURCE_NAMES = {
    "override": _l("choix du programme"),
    "default": _l("taxonomie par défaut"),
    "unknown": _l("inconnu (compté en « Autre »)"),
}
GROUPING_NAMES = {
    "school": _l("Établissement"),
    "month": _l("Mois"),
    "category": _l("Catégorie"),
}
