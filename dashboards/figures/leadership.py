"""The leadership dashboard: do schools whose head teacher was briefed before go-live use the
ENT better than those briefed late or never?

The cascade briefs each school's leadership a month before its wave; when that slips past the
go-live, teachers meet the platform without their head teacher's backing. Only live schools are
compared (the others have no usage to compare). Each panel draws the three groups in the same
order, colours and patterns as equity's (`dashboards.figures.groups`), and a second figure shows
every school, so a group's mean is never read without its spread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import quantiles

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.arrays import numbers, objects
from dashboards.figures.groups import mean, panel_bars, ratio, wrapped
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREY, NAME, ORANGE

GROUPS = ("before", "late", "none")
GROUP_STYLE = {"before": (BLUE, ""), "late": (ORANGE, "/"), "none": (GREY, ".")}
GROUP_SYMBOLS = {"before": "circle", "late": "diamond", "none": "square"}
MEASURES = ("teacher_adoption", "pupil_adoption", "pedagogical_share")
LABELS: dict[str, str] = {
    "before": _("Direction informée avant l'ouverture"),
    "late": _("Direction informée après l'ouverture"),
    "none": _("Direction non informée"),
    "group": _("Groupe"),
    "schools": _("Établissements ouverts"),
    "uai": _("UAI"),
    "name": _("Établissement"),
    "teacher_adoption": _("Adoption enseignants"),
    "pupil_adoption": _("Adoption élèves"),
    "pedagogical_share": _("Part pédagogique"),
    "boxes_only": _("%(schools)d établissements ouverts, trop pour un point chacun : la boîte de chaque groupe seule "
                    "(médiane, quartiles, le plus bas et le plus haut). Chaque établissement est dans le tableau "
                    "des données ; un filtre (bassin, vague) qui en garde moins les montre en points."),
}


@dataclass(frozen=True)
class SchoolLeadership:
    """One live school: when its leadership was briefed against its go-live (`briefing`, one of
    GROUPS), and its usage as the usage report gives it (adoption None: unknown)."""

    uai: str
    name: str
    briefing: str
    visits: int
    pedagogical_visits: int
    teacher_adoption: float | None
    pupil_adoption: float | None

    @property
    def pedagogical_share(self) -> float | None:
        return ratio(self.pedagogical_visits, self.visits)


@dataclass(frozen=True)
class LeadershipData:
    """Per group (in GROUPS order): its number of schools and each measure (None: no data)."""

    groups: list[str]
    schools: list[int]
    measures: dict[str, list[float | None]]


def _group_measures(schools: Sequence[SchoolLeadership]) -> dict[str, float | None]:
    """Adoption: the mean of the schools' own (as equity does); share: the group's visits."""
    return {
        "teacher_adoption": mean([s.teacher_adoption for s in schools]),
        "pupil_adoption": mean([s.pupil_adoption for s in schools]),
        "pedagogical_share": ratio(sum(s.pedagogical_visits for s in schools), sum(s.visits for s in schools)),
    }


def _leadership_data(schools: Sequence[SchoolLeadership]) -> LeadershipData:
    by_group = {group: [s for s in schools if s.briefing == group] for group in GROUPS}
    measures = {group: _group_measures(members) for group, members in by_group.items()}
    return LeadershipData(
        groups=list(GROUPS),
        schools=[len(by_group[group]) for group in GROUPS],
        measures={measure: [measures[group][measure] for group in GROUPS] for measure in MEASURES},
    )


def plot_leadership(schools: Sequence[SchoolLeadership], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The three groups side by side, one panel per measure; the groups' names stay level
    (three panels leave them room, where plotly.js would turn them upright)."""
    data = _leadership_data(schools)
    figure = panel_bars(data.groups, data.schools, data.measures, GROUP_STYLE, frozenset(MEASURES), labels)
    figure.update_xaxes(tickangle=0, tickfont_size=11)
    return figure


def leadership_table(schools: Sequence[SchoolLeadership], labels: Mapping[str, str] = LABELS) -> Table:
    data = _leadership_data(schools)
    rows = [(labels[group], count, *(_rounded(data.measures[m][index]) for m in MEASURES))
            for index, (group, count) in enumerate(zip(data.groups, data.schools))]
    return Table((labels["group"], labels["schools"], *(labels[m] for m in MEASURES)), rows)


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


POINTS_LIMIT = 1000
"""Live schools beyond which each group's box is drawn alone, from its statistics, without a
point per school: the country's 5,000 live collèges, jittered, are one blur, and their names
made the page's figure 1.4 MB to build, send and draw. Each school's values stay in the
figure's table (its CSV), and a filter (basin, wave) that keeps fewer schools brings the
points back. A district (the demo's 130 collèges) is far below."""


def _box_statistics(values: Sequence[float]) -> dict[str, list[float]]:
    """What plotly.js draws a box from when it is not given the points: the quartiles (linear
    interpolation between the schools' values, numpy's default), and whiskers to the lowest and
    highest school, since no point beyond them is drawn."""
    ordered = sorted(values)
    q1, median, q3 = quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else ordered * 3
    return {"q1": [q1], "median": [median], "q3": [q3], "lowerfence": [ordered[0]], "upperfence": [ordered[-1]]}


def _distribution_figure(schools: Sequence[SchoolLeadership], labels: Mapping[str, str]) -> go.Figure:
    points = len(schools) <= POINTS_LIMIT
    figure = make_subplots(rows=1, cols=len(MEASURES), subplot_titles=[wrapped(labels[m]) for m in MEASURES],
                           horizontal_spacing=0.06)
    for column, measure in enumerate(MEASURES, start=1):
        for group in GROUPS:
            members = [s for s in schools if s.briefing == group and getattr(s, measure) is not None]
            values = [getattr(s, measure) for s in members]
            style = {"name": labels[group], "legendgroup": group, "showlegend": column == 1,
                     "fillcolor": "rgba(0,0,0,0)", "line": {"color": GROUP_STYLE[group][0]}}
            if points:
                figure.add_trace(go.Box(
                    x=objects([labels[group]] * len(members)), y=numbers(values), text=objects(s.name for s in members),
                    boxpoints="all", jitter=0.4, pointpos=0,
                    marker={"color": GROUP_STYLE[group][0], "symbol": GROUP_SYMBOLS[group], "size": 7},
                    hovertemplate="%{text}<br>%{y:.0%}<extra></extra>", **style,
                ), row=1, col=column)
            else:
                figure.add_trace(go.Box(x=[labels[group]] if values else [], boxpoints=False,
                                        **(_box_statistics(values) if values else {}), **style), row=1, col=column)
        figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=column)
        figure.update_xaxes(showticklabels=False, row=1, col=column)
    figure.update_layout(template=NAME, boxmode="group", legend={"y": -0.08, "yanchor": "top"})  # under the panels' titles
    figure.update_annotations(font_size=12)
    if not points:
        figure.update_layout(title={"text": wrapped(labels["boxes_only"] % {"schools": len(schools)}, 90), "font_size": 13},
                             margin_t=130)
    return figure


def plot_leadership_schools(schools: Sequence[SchoolLeadership], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Every live school as a point (its group's colour and symbol) over its group's box; beyond
    POINTS_LIMIT schools, the boxes alone, and the figure's title says so."""
    return _distribution_figure(schools, labels)


def leadership_schools_table(schools: Sequence[SchoolLeadership], labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(s.uai, s.name, labels[s.briefing], *(_rounded(getattr(s, m)) for m in MEASURES))
            for s in sorted(schools, key=lambda s: (GROUPS.index(s.briefing), s.uai))]
    return Table((labels["uai"], labels["name"], labels["group"], *(labels[m] for m in MEASURES)), rows)
