"""The training dashboard ("Formation"): the cascade as delivered, the trainers' workload planned
against delivered, hours of training per teacher and school, online completion by course.

The overview's cascade reads milestones typed by hand; these figures read the delivery records
(`rollout.models.training`), so a leader sees where the cascade breaks: a modality that trains
few teachers, a wave whose sessions were cancelled, a school left with little training, an
online course enrolled in but not finished. Each `plot_*` has its `*_table` with the same
numbers (the accessible table and the CSV), and texts come in as `labels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboards.figures.arrays import numbers, objects
from dashboards.figures.groups import wrapped
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, GREEN, GREY, NAME, ORANGE, PURPLE, SKY, VERMILLION

MODALITIES = ("face_to_face", "online", "hybrid")
LEVELS = ("initie", "confirme", "avance", "expert")
STYLE = {"face_to_face": (BLUE, ""), "online": (ORANGE, "/"), "hybrid": (GREEN, "x"),
         "initie": (SKY, ""), "confirme": (BLUE, "/"), "avance": (PURPLE, "x"), "expert": (VERMILLION, "."),
         "total": (GREY, "")}
"""Colour and bar pattern of each part of a stage: the pattern says it without the colour."""

LABELS: dict[str, str] = {
    "stage": _("Étape"),
    "part": _("Détail"),
    "count": _("Nombre"),
    "total": _("Total"),
    "trainers_trained": _("Formateurs formés"),
    "leadership_briefed": _("Directions sensibilisées"),
    "teachers_trained": _("Enseignants formés"),
    "teachers_active": _("Enseignants actifs sur l'ENT"),
    "teachers_certified": _("Enseignants certifiés Pix+ Édu"),
    "face_to_face": _("Présentiel"),
    "online": _("Distanciel"),
    "hybrid": _("Hybride"),
    "initie": _("Initié"),
    "confirme": _("Confirmé"),
    "avance": _("Avancé"),
    "expert": _("Expert"),
    "wave": _("Vague"),
    "planned": _("Sessions prévues (plan adopté)"),
    "held": _("Sessions réalisées"),
    "cancelled": _("Sessions annulées"),
    "school": _("Établissement"),
    "uai": _("UAI"),
    "teachers": _("Enseignants"),
    "teacher_hours": _("Heures × participants"),
    "hours_per_teacher": _("Heures par enseignant"),
    "schools": _("Établissements"),
    "distribution": _("%(schools)d établissements, trop pour une barre chacun : combien d'établissements ont combien "
                      "d'heures par enseignant. Chaque établissement est dans le tableau des données ; un filtre "
                      "(bassin, vague) qui en garde moins montre une barre par établissement."),
    "course": _("Parcours"),
    "enrolled": _("Inscrits"),
    "in_progress": _("En cours"),
    "completed": _("Terminé"),
    "rate": _("Taux d'achèvement"),
}


def _figure(**layout: object) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(template=NAME, **layout)
    return figure


# The cascade ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingCascade:
    """How far the delivered cascade reached: trainers trained by a held `trainers` session,
    schools briefed by a held `leadership` session, teachers trained per modality, teachers
    active on the platform, teachers certified per Pix+ Édu level."""

    trainers_trained: int
    leadership_briefed: int
    teachers_by_modality: Mapping[str, int]
    teachers_active: int
    certified_by_level: Mapping[str, int]


def _cascade_rows(cascade: TrainingCascade) -> list[tuple[str, str, int]]:
    """(stage, part, count) in funnel order; a stage without parts has the part `total`."""
    rows = [("trainers_trained", "total", cascade.trainers_trained),
            ("leadership_briefed", "total", cascade.leadership_briefed)]
    rows += [("teachers_trained", modality, cascade.teachers_by_modality.get(modality, 0)) for modality in MODALITIES]
    rows.append(("teachers_active", "total", cascade.teachers_active))
    rows += [("teachers_certified", level, cascade.certified_by_level.get(level, 0)) for level in LEVELS]
    return rows


def plot_training_cascade(cascade: TrainingCascade, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """One horizontal bar per stage, top to bottom; teachers trained stacked by modality and
    teachers certified by level, each part with its own colour and pattern."""
    rows = _cascade_rows(cascade)
    stages = list(dict.fromkeys(stage for stage, _part, _count in rows))
    figure = _figure(barmode="stack", hovermode="closest")
    for part in ("total", *MODALITIES, *LEVELS):
        counts = {stage: count for stage, name, count in rows if name == part}
        if not counts:
            continue
        colour, pattern = STYLE[part]
        figure.add_trace(go.Bar(
            y=[labels[stage] for stage in stages], x=[counts.get(stage, 0) for stage in stages], orientation="h",
            name=labels[part], marker={"color": colour, "pattern": {"shape": pattern}},
            showlegend=part != "total", hovertemplate="%{y} — " + labels[part] + " : %{x}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    return figure


def training_cascade_table(cascade: TrainingCascade, labels: Mapping[str, str] = LABELS) -> Table:
    return Table((labels["stage"], labels["part"], labels["count"]),
                 [(labels[stage], labels[part], count) for stage, part, count in _cascade_rows(cascade)])


# Workload planned against delivered ----------------------------------------------------------


@dataclass(frozen=True)
class WaveWorkload:
    """A wave's sessions: planned by the adopted plan (counted as the checker counts them),
    held and cancelled as recorded."""

    wave: str
    planned: int
    held: int
    cancelled: int


def plot_workload(waves: Sequence[WaveWorkload], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """Grouped bars per wave: planned (grey), held (blue), cancelled (vermillion, hatched)."""
    figure = _figure(barmode="group", hovermode="x unified")
    x = [wave.wave for wave in waves]
    for key, colour, pattern in (("planned", GREY, ""), ("held", BLUE, ""), ("cancelled", VERMILLION, "x")):
        figure.add_trace(go.Bar(x=x, y=[getattr(wave, key) for wave in waves], name=labels[key],
                                marker={"color": colour, "pattern": {"shape": pattern}}))
    figure.update_xaxes(type="category")
    return figure


def workload_table(waves: Sequence[WaveWorkload], labels: Mapping[str, str] = LABELS) -> Table:
    return Table((labels["wave"], labels["planned"], labels["held"], labels["cancelled"]),
                 [(wave.wave, wave.planned, wave.held, wave.cancelled) for wave in waves])


# Hours per teacher ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolHours:
    """A school's teacher-hours of training (hours × attendees over its held teachers' sessions)
    and its teacher count."""

    uai: str
    name: str
    teachers: int
    teacher_hours: float

    @property
    def per_teacher(self) -> float:
        return self.teacher_hours / self.teachers if self.teachers else 0.0


def _by_hours(schools: Sequence[SchoolHours]) -> list[SchoolHours]:
    return sorted(schools, key=lambda school: (-school.per_teacher, school.uai))


BARS_LIMIT = 200
"""Schools beyond which hours per teacher are drawn as their distribution (a histogram) rather
than a bar each: a bar per collège of the country is a figure 127,000 pixels tall that nobody
reads. Each school's hours stay in the figure's table (its CSV), and a filter (basin, wave)
that keeps fewer schools brings the bars back. A district (the demo's 130) is below."""


def plot_hours_per_teacher(schools: Sequence[SchoolHours], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """A horizontal bar per school, the most trained first, its value written on the bar;
    beyond BARS_LIMIT schools, how many schools have how many hours, and the title says so."""
    if len(schools) > BARS_LIMIT:
        return _hours_distribution(schools, labels)
    ordered = _by_hours(schools)
    figure = _figure(hovermode="closest", height=max(300, 80 + 24 * len(ordered)))
    figure.add_trace(go.Bar(
        y=objects(f"{school.name} ({school.uai})" for school in ordered),
        x=numbers(round(school.per_teacher, 1) for school in ordered), orientation="h",
        name=labels["hours_per_teacher"], marker={"color": BLUE},
        text=objects(f"{school.per_teacher:.1f}".replace(".", ",") for school in ordered), textposition="auto",
        hovertemplate="%{y}<br>" + labels["hours_per_teacher"] + " : %{x}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(title_text=labels["hours_per_teacher"])
    return figure


def _hours_distribution(schools: Sequence[SchoolHours], labels: Mapping[str, str]) -> go.Figure:
    """Schools counted by hours per teacher, in bins plotly.js chooses."""
    figure = _figure(hovermode="closest", bargap=0.05, margin_t=110,
                     title={"text": wrapped(labels["distribution"] % {"schools": len(schools)}, 90), "font_size": 13})
    figure.add_trace(go.Histogram(
        x=numbers(round(school.per_teacher, 1) for school in schools), name=labels["schools"], marker={"color": BLUE},
        hovertemplate=labels["hours_per_teacher"] + " : %{x}<br>" + labels["schools"] + " : %{y}<extra></extra>"))
    figure.update_xaxes(title_text=labels["hours_per_teacher"], rangemode="tozero")
    figure.update_yaxes(title_text=labels["schools"])
    return figure


def hours_per_teacher_table(schools: Sequence[SchoolHours], labels: Mapping[str, str] = LABELS) -> Table:
    return Table((labels["school"], labels["uai"], labels["teachers"], labels["teacher_hours"], labels["hours_per_teacher"]),
                 [(school.name, school.uai, school.teachers, school.teacher_hours, round(school.per_teacher, 2))
                  for school in _by_hours(schools)])


# Online completion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseProgress:
    """A M@gistère course's teachers over the selected schools, from the latest exports."""

    course: str
    enrolled: int
    in_progress: int
    completed: int

    @property
    def rate(self) -> float | None:
        """Completed / enrolled; None when nobody is enrolled."""
        return self.completed / self.enrolled if self.enrolled else None


def plot_completion(courses: Sequence[CourseProgress], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """A horizontal bar per course, its completion rate (0 to 100 %), "completed / enrolled"
    written beside it."""
    figure = _figure(hovermode="closest", height=max(300, 80 + 30 * len(courses)))
    figure.add_trace(go.Bar(
        y=[course.course for course in courses], x=[course.rate or 0 for course in courses], orientation="h",
        name=labels["rate"], marker={"color": GREEN},
        text=[f"{course.completed} / {course.enrolled}" for course in courses], textposition="auto",
        hovertemplate="%{y}<br>" + labels["rate"] + " : %{x:.0%}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(range=[0, 1], tickformat=".0%", title_text=labels["rate"])
    return figure


def completion_table(courses: Sequence[CourseProgress], labels: Mapping[str, str] = LABELS) -> Table:
    return Table((labels["course"], labels["enrolled"], labels["in_progress"], labels["completed"], labels["rate"]),
                 [(course.course, course.enrolled, course.in_progress, course.completed,
                   None if course.rate is None else round(course.rate, 4)) for course in courses])
