"""Each what-if edit as one plain French sentence (translated through the catalogue), so that a
leader reads a scenario as a list of decisions, not JSON. Names of trainers and schools come
from the programme's document when they are in it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

Edit = dict[str, Any]
CASCADE_WORDS = ("trainer_lag", "teachers_per_session", "trainers_per_session", "schools_per_leadership_session")


def edit_sentences(edits: list[Edit], document: dict[str, Any]) -> list[str]:
    """One sentence per edit, in order; `document` is the programme's (to name schools and trainers)."""
    names = {school["uai"]: school.get("name") for school in document.get("schools", [])}
    names.update({trainer["id"]: trainer.get("name") for trainer in document.get("trainers", [])})
    return [edit_sentence(edit, names) for edit in edits]


def edit_sentence(edit: Edit, names: dict[str, str | None]) -> str:
    """The sentence of one edit (an edit the vocabulary does not know is shown as it is)."""
    kind = edit.get("kind")
    if kind == "wave_caps":
        return _("Vague %(wave)s : %(schools)s, %(pupils)s.", wave=edit["wave"],
                 schools=_schools(edit["max_schools"]), pupils=_pupils(edit["max_pupils"]))
    if kind == "trainer_capacity":
        who = _named(edit["trainer"], names)
        if edit["wave"] is None:
            return _("%(trainer)s : %(n)s sessions par vague.", trainer=who, n=edit["capacity"])
        if edit["capacity"] == 0:
            return _("%(trainer)s : indisponible en vague %(wave)s.", trainer=who, wave=edit["wave"])
        return _("%(trainer)s : %(n)s sessions en vague %(wave)s.", trainer=who, n=edit["capacity"], wave=edit["wave"])
    if kind == "trainer_add":
        return _trainer_added(edit["trainer"])
    if kind == "trainer_remove":
        return _("%(trainer)s retiré du scénario.", trainer=_named(edit["trainer"], names))
    if kind == "cascade":
        return _("Cascade : %(changes)s.", changes=", ".join(_cascade_part(key, edit[key]) for key in CASCADE_WORDS if key in edit))
    if kind == "priority_weights":
        return _("Poids de priorité : REP+ %(rep_plus)s, REP %(rep)s, hors éducation prioritaire %(none)s.",
                 rep_plus=_number(edit["REP+"]), rep=_number(edit["REP"]), none=_number(edit["none"]))
    if kind in ("school_pin", "school_earliest", "school_latest"):
        return _school_sentence(kind, _named(edit["uai"], names), edit["wave"])
    if kind == "wave_add":
        wave = edit["wave"]
        return _("Vague ajoutée : %(wave)s du %(start)s au %(end)s, %(schools)s, %(pupils)s.",
                 wave=wave["id"], start=wave["start"], end=wave["end"],
                 schools=_schools(wave.get("max_schools")), pupils=_pupils(wave.get("max_pupils")))
    return str(edit)


def _named(key: str, names: dict[str, str | None]) -> str:
    name = names.get(key)
    return f"{key} ({name})" if name and name != key else key


def _schools(cap: int | None) -> str:
    return _("établissements sans limite") if cap is None else _("au plus %(n)s établissements", n=cap)


def _pupils(cap: int | None) -> str:
    return _("élèves sans limite") if cap is None else _("au plus %(n)s élèves", n=cap)


def _number(value: float) -> str:
    return f"{value:g}"


def _trainer_added(trainer: dict[str, Any]) -> str:
    basins = trainer.get("basins")
    return _("Formateur ajouté : %(trainer)s, %(tier)s, %(n)s sessions par vague, %(basins)s, %(trained)s.",
             trainer=_named(trainer["id"], {trainer["id"]: trainer.get("name")}),
             tier=_("de l'éditeur") if trainer.get("tier") == "vendor" else _("académique"),
             n=trainer.get("capacity"),
             basins=_("tous les bassins") if basins is None else _("bassins %(codes)s", codes=", ".join(basins)),
             trained=_("déjà formé") if trainer.get("trained") or trainer.get("tier") == "vendor" else _("à former"))


def _cascade_part(key: str, value: int) -> str:
    if key == "trainer_lag":
        return _("%(n)s vague(s) entre la formation d'un formateur et ses premières sessions", n=value)
    if key == "teachers_per_session":
        return _("%(n)s enseignants par session", n=value)
    if key == "trainers_per_session":
        return _("%(n)s formateurs formés par session de l'éditeur", n=value)
    return _("%(n)s établissements par session de direction", n=value)


def _school_sentence(kind: str, school: str, wave: str | None) -> str:
    if kind == "school_pin":
        if wave is None:
            return _("%(school)s n'est plus fixé à une vague.", school=school)
        return _("%(school)s fixé en vague %(wave)s.", school=school, wave=wave)
    if kind == "school_earliest":
        if wave is None:
            return _("%(school)s : équipé dès la première vague.", school=school)
        return _("%(school)s : pas avant la vague %(wave)s (équipement en retard).", school=school, wave=wave)
    if wave is None:
        return _("%(school)s : plus de vague limite.", school=school)
    return _("%(school)s : au plus tard en vague %(wave)s.", school=school, wave=wave)
