"""The `rollout-plan/1` contract as data: what a solve returns, and how it is written.

Kept free of OR-Tools so that the web application and the exporters can read and build plans
without the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "rollout-plan/1"
# The statuses of a result that holds a plan (the others, INFEASIBLE and UNKNOWN, hold none).
PLANNED = ("OPTIMAL", "FEASIBLE")


def relative_gap(objective: float, bound: float) -> float:
    """Relative distance between a plan's objective and the proven bound (0 when optimal)."""
    return max(0.0, objective - bound) / max(1.0, abs(objective))


@dataclass(frozen=True)
class Progress:
    """One improving plan found during a solve, for live progress displays."""

    objective: float
    bound: float
    elapsed: float


@dataclass(frozen=True)
class TeacherSessions:
    """`sessions` teacher-training sessions run by `trainer` at school `uai` in `wave`."""

    trainer: str
    uai: str
    wave: str
    sessions: int


@dataclass(frozen=True)
class TrainerTraining:
    """One vendor session in `wave` that trains the listed academic trainers."""

    vendor: str
    wave: str
    trainers: tuple[str, ...]


@dataclass(frozen=True)
class LeadershipTraining:
    """One vendor session in `wave` that trains the leadership of the listed schools."""

    vendor: str
    wave: str
    schools: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """One requirement of an infeasible scenario, named in the scenario's own terms.

    `relax` says how to lift it when it belongs to the cheapest relaxation found, else None;
    `edits` are the same advice as what-if edits (`planner.relaxation_edits`), which together
    make the scenario feasible; `basin` names the basin of a teacher-supply conflict. All three
    are extra fields, which the contract allows.
    """

    rule: str
    message: str
    schools: tuple[str, ...] = ()
    trainers: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    relax: str | None = None
    edits: tuple[dict[str, Any], ...] = ()
    basin: str | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "rule": self.rule,
            "message": self.message,
            "schools": list(self.schools),
            "trainers": list(self.trainers),
            "waves": list(self.waves),
        }
        if self.relax is not None:
            document["relax"] = self.relax
        if self.edits:
            document["edits"] = [dict(edit) for edit in self.edits]
        if self.basin is not None:
            document["basin"] = self.basin
        return document


@dataclass
class PlanResult:
    """A solve's outcome: the plan (empty unless a plan was found), its quality and statistics.

    `objective` and `bound` are exact contract values (floats, weights unscaled), or None when no
    plan was found. `stats` carries solver figures; wall-clock figures are left out of the JSON
    of a deterministic run so that two runs write identical files.
    """

    scenario: str
    status: str
    objective: float | None = None
    bound: float | None = None
    assignments: dict[str, str] = field(default_factory=dict)
    teacher_sessions: list[TeacherSessions] = field(default_factory=list)
    trainer_training: list[TrainerTraining] = field(default_factory=list)
    leadership_training: list[LeadershipTraining] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative distance between the plan and the proven bound (0 when optimal)."""
        if self.objective is None or self.bound is None:
            return None
        return relative_gap(self.objective, self.bound)

    def to_json(self) -> dict[str, Any]:
        """The plan as a `rollout-plan/1` document."""
        return {
            "format": FORMAT,
            "scenario": self.scenario,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "assignments": [{"uai": uai, "wave": wave} for uai, wave in self.assignments.items()],
            "teacher_sessions": [
                {"trainer": s.trainer, "uai": s.uai, "wave": s.wave, "sessions": s.sessions}
                for s in self.teacher_sessions
            ],
            "trainer_training": [
                {"vendor": t.vendor, "wave": t.wave, "trainers": list(t.trainers)} for t in self.trainer_training
            ],
            "leadership_training": [
                {"vendor": t.vendor, "wave": t.wave, "schools": list(t.schools)} for t in self.leadership_training
            ],
            "conflicts": [conflict.to_json() for conflict in self.conflicts],
            "stats": self.stats,
        }
