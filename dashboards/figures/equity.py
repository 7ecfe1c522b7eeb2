"""The equity dashboard: REP+, REP and other schools side by side.

The first question a Seine-Saint-Denis leader is asked is whether priority-education schools
were served first and as well; each panel answers it for one measure, the three groups in the
same order and with the same patterns, so no panel relies on colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboards.figures.groups import mean, panel_bars, ratio
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREY, ORANGE

GROUPS = ("REP+", "REP", "none")
GROUP_STYLE = {"REP+": (BLUE, ""), "REP": (ORANGE, "/"), "none": (GREY, ".")}
MEASURES = ("delay_days", "trained_share", "teacher_adoption", "pupil_adoption", "pedagogical_share")
PERCENT_MEASURES = frozenset(MEASURES) - {"delay_days"}
LABELS: dict[str, str] = {
    "REP+": _("REP+"),
    "REP": _("REP"),
    "none": _("Hors éducation prioritaire"),
    "group": _("Groupe"),
    "schools": _("Établissements"),
    "delay_days": _("Retard moyen d'ouverture (jours)"),
    "trained_share": _("Part des enseignants formés"),
    "teacher_adoption": _("Adoption enseignants"),
    "pupil_adoption": _("Adoption élèves"),
    "pedagogical_share": _("Part pédagogique"),
}


@dataclass(frozen=True)
class SchoolEquity:
    """One school's measures. `delay_days`: actual go-live minus planned (None until live or
    without a plan); adoption as the usage report gives it for the school (None: unknown)."""

    uai: str
    priority: str
    teachers: int
    teachers_trained: int
    delay_days: int | None
    visits: int
    pedagogical_visits: int
    teacher_adoption: float | None
    pupil_adoption: float | None


@dataclass(frozen=True)
class EquityData:
    """Per group (in GROUPS order): its number of schools and each measure (None: no data)."""

    groups: list[str]
    schools: list[int]
    measures: dict[str, list[float | None]]


def _group_measures(schools: Sequence[SchoolEquity]) -> dict[str, float | None]:
    return {
        "delay_days": mean([s.delay_days for s in schools]),
        "trained_share": ratio(sum(s.teachers_trained for s in schools), sum(s.teachers for s in schools)),
        "teacher_adoption": mean([s.teacher_adoption for s in schools]),
        "pupil_adoption": mean([s.pupil_adoption for s in schools]),
        "pedagogical_share": ratio(sum(s.pedagogical_visits for s in schools), sum(s.visits for s in schools)),
    }


def _equity_data(schools: Sequence[SchoolEquity]) -> EquityData:
    by_group = {group: [s for s in schools if s.priority == group] for group in GROUPS}
    measures = {group: _group_measures(members) for group, members in by_group.items()}
    return EquityData(
        groups=list(GROUPS),
        schools=[len(by_group[group]) for group in GROUPS],
        measures={measure: [measures[group][measure] for group in GROUPS] for measure in MEASURES},
    )


def _equity_figure(data: EquityData, labels: Mapping[str, str]) -> go.Figure:
    return panel_bars(data.groups, data.schools, data.measures, GROUP_STYLE, PERCENT_MEASURES, labels)


def plot_equity(schools: Sequence[SchoolEquity], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """REP+, REP and other schools, one panel per measure."""
    return _equity_figure(_equity_data(schools), labels)


def equity_table(schools: Sequence[SchoolEquity], labels: Mapping[str, str] = LABELS) -> Table:
    data = _equity_data(schools)
    rows = [(labels[group], count, *(round(data.measures[m][index], 4) if data.measures[m][index] is not None else None
                                     for m in MEASURES))
            for index, (group, count) in enumerate(zip(data.groups, data.schools))]
    return Table((labels["group"], labels["schools"], *(labels[m] for m in MEASURES)), rows)
