"""The cheapest relaxation of an infeasible scenario as what-if edits (`planner.whatif`'s vocabulary).

`planner.conflicts` finds which requirements to lift and a relaxed plan that satisfies all the
others (the witness). This module turns each lifted requirement into the edits that make the
witness a valid plan of the edited scenario, so that applying them all is proven feasible:

- a wave cap becomes the relaxed total (`wave_caps`);
- a pinned school is unpinned, an earliest or latest wave moves to the witness's wave;
- a trainer's capacity is raised to what it runs in the witness (`trainer_capacity`);
- a basin's missing teacher sessions go to the qualified trainer serving it with the most
  room left in that wave, whose capacity is raised by what the room does not cover; with no
  qualified trainer in the basin, a trained trainer serving it is added (`trainer_add`), with
  as many sessions a wave as the basin misses in its worst wave (more capacity never makes a
  plan invalid, and a trainer available every wave is what a leader would recruit);
- missing vendor sessions raise the first vendor's capacity in that wave, or add a vendor.

Not to be confused with `planner.relaxation`, the linear relaxation that bounds the objective.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planner.scenario import Scenario, Trainer

Edit = dict[str, Any]
# The id of a trainer a relaxation adds, made unique with a number when taken.
ADDED_TRAINER = "RELAX-{}"


@dataclass(frozen=True)
class Lifted:
    """A requirement the cheapest relaxation lifts: its overshoot per wave, or a school's new wave."""

    overshoot: dict[int, int] = field(default_factory=dict)
    school_wave: int | None = None


@dataclass(frozen=True)
class Witness:
    """The relaxed plan's academic trainers: teacher sessions run and qualification, per (trainer id, wave)."""

    load: dict[tuple[str, int], int]
    qualified: dict[tuple[str, int], bool]


class RelaxationEdits:
    """Edits lifting each requirement of one relaxation; the room trainers have left is shared
    between basins, so requirements must be asked about once each."""

    def __init__(self, scenario: Scenario, witness: Witness) -> None:
        self.scenario = scenario
        self.witness = witness
        self.room = {
            (t.id, w): max(0, t.capacity_in(wave.id) - witness.load.get((t.id, w), 0))
            for t in scenario.academics
            for w, wave in enumerate(scenario.waves)
        }
        self.extra: dict[tuple[str, int], int] = {}
        self.taken_ids = {t.id for t in scenario.trainers}
        self.added: dict[str, str] = {}

    def for_requirement(self, rule: str, subject: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        """The edits that lift one requirement (`planner.model.Requirement`'s rule, subject, wave)."""
        return getattr(self, f"_{rule}")(subject, wave, lifted)

    # -- schools ---------------------------------------------------------------------------

    def _pinned_wave(self, uai: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        return [{"kind": "school_pin", "uai": uai, "wave": None}]

    def _earliest_wave(self, uai: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        # A pinned school's earliest-wave literal guards "not before the pin": the witness may
        # still be at or after its earliest wave, and then only the pin needs to go.
        if lifted.school_wave is None or wave is None or lifted.school_wave >= wave:
            return []
        return [{"kind": "school_earliest", "uai": uai, "wave": self.scenario.waves[lifted.school_wave].id}]

    def _latest_wave(self, uai: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        if lifted.school_wave is None or wave is None or lifted.school_wave <= wave:
            return []
        return [{"kind": "school_latest", "uai": uai, "wave": self.scenario.waves[lifted.school_wave].id}]

    # -- waves -----------------------------------------------------------------------------

    def _max_schools(self, wave_id: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        return self._wave_caps(wave, lifted, "max_schools")

    def _max_pupils(self, wave_id: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        return self._wave_caps(wave, lifted, "max_pupils")

    def _wave_caps(self, wave: int | None, lifted: Lifted, cap: str) -> list[Edit]:
        """Both caps, as `wave_caps` sets both: the lifted one raised, the other as it is."""
        over = lifted.overshoot.get(wave, 0) if wave is not None else 0
        if not over:
            return []
        target = self.scenario.waves[wave]
        edit = {"kind": "wave_caps", "wave": target.id, "max_schools": target.max_schools, "max_pupils": target.max_pupils}
        edit[cap] += over
        return [edit]

    # -- trainers --------------------------------------------------------------------------

    def _trainer_capacity(self, trainer_id: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        trainer = self._trainer(trainer_id)
        edits = []
        for w in sorted(lifted.overshoot):
            edits.append(self._capacity(trainer, w, trainer.capacity_in(self.scenario.waves[w].id) + lifted.overshoot[w]))
        return edits

    def _teacher_supply(self, basin: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        missing = lifted.overshoot.get(wave, 0) if wave is not None else 0
        if not missing:
            return []
        qualified = [
            t for t in self.scenario.academics
            if t.serves(basin) and self.witness.qualified.get((t.id, wave), False)
        ]
        if not qualified:
            return [self._add_trainer(basin, wave, missing, tier="academic")]
        chosen = max(qualified, key=lambda t: self.room[t.id, wave])
        covered = min(self.room[chosen.id, wave], missing)
        self.room[chosen.id, wave] -= covered
        if covered == missing:
            return []
        self.extra[chosen.id, wave] = self.extra.get((chosen.id, wave), 0) + missing - covered
        wave_id = self.scenario.waves[wave].id
        used = max(chosen.capacity_in(wave_id), self.witness.load.get((chosen.id, wave), 0))
        return [self._capacity(chosen, wave, used + self.extra[chosen.id, wave])]

    def _vendor_capacity(self, wave_id: str, wave: int | None, lifted: Lifted) -> list[Edit]:
        missing = lifted.overshoot.get(wave, 0) if wave is not None else 0
        if not missing:
            return []
        vendors = self.scenario.vendors
        if not vendors:
            return [self._add_trainer(None, wave, missing, tier="vendor")]
        return [self._capacity(vendors[0], wave, vendors[0].capacity_in(wave_id) + missing)]

    def _trainer(self, trainer_id: str) -> Trainer:
        return next(t for t in self.scenario.trainers if t.id == trainer_id)

    def _capacity(self, trainer: Trainer, wave: int, capacity: int) -> Edit:
        return {"kind": "trainer_capacity", "trainer": trainer.id, "wave": self.scenario.waves[wave].id, "capacity": capacity}

    def _add_trainer(self, basin: str | None, wave: int, sessions: int, *, tier: str) -> Edit:
        """A trained trainer: one per basin (or for the vendors), its capacity the most missing
        in a wave once `merge_edits` has seen every wave."""
        key = basin or ""
        if key not in self.added:
            name, number = basin or "VENDOR", 1
            trainer_id = ADDED_TRAINER.format(name)
            while trainer_id in self.taken_ids:
                number += 1
                trainer_id = ADDED_TRAINER.format(f"{name}-{number}")
            self.taken_ids.add(trainer_id)
            self.added[key] = trainer_id
        trainer = {
            "id": self.added[key], "name": self.added[key], "tier": tier, "basins": None if basin is None else [basin],
            "capacity": sessions, "capacity_by_wave": {}, "trained": True,
        }
        return {"kind": "trainer_add", "trainer": trainer}


def merge_edits(edits: list[Edit]) -> list[Edit]:
    """One edit per thing edited, the most generous kept: several conflicts may raise the same
    trainer's capacity in a wave, or both caps of a wave. Order of first appearance."""
    merged: dict[tuple, Edit] = {}
    for edit in edits:
        key = _edit_key(edit)
        if key not in merged:
            merged[key] = _copy(edit)
        elif edit["kind"] == "wave_caps":
            for cap in ("max_schools", "max_pupils"):
                merged[key][cap] = _higher_cap(merged[key][cap], edit[cap])
        elif edit["kind"] == "trainer_capacity":
            merged[key]["capacity"] = max(merged[key]["capacity"], edit["capacity"])
        elif edit["kind"] == "trainer_add":
            trainer = merged[key]["trainer"]
            trainer["capacity"] = max(trainer["capacity"], edit["trainer"]["capacity"])
    return list(merged.values())


def _edit_key(edit: Edit) -> tuple:
    kind = edit["kind"]
    if kind == "wave_caps":
        return kind, edit["wave"]
    if kind == "trainer_capacity":
        return kind, edit["trainer"], edit["wave"]
    if kind == "trainer_add":
        return kind, edit["trainer"]["id"]
    return kind, edit["uai"]


def _copy(edit: Edit) -> Edit:
    if edit["kind"] == "trainer_add":
        return {**edit, "trainer": dict(edit["trainer"])}
    return dict(edit)


def _higher_cap(first: int | None, second: int | None) -> int | None:
    """The looser of two caps, None (no cap) being the loosest."""
    if first is None or second is None:
        return None
    return max(first, second)
