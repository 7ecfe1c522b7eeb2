"""The equity dashboard: REP+, REP and other schools side by side.

The first question a Seine-Saint-Denis leader is asked is whether priority-education schools
were served first and as well; each panel answers it for one measure, the three groups in the
same order and with the same patterns, so no panel relies on colour.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREY, NAME, ORANGE


def _(text: str) -> str:
    """Marks a label for the message catalogue (the page translates it)."""
    return text


GROUPS = ("REP+", "REP", "none")
GROUP_STYLE = {"REP+": (BLUE, ""), "REP": (ORANGE, "/"), "none": (GREY, ".")}
TITLE_WIDTH = 18  # characters a panel title line holds at the page's width
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


def _mean(values: Sequence[float | int | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _group_measures(schools: Sequence[SchoolEquity]) -> dict[str, float | None]:
    return {
        "delay_days": _mean([s.delay_days for s in schools]),
        "trained_share": _ratio(sum(s.teachers_trained for s in schools), sum(s.teachers for s in schools)),
        "teacher_adoption": _mean([s.teacher_adoption for s in schools]),
        "pupil_adoption": _mean([s.pupil_adoption for s in schools]),
        "pedagogical_share": _ratio(sum(s.pedagogical_visits for s in schools), sum(s.visits for s in schools)),
    }


def _equity_data(schools: Sequence[SchoolEquity]) -> EquityData:
    by_group = {group: [s for s in schools if s.priority == group] for group in GROUPS}
    measures = {group: _group_measures(members) for group, members in by_group.items()}
    return EquityData(
        groups=list(GROUPS),
        schools=[len(by_group[group]) for group in GROUPS],
        measures={measure: [measures[group][measure] for group in GROUPS] for measure in MEASURES},
    )


def _wrapped(title: str, width: int = TITLE_WIDTH) -> str:
    """A panel's title on lines of at most `width` characters: five panels share one figure's
    width, and a title on one line ran into its neighbour's."""
    return "<br>".join(textwrap.wrap(title, width)) or title


def _equity_figure(data: EquityData, labels: Mapping[str, str]) -> go.Figure:
    figure = make_subplots(rows=1, cols=len(MEASURES), subplot_titles=[_wrapped(labels[m]) for m in MEASURES],
                           horizontal_spacing=0.06)
    names = [labels[group] for group in data.groups]
    for column, measure in enumerate(MEASURES, start=1):
        figure.add_trace(go.Bar(
            x=names, y=data.measures[measure], showlegend=False, name=labels[measure],
            marker={"color": [GROUP_STYLE[g][0] for g in data.groups],
                    "pattern": {"shape": [GROUP_STYLE[g][1] for g in data.groups]}},
            texttemplate="%{y:.0%}" if measure in PERCENT_MEASURES else "%{y:.0f}", textposition="outside",
        ), row=1, col=column)
        if measure in PERCENT_MEASURES:
            figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=column)
    figure.update_layout(template=NAME)
    figure.update_annotations(font_size=12)
    return figure


def plot_equity(schools: Sequence[SchoolEquity], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """REP+, REP and other schools, one panel per measure."""
    return _equity_figure(_equity_data(schools), labels)


def equity_table(schools: Sequence[SchoolEquity], labels: Mapping[str, str] = LABELS) -> Table:
    data = _equity_data(schools)
    rows = [(labels[group], count, *(round(data.measures[m][index], 4) if data.measures[m][index] is not None else None
                                     for m in MEASURES))
            for index, (group, count) in enumerate(zip(data.groups, data.schools))]
    return Table((labels["group"], labels["schools"], *(labels[m] for m in MEASURES)), rows)
