"""One plan's figures, for the plan page: where its schools go, how soon pupils get the
platform against the greedy baseline, and how hard it works the trainers and the vendor.

They read a `rollout-scenario/1` and its `rollout-plan/1` as plain dictionaries, so a plan file
from the command line draws as one from the database. As in `overview`, each figure is
`plot_<what>()` → `_<what>_data()` → `_<what>_figure()`, and `<what>_table()` gives the same
numbers, so the figure, its accessible table and its download never disagree. The academic
trainers' load is the trainers dashboard's heatmap ("sessions / capacity", ⚠ past capacity),
fed with the capacities the plan was solved with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from math import cos, radians
from typing import Any

import plotly.graph_objects as go

from dashboards.figures import trainers
from dashboards.figures.arrays import numbers, objects
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREY, NAME, OKABE_ITO, ORANGE, VERMILLION

WAVE_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "pentagon", "triangle-down", "hexagon",
                "cross")
"""A marker shape per wave (cycled past ten), so that the map reads without its colours."""
OVER = trainers.OVER

LABELS: dict[str, str] = trainers.LABELS | {
    "wave": _("Vague"),
    "uai": _("UAI"),
    "school": _("Établissement"),
    "basin": _("Bassin"),
    "pupils": _("Élèves"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "pupils_in_wave": _("Élèves de la vague"),
    "pupils_live": _("Élèves ayant accès, cumulés"),
    "plan": _("Ce plan"),
    "greedy": _("Référence gloutonne"),
    "no_greedy": _("pas de référence gloutonne"),
    "trainer_training": _("Formations de formateurs"),
    "leadership": _("Formations des directions"),
    "vendor_capacity": _("Capacité de l'éditeur"),
    "sessions": _("Sessions"),
}


def _figure(**layout: Any) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(template=NAME, **layout)
    return figure


def _wave_ids(scenario: Mapping[str, Any]) -> list[str]:
    return [wave["id"] for wave in scenario["waves"]]


def _wave_of(plan: Mapping[str, Any]) -> dict[str, str]:
    return {row["uai"]: row["wave"] for row in plan.get("assignments", [])}


# Schools per wave on a map -------------------------------------------------------------------


@dataclass(frozen=True)
class WaveMapData:
    """Located schools by wave (wave order), and the aspect ratio that keeps distances true."""

    by_wave: dict[str, list[Mapping[str, Any]]]
    aspect: float


def _wave_map_data(scenario: Mapping[str, Any], plan: Mapping[str, Any]) -> WaveMapData:
    wave_of = _wave_of(plan)
    located = [s for s in scenario["schools"]
               if s.get("latitude") is not None and s.get("longitude") is not None and s["uai"] in wave_of]
    mean_latitude = sum(s["latitude"] for s in located) / len(located) if located else 0
    by_wave: dict[str, list[Mapping[str, Any]]] = {wave: [] for wave in _wave_ids(scenario)}
    for school in sorted(located, key=lambda s: s["uai"]):
        by_wave[wave_of[school["uai"]]].append(school)
    return WaveMapData(by_wave=by_wave, aspect=1 / cos(radians(mean_latitude)))


def _wave_map_figure(data: WaveMapData, labels: Mapping[str, str]) -> go.Figure:
    """A plain longitude/latitude scatter, as the overview's map: no tile server, works offline."""
    figure = _figure(hovermode="closest")
    for index, (wave, schools) in enumerate(data.by_wave.items()):
        figure.add_trace(go.Scatter(
            x=numbers(s["longitude"] for s in schools), y=numbers(s["latitude"] for s in schools), mode="markers", name=wave,
            marker={"color": OKABE_ITO[index % len(OKABE_ITO)], "symbol": WAVE_SYMBOLS[index % len(WAVE_SYMBOLS)],
                    "size": 11, "line": {"width": 1, "color": "#555555"}},  # outlined: yellow shows on white
            text=objects(s.get("name") or s["uai"] for s in schools), hovertemplate="%{text}<extra>%{fullData.name}</extra>",
        ))
    figure.update_xaxes(title=labels["longitude"], showgrid=False)
    figure.update_yaxes(title=labels["latitude"], showgrid=False, scaleanchor="x", scaleratio=data.aspect)
    return figure


def plot_wave_map(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The plan's schools where they are, a colour and a marker shape per wave."""
    return _wave_map_figure(_wave_map_data(scenario, plan), labels)


def wave_map_table(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> Table:
    data = _wave_map_data(scenario, plan)
    return Table((labels["wave"], labels["uai"], labels["school"], labels["latitude"], labels["longitude"]),
                 [(wave, s["uai"], s.get("name", ""), s["latitude"], s["longitude"])
                  for wave, schools in data.by_wave.items() for s in schools])


# Pupils reached per wave, against the greedy baseline -----------------------------------------


@dataclass(frozen=True)
class PupilsReachedData:
    """Per wave: the plan's pupils, its running total, and the greedy baseline's running total
    (None when the greedy found no plan)."""

    waves: list[str]
    pupils: list[int]
    cumulative: list[int]
    greedy: list[int] | None


def _pupils_reached_data(scenario: Mapping[str, Any], plan: Mapping[str, Any],
                         greedy: Mapping[str, int] | None) -> PupilsReachedData:
    waves = _wave_ids(scenario)
    pupils_of = {school["uai"]: school["pupils"] for school in scenario["schools"]}
    per_wave: dict[str, int] = defaultdict(int)
    for uai, wave in _wave_of(plan).items():
        per_wave[wave] += pupils_of.get(uai, 0)
    pupils = [per_wave[wave] for wave in waves]
    return PupilsReachedData(
        waves=waves, pupils=pupils, cumulative=list(accumulate(pupils)),
        greedy=None if greedy is None else list(accumulate(greedy.get(wave, 0) for wave in waves)),
    )


def _pupils_reached_figure(data: PupilsReachedData, labels: Mapping[str, str]) -> go.Figure:
    figure = _figure(hovermode="x unified")
    figure.add_trace(go.Scatter(x=data.waves, y=data.cumulative, name=labels["plan"], mode="lines+markers",
                                line={"color": BLUE}, marker={"symbol": "circle", "size": 9}))
    if data.greedy is None:
        figure.update_layout(annotations=[{"xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
                                           "yanchor": "bottom", "showarrow": False, "text": labels["no_greedy"]}])
    else:
        figure.add_trace(go.Scatter(x=data.waves, y=data.greedy, name=labels["greedy"], mode="lines+markers",
                                    line={"color": GREY, "dash": "dash"}, marker={"symbol": "x", "size": 9}))
    figure.update_xaxes(type="category", title=labels["wave"])
    figure.update_yaxes(title=labels["pupils_live"], rangemode="tozero")
    return figure


def plot_pupils_reached(scenario: Mapping[str, Any], plan: Mapping[str, Any], greedy: Mapping[str, int] | None,
                        labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Pupils with the platform after each wave, the plan (solid) against the greedy baseline
    (dashed, crosses; `greedy` is its pupils per wave, None when it found no plan, which the
    figure then says)."""
    return _pupils_reached_figure(_pupils_reached_data(scenario, plan, greedy), labels)


def pupils_reached_table(scenario: Mapping[str, Any], plan: Mapping[str, Any], greedy: Mapping[str, int] | None,
                         labels: Mapping[str, str] = LABELS) -> Table:
    data = _pupils_reached_data(scenario, plan, greedy)
    baseline: Sequence[int | str] = data.greedy if data.greedy is not None else [labels["no_greedy"]] * len(data.waves)
    return Table((labels["wave"], labels["pupils_in_wave"], labels["pupils_live"], labels["greedy"]),
                 list(zip(data.waves, data.pupils, data.cumulative, baseline)))


# Academic trainers' sessions per wave against capacity -----------------------------------------


def academic_load(scenario: Mapping[str, Any], plan: Mapping[str, Any]) -> trainers.TrainerLoad:
    """Each academic trainer's teacher sessions per wave, with the capacity the plan was solved with."""
    waves = _wave_ids(scenario)
    sessions: dict[tuple[str, str], int] = defaultdict(int)
    for entry in plan.get("teacher_sessions", []):
        sessions[entry["trainer"], entry["wave"]] += entry["sessions"]
    academics = sorted((t for t in scenario["trainers"] if t["tier"] == "academic"), key=lambda t: t["id"])
    return trainers.TrainerLoad(waves=waves, trainers=[
        trainers.TrainerRow(
            number=number, name=trainer.get("name") or trainer["id"], tier="academic",
            sessions=[sessions[trainer["id"], wave] for wave in waves],
            capacity=[_capacity(trainer, wave) for wave in waves],
        )
        for number, trainer in enumerate(academics, start=1)
    ])


def _capacity(trainer: Mapping[str, Any], wave: str) -> int:
    return int((trainer.get("capacity_by_wave") or {}).get(wave, trainer["capacity"]))


def plot_academic_load(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """A row per academic trainer, a column per wave, each cell "sessions / capacity" (⚠ beyond)."""
    return trainers.plot_trainer_load(academic_load(scenario, plan), labels)


def academic_load_table(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> Table:
    return trainers.trainer_load_table(academic_load(scenario, plan), labels)


# Vendor sessions per wave --------------------------------------------------------------------


@dataclass(frozen=True)
class VendorSessionsData:
    """Per wave: the vendor's sessions training academic trainers, those training school
    leaderships, and what all vendor trainers together can run."""

    waves: list[str]
    trainer_training: list[int]
    leadership: list[int]
    capacity: list[int]

    def over(self, index: int) -> bool:
        return self.trainer_training[index] + self.leadership[index] > self.capacity[index]


def _vendor_sessions_data(scenario: Mapping[str, Any], plan: Mapping[str, Any]) -> VendorSessionsData:
    waves = _wave_ids(scenario)
    training = _count_by_wave(plan.get("trainer_training", []))
    leadership = _count_by_wave(plan.get("leadership_training", []))
    vendors = [t for t in scenario["trainers"] if t["tier"] == "vendor"]
    return VendorSessionsData(
        waves=waves, trainer_training=[training[wave] for wave in waves], leadership=[leadership[wave] for wave in waves],
        capacity=[sum(_capacity(vendor, wave) for vendor in vendors) for wave in waves],
    )


def _count_by_wave(sessions: Sequence[Mapping[str, Any]]) -> defaultdict[str, int]:
    counts: defaultdict[str, int] = defaultdict(int)
    for session in sessions:
        counts[session["wave"]] += 1
    return counts


def _vendor_sessions_figure(data: VendorSessionsData, labels: Mapping[str, str]) -> go.Figure:
    figure = _figure(barmode="stack", hovermode="x unified")
    figure.add_trace(go.Bar(x=data.waves, y=data.trainer_training, name=labels["trainer_training"],
                            marker={"color": BLUE, "pattern": {"shape": ""}}))
    figure.add_trace(go.Bar(x=data.waves, y=data.leadership, name=labels["leadership"],
                            marker={"color": ORANGE, "pattern": {"shape": "/"}}))
    figure.add_trace(go.Scatter(
        x=data.waves, y=data.capacity, name=labels["vendor_capacity"], mode="markers+text",
        marker={"symbol": "line-ew", "size": 30, "line": {"width": 3, "color": VERMILLION}},
        text=[OVER if data.over(i) else "" for i in range(len(data.waves))], textposition="top center",
    ))
    figure.update_xaxes(type="category", title=labels["wave"])
    figure.update_yaxes(title=labels["sessions"], rangemode="tozero")
    return figure


def plot_vendor_sessions(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The vendor's sessions per wave, stacked by kind (patterned, not only coloured), under a
    mark at its capacity; a wave past capacity is marked ⚠."""
    return _vendor_sessions_figure(_vendor_sessions_data(scenario, plan), labels)


def vendor_sessions_table(scenario: Mapping[str, Any], plan: Mapping[str, Any], labels: Mapping[str, str] = LABELS) -> Table:
    data = _vendor_sessions_data(scenario, plan)
    return Table(
        (labels["wave"], labels["trainer_training"], labels["leadership"], labels["vendor_capacity"], labels["over"]),
        [(wave, data.trainer_training[i], data.leadership[i], data.capacity[i],
          labels["yes"] if data.over(i) else labels["no"]) for i, wave in enumerate(data.waves)],
    )
