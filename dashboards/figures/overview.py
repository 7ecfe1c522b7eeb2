"""The programme overview's figures: plan against actual, waves, the cascade, usage, the map.

Each figure reads `plot_<what>()` → `_<what>_data()` (plain numbers, no Plotly) →
`_<what>_figure()` (drawing only), and `<what>_table()` gives the same numbers as the
figure's accessible table and CSV download, so the three never disagree. Texts come in as
`labels` (French by default); the page passes its translated ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from math import cos, radians
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.arrays import days, numbers, objects, rows
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREEN, GREY, NAME, ORANGE, SKY, VERMILLION

NATIONAL_SHARE = 0.05
"""About 5 % of ENT use is pedagogical nationally."""
TARGET_SHARE = 0.20
"""What Seine-Saint-Denis reached, and the programmes' target."""
STATUSES = ("green", "amber", "red")
STATUS_STYLE = {"green": (GREEN, "circle"), "amber": (ORANGE, "diamond"), "red": (VERMILLION, "x")}
"""Colour and marker symbol of each status: the shape says it without the colour."""
CATEGORY_STYLE = {"pedagogical": (BLUE, ""), "administrative": (ORANGE, "/"), "other": (GREY, ".")}
"""Colour and bar pattern of each usage category."""



LABELS: dict[str, str] = {
    "date": _("Date"),
    "month": _("Mois"),
    "wave": _("Vague"),
    "school": _("Établissement"),
    "uai": _("UAI"),
    "status": _("Statut"),
    "schools_live": _("Établissements ouverts"),
    "pupils_live": _("Élèves ayant accès"),
    "baseline": _("prévu (plan adopté)"),
    "actual": _("réel"),
    "planned_schools": _("Établissements ouverts, prévu"),
    "actual_schools": _("Établissements ouverts, réel"),
    "planned_pupils": _("Élèves ayant accès, prévu"),
    "actual_pupils": _("Élèves ayant accès, réel"),
    "window": _("Fenêtre prévue"),
    "window_start": _("Début prévu"),
    "window_end": _("Fin prévue"),
    "planned_live": _("Ouverture prévue"),
    "go_live": _("Ouverture réelle"),
    "on_time": _("ouvert à temps"),
    "slipped": _("ouvert en retard"),
    "late_days": _("Jours de retard"),
    "stage": _("Étape"),
    "count": _("Nombre"),
    "trainers_trained": _("Formateurs formés"),
    "leadership_briefed": _("Directions sensibilisées"),
    "teachers_trained": _("Enseignants formés"),
    "teachers_active": _("Enseignants actifs sur l'ENT"),
    "teachers_certified": _("Enseignants certifiés Pix+ Édu"),
    "visits": _("Visites"),
    "pedagogical": _("Pédagogique"),
    "administrative": _("Administratif"),
    "other": _("Autre"),
    "share": _("Part pédagogique"),
    "national": _("Référence nationale (5 %)"),
    "target": _("Objectif (20 %)"),
    "green": _("À l'heure"),
    "amber": _("En retard"),
    "red": _("Bloqué ou très en retard"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
}


@dataclass(frozen=True)
class SchoolRollout:
    """One school as the overview sees it: its baseline wave and go-live dates, its status
    colour (`rollout.tracking.colour`) and where it is."""

    uai: str
    name: str
    pupils: int
    wave: str | None
    planned_live: date | None
    actual_live: date | None
    status: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class WaveWindow:
    """A wave's planned window."""

    code: str
    label: str | None
    start: date
    end: date


@dataclass(frozen=True)
class MonthUsage:
    """Visits of one month (`YYYY-MM`) by category."""

    month: str
    pedagogical: int
    administrative: int
    other: int


@dataclass(frozen=True)
class SchoolShare:
    """A school's visits, pedagogical visits and pedagogical share (None: no visits) over the
    filtered period; the share is given, not derived, so that it is the usage report's own."""

    uai: str
    name: str
    visits: int
    share: float | None
    pedagogical_visits: int


@dataclass(frozen=True)
class CascadeCounts:
    """How far the cascade has reached: trainers, then schools' leaderships, then teachers."""

    trainers_trained: int
    leadership_briefed: int
    teachers_trained: int
    teachers_active: int
    teachers_certified: int


def _figure(**layout: Any) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(template=NAME, **layout)
    return figure


# Plan against actual -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanVsActualData:
    """Cumulative schools and pupils live on each day something changed, planned and actual."""

    days: list[date]
    planned_schools: list[int]
    actual_schools: list[int]
    planned_pupils: list[int]
    actual_pupils: list[int]


def _cumulative(days: list[date], events: Mapping[date, int]) -> list[int]:
    return list(accumulate(events.get(day, 0) for day in days))


def _plan_vs_actual_data(schools: Sequence[SchoolRollout]) -> PlanVsActualData:
    planned_schools: Counter[date] = Counter(s.planned_live for s in schools if s.planned_live)
    actual_schools: Counter[date] = Counter(s.actual_live for s in schools if s.actual_live)
    planned_pupils: Counter[date] = Counter()
    actual_pupils: Counter[date] = Counter()
    for school in schools:
        if school.planned_live:
            planned_pupils[school.planned_live] += school.pupils
        if school.actual_live:
            actual_pupils[school.actual_live] += school.pupils
    days = sorted(set(planned_schools) | set(actual_schools))
    return PlanVsActualData(
        days=days,
        planned_schools=_cumulative(days, planned_schools),
        actual_schools=_cumulative(days, actual_schools),
        planned_pupils=_cumulative(days, planned_pupils),
        actual_pupils=_cumulative(days, actual_pupils),
    )


def _plan_vs_actual_figure(data: PlanVsActualData, labels: Mapping[str, str]) -> go.Figure:
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           subplot_titles=(labels["schools_live"], labels["pupils_live"]))
    series = ((1, data.planned_schools, data.actual_schools), (2, data.planned_pupils, data.actual_pupils))
    dates = days(data.days)
    for row, planned, actual in series:
        figure.add_trace(go.Scatter(x=dates, y=numbers(planned), name=labels["baseline"], mode="lines", line_shape="hv",
                                    line={"color": GREY, "dash": "dash"}, legendgroup="baseline", showlegend=row == 1),
                         row=row, col=1)
        figure.add_trace(go.Scatter(x=dates, y=numbers(actual), name=labels["actual"], mode="lines+markers", line_shape="hv",
                                    line={"color": BLUE}, marker={"symbol": "circle", "size": 5},
                                    legendgroup="actual", showlegend=row == 1),
                         row=row, col=1)
    figure.update_layout(template=NAME, hovermode="x unified")
    figure.update_xaxes(tickformat="%d/%m/%Y", hoverformat="%d/%m/%Y")
    return figure


def plot_plan_vs_actual(schools: Sequence[SchoolRollout], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Schools and pupils live over time, the adopted plan (dashed) against what happened."""
    return _plan_vs_actual_figure(_plan_vs_actual_data(schools), labels)


def plan_vs_actual_table(schools: Sequence[SchoolRollout], labels: Mapping[str, str] = LABELS) -> Table:
    data = _plan_vs_actual_data(schools)
    names = ("date", "planned_schools", "actual_schools", "planned_pupils", "actual_pupils")
    return Table(tuple(labels[name] for name in names),
                 list(zip(data.days, data.planned_schools, data.actual_schools, data.planned_pupils, data.actual_pupils)))


# Timeline per wave ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoLive:
    """A school's actual go-live in its wave; `late_days` past its planned date (0: on time)."""

    wave: str
    uai: str
    name: str
    planned: date | None
    actual: date
    late_days: int


@dataclass(frozen=True)
class TimelineData:
    waves: list[WaveWindow]
    go_lives: list[GoLive]


def _timeline_data(waves: Sequence[WaveWindow], schools: Sequence[SchoolRollout]) -> TimelineData:
    known = {wave.code for wave in waves}
    go_lives = [
        GoLive(wave=s.wave, uai=s.uai, name=s.name, planned=s.planned_live, actual=s.actual_live,
               late_days=max(0, (s.actual_live - s.planned_live).days) if s.planned_live else 0)
        for s in schools if s.wave in known and s.actual_live is not None
    ]
    go_lives.sort(key=lambda g: (g.wave, g.actual, g.uai))
    return TimelineData(waves=list(waves), go_lives=go_lives)


def _wave_name(wave: WaveWindow) -> str:
    return f"{wave.code} — {wave.label}" if wave.label else wave.code


def _timeline_figure(data: TimelineData, labels: Mapping[str, str]) -> go.Figure:
    names = {wave.code: _wave_name(wave) for wave in data.waves}
    windows_x: list[date | None] = []
    windows_y: list[str | None] = []
    for wave in data.waves:
        windows_x += [wave.start, wave.end, None]
        windows_y += [names[wave.code]] * 2 + [None]
    figure = _figure(hovermode="closest")
    figure.add_trace(go.Scatter(x=windows_x, y=windows_y, name=labels["window"], mode="lines",
                                line={"color": SKY, "width": 14}, hoverinfo="skip"))
    for slipped, (colour, symbol, key) in ((False, (GREEN, "circle", "on_time")), (True, (VERMILLION, "x", "slipped"))):
        points = [g for g in data.go_lives if (g.late_days > 0) == slipped]
        figure.add_trace(go.Scatter(
            x=days(g.actual for g in points), y=objects(names[g.wave] for g in points), name=labels[key],
            mode="markers", marker={"color": colour, "symbol": symbol, "size": 10, "line": {"width": 1, "color": "white"}},
            customdata=rows([g.name for g in points], [g.late_days for g in points]),
            hovertemplate="%{customdata[0]}<br>%{x|%d/%m/%Y}<br>" + labels["late_days"] + " : %{customdata[1]}<extra></extra>",
        ))
    figure.update_yaxes(categoryorder="array", categoryarray=[names[w.code] for w in reversed(data.waves)])
    figure.update_xaxes(tickformat="%d/%m/%Y")
    return figure


def plot_wave_timeline(waves: Sequence[WaveWindow], schools: Sequence[SchoolRollout],
                       labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Each wave's planned window with its schools' actual go-live; a slip is a red cross."""
    return _timeline_figure(_timeline_data(waves, schools), labels)


def wave_timeline_table(waves: Sequence[WaveWindow], schools: Sequence[SchoolRollout],
                        labels: Mapping[str, str] = LABELS) -> Table:
    data = _timeline_data(waves, schools)
    windows = {wave.code: wave for wave in data.waves}
    names = ("wave", "window_start", "window_end", "uai", "school", "planned_live", "go_live", "late_days")
    return Table(tuple(labels[name] for name in names), [
        (g.wave, windows[g.wave].start, windows[g.wave].end, g.uai, g.name, g.planned, g.actual, g.late_days)
        for g in data.go_lives
    ])


# The cascade ---------------------------------------------------------------------------------

CASCADE_STAGES = ("trainers_trained", "leadership_briefed", "teachers_trained", "teachers_active", "teachers_certified")


@dataclass(frozen=True)
class CascadeData:
    stages: list[str]
    counts: list[int]


def _cascade_data(counts: CascadeCounts) -> CascadeData:
    return CascadeData(stages=list(CASCADE_STAGES), counts=[getattr(counts, stage) for stage in CASCADE_STAGES])


def _cascade_figure(data: CascadeData, labels: Mapping[str, str]) -> go.Figure:
    figure = _figure()
    figure.add_trace(go.Funnel(
        y=[labels[stage] for stage in data.stages], x=data.counts, textinfo="value",
        marker={"color": [BLUE, SKY, GREEN, ORANGE, VERMILLION]},
    ))
    return figure


def plot_cascade(counts: CascadeCounts, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The cascade as a funnel: each stage a count, read top to bottom."""
    return _cascade_figure(_cascade_data(counts), labels)


def cascade_table(counts: CascadeCounts, labels: Mapping[str, str] = LABELS) -> Table:
    data = _cascade_data(counts)
    return Table((labels["stage"], labels["count"]), [(labels[s], n) for s, n in zip(data.stages, data.counts)])


# Usage by category ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageByCategoryData:
    months: list[str]
    visits: dict[str, list[int]]


def _usage_by_category_data(months: Sequence[MonthUsage]) -> UsageByCategoryData:
    ordered = sorted(months, key=lambda m: m.month)
    return UsageByCategoryData(
        months=[m.month for m in ordered],
        visits={category: [getattr(m, category) for m in ordered] for category in CATEGORY_STYLE},
    )


def _usage_by_category_figure(data: UsageByCategoryData, labels: Mapping[str, str]) -> go.Figure:
    figure = _figure(barmode="stack", hovermode="x unified")
    for category, (colour, pattern) in CATEGORY_STYLE.items():
        figure.add_trace(go.Bar(x=data.months, y=data.visits[category], name=labels[category],
                                marker={"color": colour, "pattern": {"shape": pattern}}))
    figure.update_xaxes(type="category", title=labels["month"])
    figure.update_yaxes(title=labels["visits"])
    return figure


def plot_usage_by_category(months: Sequence[MonthUsage], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Visits per month, stacked pedagogical / administrative / other (patterned, not only coloured)."""
    return _usage_by_category_figure(_usage_by_category_data(months), labels)


def usage_by_category_table(months: Sequence[MonthUsage], labels: Mapping[str, str] = LABELS) -> Table:
    data = _usage_by_category_data(months)
    return Table((labels["month"], *(labels[c] for c in CATEGORY_STYLE)),
                 list(zip(data.months, *data.visits.values())))


# Pedagogical share per school ----------------------------------------------------------------


@dataclass(frozen=True)
class PedagogicalShareData:
    """Schools with visits, highest share first, and the two reference lines."""

    schools: list[SchoolShare]
    national: float
    target: float


def _pedagogical_share_data(schools: Sequence[SchoolShare]) -> PedagogicalShareData:
    shown = sorted((s for s in schools if s.share is not None), key=lambda s: (-(s.share or 0), s.uai))
    return PedagogicalShareData(schools=shown, national=NATIONAL_SHARE, target=TARGET_SHARE)


def _pedagogical_share_figure(data: PedagogicalShareData, labels: Mapping[str, str]) -> go.Figure:
    figure = _figure(showlegend=False)
    figure.add_trace(go.Bar(
        x=objects(s.uai for s in data.schools), y=numbers(s.share for s in data.schools), marker={"color": BLUE},
        customdata=rows([s.name for s in data.schools], [s.visits for s in data.schools]),
        hovertemplate="%{customdata[0]}<br>%{y:.1%} (%{customdata[1]:,d} " + labels["visits"].lower() + ")<extra></extra>",
    ))
    references = ((data.national, "national", "dot"), (data.target, "target", "dash"))
    # Shapes and annotations given at once: `add_hline` re-reads the figure for each line (a
    # tenth of the page's time on the overview).
    figure.update_layout(
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
                 "line": {"color": "#222222", "dash": dash, "width": 1.5}} for value, _, dash in references],
        annotations=[{"xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": value, "yanchor": "bottom",
                      "text": labels[key], "showarrow": False} for value, key, _ in references],
    )
    figure.update_xaxes(type="category", title=labels["school"])
    figure.update_yaxes(tickformat=".0%", title=labels["share"], rangemode="tozero")
    return figure


def plot_pedagogical_share(schools: Sequence[SchoolShare], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Each school's pedagogical share, sorted, against 5 % (national) and 20 % (target)."""
    return _pedagogical_share_figure(_pedagogical_share_data(schools), labels)


def pedagogical_share_table(schools: Sequence[SchoolShare], labels: Mapping[str, str] = LABELS) -> Table:
    data = _pedagogical_share_data(schools)
    return Table((labels["uai"], labels["school"], labels["visits"], labels["share"]),
                 [(s.uai, s.name, s.visits, round(s.share or 0, 4)) for s in data.schools])


# Map -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolMapData:
    """Located schools by status, and the aspect ratio that keeps distances true at their latitude."""

    by_status: dict[str, list[SchoolRollout]]
    aspect: float


def _school_map_data(schools: Sequence[SchoolRollout]) -> SchoolMapData:
    located = [s for s in schools if s.latitude is not None and s.longitude is not None]
    mean_latitude = sum(s.latitude or 0 for s in located) / len(located) if located else 0
    return SchoolMapData(
        by_status={status: [s for s in located if s.status == status] for status in STATUSES},
        aspect=1 / cos(radians(mean_latitude)),
    )


def _school_map_figure(data: SchoolMapData, labels: Mapping[str, str]) -> go.Figure:
    """A plain longitude/latitude scatter with equal distances: no tile server, works offline."""
    figure = _figure(hovermode="closest")
    for status, schools in data.by_status.items():
        colour, symbol = STATUS_STYLE[status]
        figure.add_trace(go.Scatter(
            x=numbers(s.longitude for s in schools), y=numbers(s.latitude for s in schools), mode="markers",
            name=labels[status], marker={"color": colour, "symbol": symbol, "size": 11, "line": {"width": 1, "color": "white"}},
            text=objects(s.name for s in schools), hovertemplate="%{text}<extra>" + labels[status] + "</extra>",
        ))
    figure.update_xaxes(title=labels["longitude"], showgrid=False)
    figure.update_yaxes(title=labels["latitude"], showgrid=False, scaleanchor="x", scaleratio=data.aspect)
    return figure


def plot_school_map(schools: Sequence[SchoolRollout], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Schools where they are, by status colour and marker symbol."""
    return _school_map_figure(_school_map_data(schools), labels)


def school_map_table(schools: Sequence[SchoolRollout], labels: Mapping[str, str] = LABELS) -> Table:
    data = _school_map_data(schools)
    return Table((labels["uai"], labels["school"], labels["status"], labels["latitude"], labels["longitude"]),
                 [(s.uai, s.name, labels[status], s.latitude, s.longitude)
                  for status, located in data.by_status.items() for s in located])
