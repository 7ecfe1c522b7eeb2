"""An infeasible plan's conflicts in plain French, beside links to the fields to change.

The planner words its conflicts in English for the command line; the page words them again
from their structured fields (rule, schools, trainers, waves) and the plan's own scenario, so
that the numbers are the ones that were solved. The suggested relaxation is told from the
conflicts' what-if edits (`planner.relaxation_edits`), the same edits the "try this relaxation"
button applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, select

from planner.relaxation_edits import merge_edits
from planner.scenario import Scenario, ScenarioError, validate_scenario
from rollout.models import Plan, School, Trainer, Wave


@dataclass(frozen=True)
class Link:
    """A page where a leader changes what a conflict is about."""

    label: str
    url: str


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the plan page shows it."""

    sentence: str
    links: list[Link] = field(default_factory=list)
    relaxation: list[str] = field(default_factory=list)


def relaxation_edits(plan: Plan) -> list[dict[str, Any]]:
    """All the edits of an infeasible plan's suggested relaxation, one per thing edited."""
    if plan.status != "infeasible":
        return []
    conflicts = (plan.result or {}).get("conflicts", [])
    return merge_edits([edit for conflict in conflicts for edit in conflict.get("edits", [])])


def conflict_views(session: Session, plan: Plan) -> list[ConflictView]:
    """The plan's conflicts in French with their links, or none when it has none."""
    conflicts = (plan.result or {}).get("conflicts", [])
    if not conflicts:
        return []
    try:
        scenario = validate_scenario(plan.scenario)
    except ScenarioError:  # a plan that failed validation has no conflicts, but stay safe
        return [ConflictView(conflict.get("message", "")) for conflict in conflicts]
    return _Wording(scenario, _Pages(session, plan.programme_id)).views(conflicts)


class _Pages:
    """Links to the programme's wave, trainer and school pages, for the records that exist
    (a what-if's added trainer, or a school deleted since, has no page)."""

    def __init__(self, session: Session, programme_id: int) -> None:
        self.programme_id = programme_id
        self.waves = set(session.exec(select(Wave.code).where(Wave.programme_id == programme_id)))
        self.trainers = set(session.exec(select(Trainer.code).where(Trainer.programme_id == programme_id)))
        self.schools = set(session.exec(select(School.uai).where(School.programme_id == programme_id)))

    def wave(self, code: str) -> Link | None:
        if code not in self.waves:
            return None
        return Link(_("vague %(code)s", code=code), url_for("waves.edit", programme_id=self.programme_id, code=code))

    def trainer(self, code: str) -> Link | None:
        if code not in self.trainers:
            return None
        return Link(_("formateur %(code)s", code=code), url_for("trainers.edit", programme_id=self.programme_id, code=code))

    def school(self, uai: str, name: str) -> Link | None:
        if uai not in self.schools:
            return None
        return Link(name, url_for("schools.edit", programme_id=self.programme_id, uai=uai))

    def new_trainer(self) -> Link:
        return Link(_("ajouter un formateur"), url_for("trainers.new", programme_id=self.programme_id))


class _Wording:
    """French sentences for the planner's rules and for the what-if edits that relax them."""

    def __init__(self, scenario: Scenario, pages: _Pages) -> None:
        self.scenario = scenario
        self.pages = pages
        self.schools = {school.uai: school for school in scenario.schools}
        self.trainers = {trainer.id: trainer for trainer in scenario.trainers}
        self.waves = {wave.id: wave for wave in scenario.waves}

    def views(self, conflicts: list[dict[str, Any]]) -> list[ConflictView]:
        return [self.view(conflict) for conflict in conflicts]

    def view(self, conflict: dict[str, Any]) -> ConflictView:
        rule = conflict.get("rule", "")
        sentence = getattr(self, f"_{rule}", None)
        if sentence is None or (rule == "teacher_supply" and "basin" not in conflict):
            # A rule this page does not know, or a plan solved before conflicts named their
            # basin: the planner's own words.
            return ConflictView(conflict.get("message", ""))
        edits = conflict.get("edits", [])
        return ConflictView(sentence(conflict), self._links(conflict, edits), [self._edit(edit) for edit in edits])

    # -- links -----------------------------------------------------------------------------

    def _links(self, conflict: dict[str, Any], edits: list[dict[str, Any]]) -> list[Link]:
        """The pages of what the conflict names and what its edits change, each once."""
        rule = conflict["rule"]
        found: list[Link | None] = []
        if rule in ("pinned_wave", "earliest_wave", "latest_wave"):
            found += [self.pages.school(uai, self._school(uai)) for uai in conflict.get("schools", [])]
        if rule in ("max_schools", "max_pupils"):
            found += [self.pages.wave(code) for code in conflict.get("waves", [])]
        if rule in ("teacher_supply", "trainer_capacity", "vendor_capacity"):
            found += [self.pages.trainer(code) for code in conflict.get("trainers", [])]
        for edit in edits:
            if edit["kind"] == "trainer_capacity":
                found.append(self.pages.trainer(edit["trainer"]))
            elif edit["kind"] == "trainer_add":
                found.append(self.pages.new_trainer())
        links: list[Link] = []
        for link in found:
            if link is not None and link not in links:
                links.append(link)
        return links

    # -- names -----------------------------------------------------------------------------

    def _school(self, uai: str) -> str:
        school = self.schools.get(uai)
        return f"{school.name} ({uai})" if school is not None and school.name else uai

    # -- conflicts -------------------------------------------------------------------------

    def _pinned_wave(self, c: dict[str, Any]) -> str:
        return _("%(school)s est épinglé en vague %(wave)s.", school=self._school(c["schools"][0]), wave=c["waves"][0])

    def _earliest_wave(self, c: dict[str, Any]) -> str:
        return _("%(school)s ne peut pas commencer avant la vague %(wave)s (équipement prêt au plus tôt).",
                 school=self._school(c["schools"][0]), wave=c["waves"][0])

    def _latest_wave(self, c: dict[str, Any]) -> str:
        return _("%(school)s doit commencer au plus tard en vague %(wave)s.", school=self._school(c["schools"][0]), wave=c["waves"][0])

    def _max_schools(self, c: dict[str, Any]) -> str:
        wave = self.waves[c["waves"][0]]
        return ngettext("La vague %(wave)s accueille au plus %(num)d établissement.",
                        "La vague %(wave)s accueille au plus %(num)d établissements.", wave.max_schools or 0, wave=wave.id)

    def _max_pupils(self, c: dict[str, Any]) -> str:
        wave = self.waves[c["waves"][0]]
        return ngettext("La vague %(wave)s accueille au plus %(num)d élève.",
                        "La vague %(wave)s accueille au plus %(num)d élèves.", wave.max_pupils or 0, wave=wave.id)

    def _teacher_supply(self, c: dict[str, Any]) -> str:
        """Who needs teacher sessions in which waves, and why the basin's trainers cannot give them."""
        wave_ids = c.get("waves", [])
        held = [uai for uai in c.get("schools", []) if uai in self.schools]
        basin = c["basin"]
        waves = ", ".join(wave_ids)
        if held:
            sessions = sum(self.scenario.sessions_needed(self.schools[uai]) for uai in held)
            demand = ngettext(
                "Dans le bassin %(basin)s, les établissements concernés ont besoin de %(num)d séance de formation des enseignants en %(waves)s",
                "Dans le bassin %(basin)s, les établissements concernés ont besoin de %(num)d séances de formation des enseignants en %(waves)s",
                sessions, basin=basin, waves=waves,
            )
        else:
            demand = _("Le bassin %(basin)s a besoin de séances de formation des enseignants en %(waves)s", basin=basin, waves=waves)
        return f"{demand}{self._supply(basin, wave_ids)}"

    def _supply(self, basin: str, wave_ids: list[str]) -> str:
        serving = [t for t in self.scenario.academics if t.serves(basin)]
        if not serving:
            return _(", mais aucun formateur académique ne sert ce bassin.")
        lag = self.scenario.cascade.trainer_lag
        positions = [self.scenario.wave_index[w] for w in wave_ids if w in self.scenario.wave_index]
        able = [(t, w) for t in serving for w in positions if t.trained or w >= lag]
        if not able:
            return ngettext(
                ", mais aucun des formateurs qui le servent n'est formé au départ, et un formateur formé dans une vague "
                "n'enseigne que %(num)d vague plus tard : aucun n'est qualifié à temps.",
                ", mais aucun des formateurs qui le servent n'est formé au départ, et un formateur formé dans une vague "
                "n'enseigne que %(num)d vagues plus tard : aucun n'est qualifié à temps.",
                lag,
            )
        capacity = sum(t.capacity_in(self.scenario.waves[w].id) for t, w in able)
        return _(", mais ses formateurs (%(trainers)s) peuvent en assurer au plus %(num)d.",
                 num=capacity, trainers=", ".join(t.id for t in serving))

    def _trainer_capacity(self, c: dict[str, Any]) -> str:
        trainer = self.trainers[c["trainers"][0]]
        overrides = ", ".join(f"{wave} : {n}" for wave, n in trainer.capacity_by_wave.items())
        sentence = ngettext("Le formateur %(trainer)s assure au plus %(num)d séance de formation par vague",
                            "Le formateur %(trainer)s assure au plus %(num)d séances de formation par vague",
                            trainer.capacity, trainer=trainer.id)
        return f"{sentence} ({overrides})." if overrides else f"{sentence}."

    def _vendor_capacity(self, c: dict[str, Any]) -> str:
        wave = c["waves"][0]
        capacity = sum(v.capacity_in(wave) for v in self.scenario.vendors)
        names = ", ".join(v.id for v in self.scenario.vendors) or _("aucun")
        return ngettext(
            "En vague %(wave)s, les formateurs de l'éditeur (%(vendors)s) assurent au plus %(num)d séance, "
            "formation des formateurs et des équipes de direction comprises.",
            "En vague %(wave)s, les formateurs de l'éditeur (%(vendors)s) assurent au plus %(num)d séances, "
            "formation des formateurs et des équipes de direction comprises.",
            capacity, wave=wave, vendors=names,
        )

    # -- relaxation ------------------------------------------------------------------------

    def _edit(self, edit: dict[str, Any]) -> str:
        return getattr(self, f"_relax_{edit['kind']}")(edit)

    def _relax_wave_caps(self, edit: dict[str, Any]) -> str:
        wave = self.waves[edit["wave"]]
        parts = []
        if edit["max_schools"] != wave.max_schools:
            parts.append(_("%(num)d établissements", num=edit["max_schools"]))
        if edit["max_pupils"] != wave.max_pupils:
            parts.append(_("%(num)d élèves", num=edit["max_pupils"]))
        return _("Porter le plafond de la vague %(wave)s à %(caps)s.", wave=wave.id, caps=_(" et ").join(parts))

    def _relax_trainer_capacity(self, edit: dict[str, Any]) -> str:
        trainer = self.trainers[edit["trainer"]]
        return _("Porter la capacité de %(trainer)s en vague %(wave)s de %(old)d à %(new)d séances.",
                 trainer=trainer.id, wave=edit["wave"], old=trainer.capacity_in(edit["wave"]), new=edit["capacity"])

    def _relax_trainer_add(self, edit: dict[str, Any]) -> str:
        trainer = edit["trainer"]
        if trainer["tier"] == "vendor":
            return _("Ajouter un formateur de l'éditeur (%(trainer)s) assurant %(num)d séance(s) par vague.",
                     trainer=trainer["id"], num=trainer["capacity"])
        return _("Ajouter un formateur académique déjà formé (%(trainer)s) pour le bassin %(basin)s, assurant %(num)d séance(s) par vague.",
                 trainer=trainer["id"], basin=", ".join(trainer["basins"] or []), num=trainer["capacity"])

    def _relax_school_pin(self, edit: dict[str, Any]) -> str:
        return _("Ne plus épingler %(school)s à une vague.", school=self._school(edit["uai"]))

    def _relax_school_earliest(self, edit: dict[str, Any]) -> str:
        return _("Avoir %(school)s prêt dès la vague %(wave)s.", school=self._school(edit["uai"]), wave=edit["wave"])

    def _relax_school_latest(self, edit: dict[str, Any]) -> str:
        return _("Laisser %(school)s commencer jusqu'en vague %(wave)s.", school=self._school(edit["uai"]), wave=edit["wave"])

