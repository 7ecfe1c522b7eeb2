"""One school's dashboard: its milestones against the baseline, its history of changes, its
usage by service category and by profile month by month, its adoption, and its school years
side by side.

Usage comes in as the school's monthly rows (one per month, category and audience) and every
number is folded here the way the usage report defines it (rollout/usage/report.py): the
visitors of an audience in a month are the largest `visitors` among its rows, adoption is that
over the school's enrolment, and over several months it is Σ visitors / Σ enrolment over the
months that carry a visitors count, i.e. the mean of the monthly adoptions. A school year runs
from September to August.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.groups import ratio
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    NAME,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
)

CATEGORIES = ("pedagogy", "resources", "school_life", "communication", "other")
AUDIENCES = ("teacher", "pupil", "parent", "staff")
PEDAGOGICAL = ("pedagogy", "resources")
CATEGORY_STYLE = {"pedagogy": (BLUE, ""), "resources": (SKY, "x"), "school_life": (ORANGE, "/"),
                  "communication": (VERMILLION, "\\"), "other": (GREY, ".")}
AUDIENCE_STYLE = {"teacher": (BLUE, ""), "pupil": (GREEN, "/"), "parent": (PURPLE, "."), "staff": (GREY, "x")}
ADOPTION_STYLE = {"teacher_adoption": (BLUE, "solid", "circle"), "pupil_adoption": (GREEN, "dash", "diamond")}
YEAR_PATTERNS = ("", "/", ".", "x", "\\", "+")
YEAR_COLOURS = (SKY, BLUE, BLACK, GREEN, ORANGE, PURPLE)
YEAR_MEASURES = ("pedagogical_share", "teacher_adoption", "pupil_adoption")

LABELS: dict[str, str] = {
    "milestone": _("Jalon"),
    "planned": _("Prévu le"),
    "actual": _("Réalisé le"),
    "status": _("Statut"),
    "slip_days": _("Écart (jours)"),
    "planned_marker": _("prévu (plan adopté)"),
    "actual_marker": _("réalisé"),
    "late": _("en retard"),
    "not_done": _("non réalisé"),
    "days": _("j"),
    "at": _("Quand (UTC)"),
    "actor": _("Qui"),
    "channel": _("Canal"),
    "change": _("Changement"),
    "changes": _("Modifications"),
    "no_change": _("Aucune modification enregistrée."),
    "school": _("Établissement"),
    "month": _("Mois"),
    "year": _("Année scolaire"),
    "visits": _("Visites"),
    "pedagogy": _("Pédagogie"),
    "resources": _("Ressources"),
    "school_life": _("Vie scolaire"),
    "communication": _("Communication"),
    "other": _("Autre"),
    "teacher": _("Enseignants"),
    "pupil": _("Élèves"),
    "parent": _("Parents"),
    "staff": _("Personnels"),
    "pedagogical_share": _("Part pédagogique"),
    "teacher_adoption": _("Adoption enseignants"),
    "pupil_adoption": _("Adoption élèves"),
}


@dataclass(frozen=True)
class MilestoneDates:
    """One milestone: planned (baseline) and actual date (None: not planned, not done)."""

    kind: str
    status: str
    planned: date | None
    actual: date | None

    @property
    def slip_days(self) -> int | None:
        """Actual minus planned, in days (positive: late)."""
        return (self.actual - self.planned).days if self.actual and self.planned else None


@dataclass(frozen=True)
class Change:
    """One audit event of the school or its milestones, its fields already in words."""

    at: datetime
    actor: str
    channel: str
    milestone: str
    change: str


@dataclass(frozen=True)
class UsageRow:
    """The school's usage of one category by one audience in one month (`YYYY-MM`): visits, the
    largest visitors count of its rows (None: none carries one) and whether any row carries one."""

    month: str
    category: str
    audience: str
    visits: int
    visitors: int | None
    counted: bool


@dataclass(frozen=True)
class SchoolUsage:
    """A school's usage rows and its enrolment."""

    teachers: int
    pupils: int
    rows: list[UsageRow]


@dataclass(frozen=True)
class Period:
    """A month or a school year of the school: visits by category and by audience, adoption."""

    key: str
    categories: dict[str, int]
    audiences: dict[str, int]
    teacher_adoption: float | None
    pupil_adoption: float | None

    @property
    def visits(self) -> int:
        return sum(self.categories.values())

    @property
    def pedagogical_share(self) -> float | None:
        return ratio(sum(self.categories[c] for c in PEDAGOGICAL), self.visits)


def school_year_of(month: str) -> str:
    """`2015-2016` for the months from 2015-09 to 2016-08."""
    year, number = int(month[:4]), int(month[5:7])
    first = year - (number < 9)
    return f"{first}-{first + 1}"


def _visitors(rows: Sequence[UsageRow], audience: str) -> int | None:
    """The month's estimated visitors of `audience`: the report's `_visitors_of`."""
    if not any(row.counted for row in rows):
        return None
    return max((row.visitors or 0 for row in rows if row.audience == audience), default=0)


def _adoption(months: Sequence[Sequence[UsageRow]], audience: str, enrolment: int) -> float | None:
    """Σ estimated visitors / Σ enrolment over the months that carry a visitors count."""
    known = [visitors for visitors in (_visitors(rows, audience) for rows in months) if visitors is not None]
    return ratio(sum(known), enrolment * len(known))


def _period(key: str, months: Sequence[Sequence[UsageRow]], usage: SchoolUsage) -> Period:
    rows = [row for month in months for row in month]
    return Period(
        key=key,
        categories={c: sum(r.visits for r in rows if r.category == c) for c in CATEGORIES},
        audiences={a: sum(r.visits for r in rows if r.audience == a) for a in AUDIENCES},
        teacher_adoption=_adoption(months, "teacher", usage.teachers),
        pupil_adoption=_adoption(months, "pupil", usage.pupils),
    )


def _by_month(usage: SchoolUsage) -> dict[str, list[UsageRow]]:
    months: dict[str, list[UsageRow]] = {}
    for row in sorted(usage.rows, key=lambda row: row.month):
        months.setdefault(row.month, []).append(row)
    return months


def month_periods(usage: SchoolUsage) -> list[Period]:
    """The school's months with usage, in order."""
    return [_period(month, [rows], usage) for month, rows in _by_month(usage).items()]


def year_periods(usage: SchoolUsage) -> list[Period]:
    """The school's school years with usage, in order."""
    years: dict[str, list[list[UsageRow]]] = {}
    for month, rows in _by_month(usage).items():
        years.setdefault(school_year_of(month), []).append(rows)
    return [_period(year, months, usage) for year, months in years.items()]


# --- Milestones --------------------------------------------------------------------------------

def _slip_text(milestone: MilestoneDates, labels: Mapping[str, str]) -> str:
    if milestone.actual is None:
        return labels["not_done"]
    slip = milestone.slip_days
    if slip is None:
        return ""
    return f"{'⚠ ' if slip > 0 else ''}{slip:+d} {labels['days']}"


def _milestones_figure(milestones: Sequence[MilestoneDates], labels: Mapping[str, str]) -> go.Figure:
    names = [labels.get(m.kind, m.kind) for m in milestones]
    figure = go.Figure()
    for m, name in zip(milestones, names):
        if m.planned and m.actual:
            figure.add_trace(go.Scatter(x=[m.planned, m.actual], y=[name, name], mode="lines", showlegend=False,
                                        hoverinfo="skip", line={"color": VERMILLION if m.actual > m.planned else GREY}))
    figure.add_trace(go.Scatter(
        x=[m.planned for m in milestones], y=names, mode="markers", name=labels["planned_marker"],
        marker={"symbol": "circle-open", "size": 12, "color": BLACK, "line": {"width": 2}},
    ))
    figure.add_trace(go.Scatter(
        x=[m.actual for m in milestones], y=names, mode="markers+text", name=labels["actual_marker"],
        text=[_slip_text(m, labels) for m in milestones], textposition="middle right",
        marker={"symbol": ["x" if (m.slip_days or 0) > 0 else "diamond" for m in milestones], "size": 11,
                "color": [VERMILLION if (m.slip_days or 0) > 0 else GREEN for m in milestones]},
    ))
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    figure.update_layout(template=NAME, height=380)
    return figure


def plot_school_milestones(milestones: Sequence[MilestoneDates], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Each milestone's planned date (open circle) and actual date (filled), the slip written
    beside it; a late one is a cross and says ⚠ +N j, so lateness never relies on colour."""
    return _milestones_figure(milestones, labels)


def milestones_table(milestones: Sequence[MilestoneDates], labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(labels.get(m.kind, m.kind), m.planned, m.actual, labels.get(m.status, m.status), m.slip_days) for m in milestones]
    return Table((labels["milestone"], labels["planned"], labels["actual"], labels["status"], labels["slip_days"]), rows)


# --- History -----------------------------------------------------------------------------------

def plot_school_history(changes: Sequence[Change], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Each change as a point on the time axis, on its milestone's line."""
    figure = go.Figure(go.Scatter(
        x=[c.at for c in changes], y=[c.milestone for c in changes], mode="markers", name=labels["changes"],
        text=[f"{c.actor} — {c.change}" for c in changes], hovertemplate="%{x}<br>%{text}<extra></extra>",
        marker={"symbol": "diamond", "size": 9, "color": BLUE},
    ))
    figure.update_layout(template=NAME, height=320, showlegend=False)
    if not changes:
        figure.update_layout(height=120)
        figure.add_annotation(text=labels["no_change"], showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    return figure


def history_table(changes: Sequence[Change], labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(c.at.strftime("%d/%m/%Y %H:%M"), c.actor, c.channel, c.milestone, c.change) for c in changes]
    return Table((labels["at"], labels["actor"], labels["channel"], labels["milestone"], labels["change"]), rows)


# --- Usage by month ----------------------------------------------------------------------------

def _stacked_figure(periods: Sequence[Period], keys: Sequence[str], values: str,
                    style: Mapping[str, tuple[str, str]], labels: Mapping[str, str]) -> go.Figure:
    figure = go.Figure()
    for key in keys:
        colour, pattern = style[key]
        figure.add_trace(go.Bar(x=[p.key for p in periods], y=[getattr(p, values)[key] for p in periods],
                                name=labels[key], marker={"color": colour, "pattern": {"shape": pattern}}))
    figure.update_layout(template=NAME, barmode="stack", yaxis_title=labels["visits"])
    figure.update_xaxes(type="category")
    return figure


def plot_usage_by_service(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Visits per month, stacked by service category (each with its colour and pattern)."""
    return _stacked_figure(month_periods(usage), CATEGORIES, "categories", CATEGORY_STYLE, labels)


def usage_by_service_table(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(p.key, *(p.categories[c] for c in CATEGORIES), p.visits) for p in month_periods(usage)]
    return Table((labels["month"], *(labels[c] for c in CATEGORIES), labels["visits"]), rows)


def plot_usage_by_profile(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Visits per month, stacked by profile: teachers, pupils, parents, staff."""
    return _stacked_figure(month_periods(usage), AUDIENCES, "audiences", AUDIENCE_STYLE, labels)


def usage_by_profile_table(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(p.key, *(p.audiences[a] for a in AUDIENCES), p.visits) for p in month_periods(usage)]
    return Table((labels["month"], *(labels[a] for a in AUDIENCES), labels["visits"]), rows)


def plot_school_adoption(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Teacher and pupil adoption per month: two lines told apart by dash and marker too."""
    periods = month_periods(usage)
    figure = go.Figure()
    for measure, (colour, dash, symbol) in ADOPTION_STYLE.items():
        figure.add_trace(go.Scatter(x=[p.key for p in periods], y=[getattr(p, measure) for p in periods],
                                    name=labels[measure], mode="lines+markers",
                                    line={"color": colour, "dash": dash}, marker={"symbol": symbol, "size": 7}))
    figure.update_layout(template=NAME)
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return figure


def adoption_table(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(p.key, _rounded(p.teacher_adoption), _rounded(p.pupil_adoption)) for p in month_periods(usage)]
    return Table((labels["month"], labels["teacher_adoption"], labels["pupil_adoption"]), rows)


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


# --- School years ------------------------------------------------------------------------------

def _years_figure(years: Sequence[Period], labels: Mapping[str, str]) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, column_widths=[0.3, 0.7], horizontal_spacing=0.1,
                           subplot_titles=[labels["visits"], ""])
    for index, year in enumerate(years):
        style = {"color": YEAR_COLOURS[index % len(YEAR_COLOURS)],
                 "pattern": {"shape": YEAR_PATTERNS[index % len(YEAR_PATTERNS)]}}
        figure.add_trace(go.Bar(x=[year.key], y=[year.visits], name=year.key, legendgroup=year.key, marker=style,
                                showlegend=False, texttemplate="%{y:,.0f}", textposition="outside"), row=1, col=1)
        figure.add_trace(go.Bar(x=[labels[m] for m in YEAR_MEASURES], y=[getattr(year, m) for m in YEAR_MEASURES],
                                name=year.key, legendgroup=year.key, marker=style,
                                texttemplate="%{y:.0%}", textposition="outside"), row=1, col=2)
    figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=2)
    figure.update_layout(template=NAME, barmode="group")
    return figure


def plot_school_years(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The school years side by side: visits, then pedagogical share and adoption, each year
    with its own colour and pattern, in the same order in both panels."""
    return _years_figure(year_periods(usage), labels)


def school_years_table(usage: SchoolUsage, labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(y.key, y.visits, *(_rounded(getattr(y, m)) for m in YEAR_MEASURES)) for y in year_periods(usage)]
    return Table((labels["year"], labels["visits"], *(labels[m] for m in YEAR_MEASURES)), rows)
