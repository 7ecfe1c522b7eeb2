"""The service taxonomy: the default keywords know what French platforms export, a leader's
override wins, and labels nobody knows are listed first."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme, ServiceCategory
from rollout.usage.taxonomy import default_category, set_category, taxonomy_entries
from usage_world import import_usage_file, usage_world  # noqa: F401  (the fixture)

A = "0930001W"


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("Espaces de classe", "pedagogy"),
        ("Cours en ligne", "pedagogy"),
        ("Devoirs", "pedagogy"),
        ("Exercices et évaluations", "pedagogy"),
        ("QCM", "pedagogy"),
        ("CAHIER DE TEXTES", "pedagogy"),
        ("Cahier de texte numérique", "pedagogy"),
        ("Parcours", "pedagogy"),
        ("Blog pédagogique", "pedagogy"),
        ("Wiki", "pedagogy"),
        ("Homework", "pedagogy"),
        ("Manuels numériques", "resources"),
        ("Médiacentre", "resources"),
        ("mediacentre (GAR)", "resources"),
        ("CDI", "resources"),
        ("Documentation", "resources"),
        ("Ressources", "resources"),
        ("Digital textbooks", "resources"),
        ("Notes", "school_life"),
        ("Compétences", "school_life"),
        ("Absences", "school_life"),
        ("Emploi du temps", "school_life"),
        ("Bulletins", "school_life"),
        ("Vie scolaire", "school_life"),
        ("Appel", "school_life"),
        ("Cahier de liaison", "school_life"),
        ("Timetable", "school_life"),
        ("Messagerie", "communication"),
        ("Actualités", "communication"),
        ("Forums", "communication"),
        ("Annuaire", "communication"),
        ("Agenda", "communication"),
        ("Visioconférence", "communication"),
        ("News", "communication"),
        ("Porte-documents", "other"),
        ("Espace de stockage", "other"),
        ("Mon profil", "other"),
        ("Paramètres", "other"),
        ("Settings", "other"),
    ],
)
def test_the_default_taxonomy_knows_what_platforms_export(label: str, category: str) -> None:
    assert default_category(label) == category


def test_the_most_specific_keyword_wins_and_unknown_labels_stay_unknown() -> None:
    assert default_category("Cahier de liaison") == "school_life"
    assert default_category("Cahier") == "pedagogy"
    assert default_category("Jeux sérieux") is None
    assert default_category("") is None


def _import(session: Session, programme: Programme, *lines: str) -> None:
    data = ("date,uai,service,profile,visits\n" + "\n".join(lines) + "\n").encode()
    import_usage_file(session, programme, data, "u.csv")


def test_taxonomy_page_lists_unknown_labels_first_then_by_visits(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        _import(
            session, programme,
            f"2016-03-07,{A},Notes,National_ENS,50",
            f"2016-03-07,{A},Cahier de textes,National_ENS,80",
            f"2016-03-07,{A},Jeux sérieux,National_ELV,5",
            f"2016-03-07,{A},Radio du collège,National_ELV,7",
            f"2016-03-14,{A},Notes,National_ENS,30",
        )
        entries = taxonomy_entries(session, programme_id=programme.id)
    assert [(e.label, e.visits, e.category, e.source) for e in entries] == [
        ("Radio du collège", 7, "other", "unknown"),
        ("Jeux sérieux", 5, "other", "unknown"),
        ("Cahier de textes", 80, "pedagogy", "default"),
        ("Notes", 80, "school_life", "default"),
    ]


def test_an_override_wins_is_audited_and_can_be_removed(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        _import(session, programme, f"2016-03-07,{A},Jeux sérieux,National_ELV,5", f"2016-03-07,{A},Notes,National_ENS,9")
        set_category(session, programme=programme, label="JEUX SERIEUX", category="pedagogy", actor="lea@example.fr", channel="form")
        set_category(session, programme=programme, label="Notes", category="communication", actor="lea@example.fr", channel="form")
        session.commit()
        entries = {e.label: (e.category, e.source, e.default_category) for e in taxonomy_entries(session, programme_id=programme.id)}
        assert entries == {
            "Jeux sérieux": ("pedagogy", "override", None),
            "Notes": ("communication", "override", "school_life"),
        }
        stored = session.exec(select(ServiceCategory.label_key, ServiceCategory.label)).all()
        assert sorted(stored) == [("jeux serieux", "JEUX SERIEUX"), ("notes", "Notes")]

        set_category(session, programme=programme, label="Notes", category=None, actor="lea@example.fr", channel="form")
        set_category(session, programme=programme, label="Jeux sérieux", category="resources", actor="lea@example.fr", channel="api")
        session.commit()
        entries = {e.label: (e.category, e.source) for e in taxonomy_entries(session, programme_id=programme.id)}
        assert entries == {"Jeux sérieux": ("resources", "override"), "Notes": ("school_life", "default")}
        events = session.exec(
            select(AuditEvent.action, AuditEvent.channel, AuditEvent.changes)
            .where(AuditEvent.entity == "service_category").order_by(AuditEvent.id)
        ).all()
    assert [(action, channel, changes["category"]) for action, channel, changes in events] == [
        ("create", "form", [None, "pedagogy"]),
        ("create", "form", [None, "communication"]),
        ("delete", "form", ["communication", None]),
        ("update", "api", ["pedagogy", "resources"]),
    ]


def test_an_unknown_category_is_refused(engine, usage_world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        with pytest.raises(ValueError, match="unknown category 'teaching'"):
            set_category(session, programme=programme, label="Notes", category="teaching", actor="x", channel="form")
