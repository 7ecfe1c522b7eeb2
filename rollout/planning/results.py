"""What the plan page shows of a plan and what it exports: one sentence on its quality, its
figures with their tables, its schools wave by wave, a spreadsheet and trainers' calendars.

Everything is read from the plan's row alone, its `scenario` (`rollout-scenario/1`) and its
`result` (`rollout-plan/1`), so a plan reads the same whatever has changed in the programme
since. The greedy baseline the pupils figure compares with is the one the worker stored at
the end of the solve (`rollout.planning.greedy_baseline`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from flask_babel import gettext as _

from dashboards.figures import plan as figures
from dashboards.figures.table import Table
from dashboards.pages.drawn import Drawn
from planner.export import CSV_COLUMNS, plan_rows, plan_to_csv, plan_to_icalendar
from rollout.imports.export import table_bytes
from rollout.models import Plan
from rollout.planning.greedy_baseline import GREEDY, greedy_baseline

RUNNING = ("queued", "solving")
PRIORITY_NAMES = {"none": "Hors éducation prioritaire", "REP": "REP", "REP+": "REP+"}


def holds_assignment(plan: Plan) -> bool:
    """Whether the plan has schools in waves to show and export (a finished solve that found one)."""
    return bool((plan.result or {}).get("assignments"))


def _greedy_pupils(plan: Plan) -> dict[str, int] | None:
    stats = (plan.result or {}).get("stats") or {}
    # Plans solved before the worker stored the baseline have none: computed here once, then.
    baseline = stats[GREEDY] if GREEDY in stats else greedy_baseline(plan.scenario)
    return None if baseline is None else baseline["pupils_per_wave"]


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.##", locale=get_locale())


def _percent(share: float) -> str:
    """A gap as the reader writes a percentage, to two decimals; a gap too small for them is
    "less than 0.01 %", never a misleading 0."""
    locale = get_locale()
    pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.00")
    if 0 < share < 0.00005:
        return _("moins de %(percent)s", percent=format_percent(0.0001, format=pattern, locale=locale))
    return format_percent(share, format=pattern, locale=locale)


def summary_sentence(plan: Plan) -> str | None:
    """One sentence for a district leader on the plan's objective, its proven bound and the gap
    between them: provisional while the solve goes on, else for the plan it holds; None before
    a first plan is found, and for a plan that holds none (a worker that died leaves the last
    objective it wrote, of a plan nobody kept)."""
    running = plan.status in RUNNING
    if plan.objective is None or not (running or holds_assignment(plan)):
        return None
    objective = _number(plan.objective)
    if plan.status == "optimal":
        return _("Objectif %(objective)s (élèves pondérés × rang de vague) : ce plan est optimal, il est prouvé "
                 "qu'aucun plan ne peut faire mieux.", objective=objective)
    if plan.bound is None:
        if running:
            return _("Chiffres provisoires, le calcul continue : objectif %(objective)s (élèves pondérés × rang de "
                     "vague) ; aucune borne n'est encore prouvée.", objective=objective)
        return _("Objectif %(objective)s (élèves pondérés × rang de vague) ; aucune borne n'a été prouvée : on ne sait "
                 "pas de combien un autre plan pourrait faire mieux.", objective=objective)
    gap = plan.gap if plan.gap is not None else max(0.0, plan.objective - plan.bound) / max(1.0, abs(plan.objective))
    values = {"objective": objective, "bound": _number(plan.bound), "gap": _percent(gap)}
    if running:
        return _("Chiffres provisoires, le calcul continue : objectif %(objective)s (élèves pondérés × rang de vague) ; "
                 "aucun plan ne peut faire mieux que %(bound)s : au plus %(gap)s de mieux est possible à ce stade.",
                 **values)
    return _("Objectif %(objective)s (élèves pondérés × rang de vague) ; aucun plan ne peut faire mieux que %(bound)s : "
             "au plus %(gap)s de mieux est possible.", **values)


def _labels() -> dict[str, str]:
    return {key: _(text) for key, text in figures.LABELS.items()}


def _table_builders(plan: Plan, labels: dict[str, str], greedy: dict[str, int] | None) -> dict[str, Callable[[], Table]]:
    """Each figure's table, by figure name: what the page writes under a figure, and what it
    offers as CSV when the table is too long for the page (`figure_table`)."""
    scenario, result = plan.scenario, plan.result or {}
    return {
        "plan_map": lambda: figures.wave_map_table(scenario, result, labels),
        "plan_pupils": lambda: figures.pupils_reached_table(scenario, result, greedy, labels),
        "plan_trainers": lambda: figures.academic_load_table(scenario, result, labels),
        "plan_vendor": lambda: figures.vendor_sessions_table(scenario, result, labels),
    }


def drawn(plan: Plan) -> list[Drawn]:
    """The plan's figures in page order, each with its caption and its table."""
    scenario, result, labels = plan.scenario, plan.result or {}, _labels()
    greedy = _greedy_pupils(plan)
    tables = _table_builders(plan, labels, greedy)
    return [
        Drawn("plan_map", _("Carte des établissements par vague"),
              _("Établissements situés par leurs coordonnées, avec leur vague dans ce plan (couleur et forme du "
                "symbole)."),
              figures.plot_wave_map(scenario, result, labels), tables["plan_map"]()),
        Drawn("plan_pupils", _("Élèves ayant accès, vague après vague"),
              _("Élèves des établissements ouverts, cumulés à la fin de chaque vague : ce plan (trait plein) et la "
                "référence gloutonne (tirets), celle d'un tableur rempli avec soin, établissement par établissement.")
              if greedy is not None else
              _("Élèves des établissements ouverts, cumulés à la fin de chaque vague ; pas de référence gloutonne : "
                "la méthode gloutonne ne trouve aucun plan pour ce scénario."),
              figures.plot_pupils_reached(scenario, result, greedy, labels), tables["plan_pupils"]()),
        Drawn("plan_trainers", _("Sessions des formateurs de l'académie par vague"),
              _("Sessions de formation des enseignants confiées à chaque formateur de l'académie dans chaque vague, "
                "sur sa capacité dans ce scénario (« sessions / capacité ») ; une case au-delà est marquée ⚠."),
              figures.plot_academic_load(scenario, result, labels), tables["plan_trainers"]()),
        Drawn("plan_vendor", _("Sessions de l'éditeur par vague"),
              _("Sessions de l'éditeur dans chaque vague, empilées : formations de formateurs de l'académie (plein) et "
                "des équipes de direction (hachuré), sous le trait de sa capacité ; une vague au-delà est marquée ⚠."),
              figures.plot_vendor_sessions(scenario, result, labels), tables["plan_vendor"]()),
    ]


def figure_table(plan: Plan, name: str) -> Table | None:
    """The table of one of the plan's figures (`drawn`'s names), without drawing any figure;
    None for a name no figure has. The greedy baseline is looked up only for the table using it."""
    builders = _table_builders(plan, _labels(), _greedy_pupils(plan) if name == "plan_pupils" else None)
    return builders[name]() if name in builders else None


def schools_table(plan: Plan) -> Table:
    """The plan's schools in rollout order (wave, then UAI) with who trains their teachers."""
    scenario, result = plan.scenario, plan.result or {}
    position = {wave["id"]: index for index, wave in enumerate(scenario["waves"])}
    wave_of = {row["uai"]: row["wave"] for row in result.get("assignments", [])}
    names = {trainer["id"]: trainer.get("name") or trainer["id"] for trainer in scenario["trainers"]}
    trained_by: dict[str, list[str]] = defaultdict(list)
    for entry in sorted(result.get("teacher_sessions", []), key=lambda e: (names.get(e["trainer"], e["trainer"]), e["trainer"])):
        trained_by[entry["uai"]].append(f"{names.get(entry['trainer'], entry['trainer'])} ({entry['sessions']})")
    schools = sorted((s for s in scenario["schools"] if s["uai"] in wave_of),
                     key=lambda s: (position[wave_of[s["uai"]]], s["uai"]))
    return Table(
        (_("Vague"), _("UAI"), _("Établissement"), _("Bassin"), _("Éducation prioritaire"), _("Élèves"),
         _("Formateurs (sessions)")),
        [(wave_of[s["uai"]], s["uai"], s.get("name", ""), s["basin"], _(PRIORITY_NAMES.get(s["priority"], s["priority"])),
          s["pupils"], ", ".join(trained_by[s["uai"]])) for s in schools],
    )


@dataclass(frozen=True)
class Calendar:
    """A trainer with sessions in the plan, whose calendar the page links to."""

    trainer: str
    name: str
    sessions: int


def calendars(plan: Plan) -> list[Calendar]:
    """The trainers who run at least one session in the plan, in the scenario's order."""
    result = plan.result or {}
    counts: dict[str, int] = defaultdict(int)
    for entry in result.get("teacher_sessions", []):
        counts[entry["trainer"]] += entry["sessions"]
    for entry in [*result.get("trainer_training", []), *result.get("leadership_training", [])]:
        counts[entry["vendor"]] += 1
    return [Calendar(t["id"], t.get("name") or t["id"], counts[t["id"]])
            for t in plan.scenario["trainers"] if counts[t["id"]]]


def plan_spreadsheet(plan: Plan, fmt: str) -> bytes:
    """The plan's schools as the command line exports them: CSV as French Excel opens it, or
    XLSX through the product's writer (the waves' dates as dates); either way text a
    spreadsheet would run is neutralised."""
    if fmt == "csv":
        return plan_to_csv(plan.scenario, plan.result or {}, excel=True).encode("utf-8")
    dated = [CSV_COLUMNS.index("wave_start"), CSV_COLUMNS.index("wave_end")]
    rows = [tuple(date.fromisoformat(cell) if index in dated else cell for index, cell in enumerate(row))
            for row in plan_rows(plan.scenario, plan.result or {})]
    return table_bytes(CSV_COLUMNS, rows, fmt="xlsx", sheet="plan")


def trainer_calendar(plan: Plan, trainer: str) -> str | None:
    """The trainer's sessions as an iCalendar file; None for a trainer the plan gives no session."""
    if trainer not in {calendar.trainer for calendar in calendars(plan)}:
        return None
    return plan_to_icalendar(plan.scenario, plan.result or {}, trainer)
