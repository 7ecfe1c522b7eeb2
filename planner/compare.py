"""Compare plans side by side: what a district leader weighs when choosing between scenarios.

Plans of one scenario differ in how soon pupils get the platform, how hard they work the
trainers and how much they buy from the vendor; the comparison puts those numbers in one table,
a column per plan. Pupils and capacities live in the scenario, not the plan, so the rows that
need them (pupils live, trainer utilisation) appear only when the scenario is given; a plan
names its scenario in its `scenario` field, and a plan made for a scenario of another name is
reported rather than silently compared.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

from planner.export import spreadsheet_safe

TIERS = ("academic", "vendor")


@dataclass(frozen=True)
class Usage:
    """Sessions run against sessions available, over every wave of the scenario."""

    sessions: int
    capacity: int

    @property
    def share(self) -> float | None:
        return self.sessions / self.capacity if self.capacity else None

    def __str__(self) -> str:
        share = f" ({self.share:.0%})" if self.share is not None else ""
        return f"{self.sessions}/{self.capacity}{share}"


@dataclass(frozen=True)
class PlanSummary:
    """The figures of one plan; the scenario-dependent ones are None without a scenario."""

    name: str
    status: str
    objective: float | None
    bound: float | None
    schools_per_wave: dict[str, int]
    trainer_training_sessions: int
    leadership_sessions: int
    pupils_live_after: dict[str, int] | None = None
    utilisation: dict[str, Usage] | None = None

    @property
    def gap(self) -> float | None:
        """Relative distance to the proven bound, as the planner reports it (0 when optimal)."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(1.0, abs(self.objective))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "schools_per_wave": self.schools_per_wave,
            "pupils_live_after": self.pupils_live_after,
            "utilisation": None
            if self.utilisation is None
            else {key: {"sessions": u.sessions, "capacity": u.capacity} for key, u in self.utilisation.items()},
            "vendor_sessions": {
                "trainer_training": self.trainer_training_sessions,
                "leadership": self.leadership_sessions,
            },
        }


@dataclass(frozen=True)
class Comparison:
    """Plans summarised over the same waves, in the order they were given."""

    waves: list[str]
    plans: list[PlanSummary] = field(default_factory=list)

    def rows(self) -> list[tuple[str, list[Any]]]:
        """The table: a label and one raw value per plan (None where a figure does not apply)."""
        plans = self.plans
        rows: list[tuple[str, list[Any]]] = [
            ("status", [p.status for p in plans]),
            ("objective", [p.objective for p in plans]),
            ("bound", [p.bound for p in plans]),
            ("gap", [p.gap for p in plans]),
        ]
        rows += [(f"schools in {w}", [p.schools_per_wave.get(w, 0) for p in plans]) for w in self.waves]
        if all(p.pupils_live_after is not None for p in plans):
            rows += [(f"pupils live after {w}", [p.pupils_live_after[w] for p in plans]) for w in self.waves]
        if all(p.utilisation is not None for p in plans):
            rows += [(f"trainer utilisation ({k})", [p.utilisation[k] for p in plans]) for k in ("all", *TIERS)]
        rows += [
            ("vendor sessions: trainer training", [p.trainer_training_sessions for p in plans]),
            ("vendor sessions: leadership", [p.leadership_sessions for p in plans]),
        ]
        return rows

    def to_text(self) -> str:
        """An aligned table for the terminal, numbers grouped by thousands."""
        table = [["", *(p.name for p in self.plans)]]
        table += [
            [label, *(_cell(value, readable=True, percent=label == "gap") for value in values)]
            for label, values in self.rows()
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = [
            "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in table
        ]
        return "\n".join(line.rstrip() for line in lines) + "\n"

    def to_csv(self) -> str:
        """The same table as CSV, numbers unformatted, for a spreadsheet."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["metric", *(spreadsheet_safe(p.name) for p in self.plans)])
        for label, values in self.rows():
            writer.writerow([label, *(spreadsheet_safe(value) if isinstance(value, str) else _cell(value, readable=False)
                                      for value in values)])
        return buffer.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {"waves": self.waves, "plans": [p.to_json() for p in self.plans]}


def _cell(value: Any, *, readable: bool, percent: bool = False) -> str:
    if value is None:
        return "—" if readable else ""
    if percent and readable:
        return f"{value:.2%}"
    if isinstance(value, float) and readable:
        return f"{value:,.1f}"
    if isinstance(value, int) and readable:
        return f"{value:,}"
    return str(value)


def compare_plans(
    scenario: dict[str, Any] | None, plans: list[dict[str, Any]], *, names: list[str] | None = None
) -> Comparison:
    """Summarise `plans` side by side; `names` label the columns (default: plan 1, plan 2, …).

    Without a scenario, waves are ordered by their ids (W2 before W10) and the pupils and
    utilisation rows are left out, since only the scenario knows pupils and capacities.
    """
    names = names or [f"plan {index + 1}" for index in range(len(plans))]
    if scenario is not None:
        waves = [wave["id"] for wave in scenario["waves"]]
    else:
        found = {a["wave"] for plan in plans for a in plan.get("assignments") or []}
        waves = sorted(found, key=lambda w: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", w)])
    return Comparison(waves=waves, plans=[_summary(scenario, plan, name, waves) for plan, name in zip(plans, names)])


def _summary(scenario: dict[str, Any] | None, plan: dict[str, Any], name: str, waves: list[str]) -> PlanSummary:
    assignments = plan.get("assignments") or []
    schools_per_wave = {w: sum(1 for a in assignments if a["wave"] == w) for w in waves}
    summary = PlanSummary(
        name=name,
        status=plan.get("status", "?"),
        objective=plan.get("objective"),
        bound=plan.get("bound"),
        schools_per_wave=schools_per_wave,
        trainer_training_sessions=len(plan.get("trainer_training") or []),
        leadership_sessions=len(plan.get("leadership_training") or []),
    )
    if scenario is None:
        return summary
    pupils = {school["uai"]: school["pupils"] for school in scenario["schools"]}
    live, cumulative = {}, 0
    for w in waves:
        cumulative += sum(pupils[a["uai"]] for a in assignments if a["wave"] == w)
        live[w] = cumulative
    return replace(summary, pupils_live_after=live, utilisation=_utilisation(scenario, plan))


def _utilisation(scenario: dict[str, Any], plan: dict[str, Any]) -> dict[str, Usage]:
    """Sessions run over capacity, per tier and overall (rule 6's sessions, all waves summed)."""
    capacity = {tier: 0 for tier in TIERS}
    for trainer in scenario["trainers"]:
        by_wave = trainer.get("capacity_by_wave") or {}
        capacity[trainer["tier"]] += sum(by_wave.get(w["id"], trainer["capacity"]) for w in scenario["waves"])
    run = {
        "academic": sum(entry["sessions"] for entry in plan.get("teacher_sessions") or []),
        "vendor": len(plan.get("trainer_training") or []) + len(plan.get("leadership_training") or []),
    }
    usage = {tier: Usage(run[tier], capacity[tier]) for tier in TIERS}
    return {"all": Usage(sum(run.values()), sum(capacity.values())), **usage}
