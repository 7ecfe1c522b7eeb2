"""The words people use for milestones, statuses and Pix+ Édu levels, in French and English.

Uploads come from spreadsheets typed by hand, so a word is matched after folding case, accents
and punctuation ("Établissement ouvert", "etablissement_ouvert" and "school live" all match).
The first French label of each entry is the one the interface shows.
"""

from __future__ import annotations

import re

from rollout.models import MILESTONE_KINDS, MILESTONE_STATUSES, PIX_LEVELS
from rollout.core.text import fold

MILESTONE_LABELS: dict[str, str] = {
    "leadership_briefed": "Équipe de direction informée",
    "admins_trained": "Administrateurs formés",
    "platform_provisioned": "Plateforme paramétrée",
    "teachers_trained": "Enseignants formés",
    "school_live": "Établissement ouvert",
    "relays_active": "Relais numériques actifs",
    "pix_certified": "Enseignants certifiés Pix+ Édu",
}
STATUS_LABELS: dict[str, str] = {
    "not_started": "Non commencé",
    "in_progress": "En cours",
    "done": "Terminé",
    "blocked": "Bloqué",
}
PIX_LABELS: dict[str, str] = {
    "initie": "Initié",
    "confirme": "Confirmé",
    "avance": "Avancé",
    "expert": "Expert",
}

_MILESTONE_WORDS: dict[str, tuple[str, ...]] = {
    "leadership_briefed": ("leadership briefed", "direction informee", "direction", "equipe de direction",
                           "reunion de lancement", "lancement"),
    "admins_trained": ("administrators trained", "admins trained", "administrateurs", "formation des administrateurs"),
    "platform_provisioned": ("platform provisioned", "plateforme", "plateforme provisionnee", "plateforme deployee",
                             "parametrage", "comptes crees"),
    "teachers_trained": ("teachers trained", "enseignants formes", "formation des enseignants", "formation enseignants"),
    "school_live": ("school live", "live", "ouverture", "mise en service", "en service", "etablissement en service"),
    "relays_active": ("peer relays active", "relays active", "relais", "relais actifs", "ambassadeurs numeriques",
                      "pauses numeriques"),
    "pix_certified": ("teachers certified", "pix", "pix edu", "certification pix", "certification pix edu",
                      "pix certified", "certifies pix edu", "enseignants certifies"),
}
_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "not_started": ("not started", "non commence", "pas commence", "a venir", "a faire", "todo", "pas demarre"),
    "in_progress": ("in progress", "en cours", "commence", "demarre", "started"),
    "done": ("done", "termine", "fait", "realise", "acheve", "complete", "completed", "ok"),
    "blocked": ("blocked", "bloque", "en attente", "suspendu"),
}
_PIX_WORDS: dict[str, tuple[str, ...]] = {
    "initie": ("initial", "beginner", "niveau initie"),
    "confirme": ("confirmed", "intermediate", "niveau confirme"),
    "avance": ("advanced", "niveau avance"),
    "expert": ("niveau expert",),
}


def word_key(text: str) -> str:
    """`text` folded for matching: lower case, no accents, words separated by one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _index(codes: tuple[str, ...], labels: dict[str, str], words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code in codes:
        for word in (code, labels[code], *words[code]):
            index[word_key(word)] = code
    return index


_MILESTONES = _index(MILESTONE_KINDS, MILESTONE_LABELS, _MILESTONE_WORDS)
_STATUSES = _index(MILESTONE_STATUSES, STATUS_LABELS, _STATUS_WORDS)
_PIX = _index(PIX_LEVELS, PIX_LABELS, _PIX_WORDS)


def milestone_words(kind: str) -> tuple[str, ...]:
    """Every spelling that names milestone `kind` (its code, its label, its synonyms)."""
    return (kind, MILESTONE_LABELS[kind], *_MILESTONE_WORDS[kind])


def milestone_kind(text: str) -> str | None:
    """The milestone a word names (French or English), or None when it names none."""
    return _MILESTONES.get(word_key(text))


def status_code(text: str) -> str | None:
    """The status a word names (French or English), or None when it names none."""
    return _STATUSES.get(word_key(text))


def pix_level(text: str) -> str | None:
    """The Pix+ Édu level a word names (French or English), or None when it names none."""
    return _PIX.get(word_key(text))
