"""Which category each service label belongs to: the default taxonomy, then a programme's overrides.

Platforms name their services freely ("Cahier de textes", "Cahier de Textes numérique",
"Homework"), so the default taxonomy matches keywords rather than exact labels: a label is
folded (lower case, no accents), cut into words, and each word loses one trailing "s" (so
"Notes" and "note", "Absences" and "absence" match alike). A keyword, itself normalised the same
way, matches when its words appear consecutively in the label. The longest matching keyword
wins, so "cahier de liaison" (school life) beats "cahier" alone and "cahier de textes"
(pedagogy) is never confused with it. `other` has its own keywords (personal storage, profile,
settings): those labels are known; a label that matches nothing is unknown, counted as `other`
and listed on the taxonomy page for a district leader to map. A leader's choice is stored as a
`ServiceCategory` override keyed on the folded label, and always wins over the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from rollout import audit
from rollout.models import CATEGORIES, Programme, School, ServiceCategory, UsageMonth
from rollout.core.text import fold
from rollout.usage import summary


DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "pedagogy": (
        "espaces de classe", "espace classe", "espace pedagogique", "classe virtuelle", "cours",
        "devoirs", "exercices", "evaluations", "qcm", "quiz", "cahier de textes", "cahier de texte",
        "cahier", "parcours", "blog", "wiki", "class space", "classroom", "course", "homework",
        "assignment", "exercise", "lesson", "learning path", "pedagogy",
    ),
    "resources": (
        "manuels numeriques", "manuel", "mediacentre", "media centre", "media center", "gar", "cdi",
        "documentation", "ressources", "resource", "textbook", "digital textbook", "library",
        "esidoc", "bibliotheque",
    ),
    "school_life": (
        "notes", "competences", "absences", "emploi du temps", "bulletins", "vie scolaire", "appel",
        "cahier de liaison", "carnet de liaison", "sanctions", "retards", "grades", "marks", "skills",
        "attendance", "timetable", "schedule", "report card", "school life", "roll call",
    ),
    "communication": (
        "messagerie", "actualites", "forum", "annuaire", "agenda", "visioconference", "visio",
        "courrier", "mail", "webmail", "messages", "news", "directory", "calendar", "video conference",
        "videoconference", "chat",
    ),
    "other": (
        "porte documents", "espace de stockage", "stockage", "espace personnel", "mes documents",
        "profil", "parametres", "preferences", "mon compte", "storage", "personal space", "profile",
        "settings", "my account",
    ),
}


@dataclass(frozen=True)
class Classification:
    """A label's category and where it comes from: "override", "default" or "unknown"."""

    category: str
    source: str


@dataclass(frozen=True)
class TaxonomyEntry:
    """One service label seen in a programme's usage, as the taxonomy page lists it."""

    label: str
    visits: int
    category: str
    source: str
    default_category: str | None


def words(label: str) -> tuple[str, ...]:
    """A label's words, folded, with one trailing "s" dropped (plural and singular match)."""
    tokens = re.split(r"[^a-z0-9]+", fold(label))
    return tuple(token[:-1] if len(token) > 3 and token.endswith("s") else token for token in tokens if token)


def _keyword_table() -> list[tuple[tuple[str, ...], str]]:
    """Every keyword as words, longest first, so the most specific keyword wins."""
    table = [(words(keyword), category) for category, keywords in DEFAULT_KEYWORDS.items() for keyword in keywords]
    return sorted(table, key=lambda entry: -len(entry[0]))


KEYWORDS = _keyword_table()


def _contains(label_words: tuple[str, ...], keyword: tuple[str, ...]) -> bool:
    size = len(keyword)
    return any(label_words[start:start + size] == keyword for start in range(len(label_words) - size + 1))


def default_category(label: str) -> str | None:
    """The default taxonomy's category for `label`, or None when no keyword matches it."""
    label_words = words(label)
    return next((category for keyword, category in KEYWORDS if _contains(label_words, keyword)), None)


def label_key(label: str) -> str:
    """The key an override is stored under: the label folded, spaces collapsed."""
    return " ".join(fold(label).split())


def overrides(session: Session, *, programme_id: int) -> dict[str, ServiceCategory]:
    """The programme's overrides by label key."""
    rows = session.exec(select(ServiceCategory).where(ServiceCategory.programme_id == programme_id))
    return {row.label_key: row for row in rows}


def classify(
    labels: Iterable[str], *, programme_overrides: dict[str, ServiceCategory]
) -> dict[str, Classification]:
    """Each label's category: its override if any, else the default taxonomy, else `other` (unknown)."""
    result = {}
    for label in labels:
        override = programme_overrides.get(label_key(label))
        if override is not None:
            result[label] = Classification(override.category, "override")
        else:
            category = default_category(label)
            result[label] = Classification(category or "other", "default" if category else "unknown")
    return result


def programme_labels(session: Session, *, programme_id: int) -> dict[str, int]:
    """Every service label in the programme's usage with its visits (aggregated in SQL)."""
    statement = (
        sa.select(UsageMonth.service, sa.func.sum(UsageMonth.visits))
        .join(School, School.id == UsageMonth.school_id)
        .where(School.programme_id == programme_id)
        .group_by(UsageMonth.service)
    )
    return {label: int(visits) for label, visits in session.execute(statement)}


def category_mapping(session: Session, *, programme_id: int) -> dict[str, str]:
    """The category of every label the programme's usage holds, for reports to join in SQL."""
    labels = session.execute(
        sa.select(UsageMonth.service)
        .join(School, School.id == UsageMonth.school_id)
        .where(School.programme_id == programme_id)
        .distinct()
    ).scalars()
    classified = classify(labels, programme_overrides=overrides(session, programme_id=programme_id))
    return {label: classification.category for label, classification in classified.items()}


def taxonomy_entries(session: Session, *, programme_id: int) -> list[TaxonomyEntry]:
    """Labels seen in the programme's usage (and overridden ones not seen yet), unknown labels
    first, then by visits: what a leader needs to map first is at the top."""
    visits = programme_labels(session, programme_id=programme_id)
    programme_overrides = overrides(session, programme_id=programme_id)
    seen_keys = {label_key(label) for label in visits}
    for key, override in programme_overrides.items():
        if key not in seen_keys:
            visits[override.label] = 0
    classified = classify(visits, programme_overrides=programme_overrides)
    entries = [
        TaxonomyEntry(
            label=label,
            visits=count,
            category=classified[label].category,
            source=classified[label].source,
            default_category=default_category(label),
        )
        for label, count in visits.items()
    ]
    return sorted(entries, key=lambda entry: (entry.source != "unknown", -entry.visits, fold(entry.label)))


def set_category(
    session: Session,
    *,
    programme: Programme,
    label: str,
    category: str | None,
    actor: str,
    channel: str,
    user_id: int | None = None,
) -> ServiceCategory | None:
    """Map `label` to `category` for the programme, or back to the default when `category` is None.

    Writes the override, its audit event and the programme's school-month totals under the new
    mapping in the caller's transaction; does not commit.
    """
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r} (expected one of {', '.join(CATEGORIES)})")
    key = label_key(label)
    if not key:
        raise ValueError("a service label cannot be empty")
    existing = overrides(session, programme_id=programme.id).get(key)
    before = existing.category if existing else None
    if before == category:
        return existing
    event = {
        "actor": actor,
        "channel": channel,
        "user_id": user_id,
        "district_id": programme.district_id,
        "entity": "service_category",
        "entity_id": f"{programme.id}:{key}"[:64],
    }
    if category is None:
        session.delete(existing)
        audit.record(session, action="delete", changes={"label": [existing.label, None], "category": [before, None]}, **event)
        session.flush()
        _refresh_totals(session, programme)
        return None
    if existing is None:
        existing = ServiceCategory(programme_id=programme.id, label_key=key, label=label.strip(), category=category)
        audit.record(session, action="create", changes={"label": [None, existing.label], "category": [None, category]}, **event)
    else:
        existing.category = category
        audit.record(session, action="update", changes={"category": [before, category]}, **event)
    session.add(existing)
    session.flush()
    _refresh_totals(session, programme)
    return existing


def summarise_programme(session: Session, *, programme_id: int) -> None:
    """Recompute both usage summaries of a programme under its taxonomy (after rows were
    written outside the import, as the fixtures loader does). Does not commit."""
    summary.refresh_programme(session, programme_id=programme_id,
                              mapping=lambda: category_mapping(session, programme_id=programme_id))


def _refresh_totals(session: Session, programme: Programme) -> None:
    """Recompute the programme's school-month totals under its mapping as it now is."""
    summary.refresh_categories(session, programme_id=programme.id,
                               mapping=category_mapping(session, programme_id=programme.id))
