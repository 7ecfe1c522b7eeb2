"""Benchmark scenarios of issue #3, built from the real national collège file.

Four sizes, from the département the product grew from to the whole country:

| key | schools | waves | basins |
|---|---|---|---|
| `093` | Seine-Saint-Denis, 130 | 6 | communes clustered, ~16 schools each |
| `creteil` | académie of Créteil, 362 | 8 | same, within each département |
| `idf` | Île-de-France, 902 | 8 | same |
| `france` | all public collèges, 5,287 | 10 | the départements |

Everything the file lacks is derived deterministically (CRC32 of the UAI, never `hash()` or a
random generator), so a scenario is the same on every machine and every run:

* teachers: `rollout.colleges.teachers.estimated_teachers` (the product's own estimate);
* pilots: in each basin, the school with the smallest stable hash is pinned to wave 1;
* equipment: a tenth of the other schools are ready only from wave 3 or wave 4;
* deadline: REP+ schools must be live by the middle wave (the académie's priority);
* trainers: per basin, one academic trainer trained at the start and two to be trained (for
  départements, proportionally more), each also serving the nearest basin; vendors few enough
  that their sessions are scarce.

The capacities are chosen so the scenarios are feasible (the greedy baseline finds a plan)
but binding: in the first waves the vendors must choose between training trainers, which
unlocks teacher sessions one wave later (`trainer_lag` 1), and training school leaderships,
which lets schools go live now; wave caps and basin capacity spread the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from fixtures.datasets import ILE_DE_FRANCE, stable_fraction
from rollout.colleges.clustering import centroid, cluster_communes, communes_of, nearest
from rollout.colleges.national_file import College, public_colleges
from rollout.colleges.teachers import estimated_teachers

SCHOOLS_PER_BASIN = 16
TEACHERS_PER_SESSION = 15
ACADEMIC_CAPACITY = 6
WEIGHTS = {"none": 1.0, "REP": 1.5, "REP+": 2.0}


@dataclass(frozen=True)
class BenchSpec:
    """One benchmark: which schools, how many waves, and the issue's target for it."""

    key: str
    title: str
    colleges: Callable[[], list[College]]
    waves: int
    basins_are_departments: bool
    vendors: int
    vendor_capacity: int
    time_limit: float
    target: str


SPECS: dict[str, BenchSpec] = {
    spec.key: spec
    for spec in (
        BenchSpec("093", "Seine-Saint-Denis", lambda: public_colleges(departments=["093"]), 6, False,
                  vendors=1, vendor_capacity=5, time_limit=5.0, target="proven optimal < 5 s"),
        BenchSpec("creteil", "Académie de Créteil", lambda: public_colleges(academies=["Creteil"]), 8, False,
                  vendors=2, vendor_capacity=5, time_limit=60.0, target="proven optimal < 60 s"),
        BenchSpec("idf", "Île-de-France", lambda: public_colleges(departments=ILE_DE_FRANCE), 8, False,
                  vendors=4, vendor_capacity=6, time_limit=120.0, target="within 0.1 % of bound in 120 s"),
        BenchSpec("france", "France", public_colleges, 10, True,
                  vendors=16, vendor_capacity=8, time_limit=300.0,
                  target="valid plan < 60 s, within 1 % of bound in 300 s, < 4 GiB"),
    )
}


def build_scenario(key: str) -> dict[str, Any]:
    """The `rollout-scenario/1` document of benchmark `key` (one of `SPECS`)."""
    spec = SPECS[key]
    colleges = spec.colleges()
    if spec.basins_are_departments:
        basin_of = {c.uai: c.department_code for c in colleges}
        neighbours: dict[str, tuple[str, ...]] = {b: (b,) for b in set(basin_of.values())}
    else:
        basin_of, neighbours = _clustered_basins(colleges)
    wave_ids = [f"W{i + 1}" for i in range(spec.waves)]
    schools = _schools(colleges, basin_of, wave_ids)
    return {
        "format": "rollout-scenario/1",
        "name": f"bench-{key}",
        "waves": _waves(wave_ids, schools),
        "schools": schools,
        "trainers": _vendors(spec) + _academics(schools, neighbours, spec.basins_are_departments),
        "cascade": {
            "teachers_per_session": TEACHERS_PER_SESSION,
            "trainers_per_session": 8,
            "schools_per_leadership_session": 6,
            "trainer_lag": 1,
        },
        "objective": {"priority_weights": dict(WEIGHTS)},
    }


def _clustered_basins(colleges: list[College]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each département's communes clustered into basins of about 16 schools; every basin's
    neighbour is the nearest other basin, whose trainers may help."""
    by_department: dict[str, list[College]] = defaultdict(list)
    for college in colleges:
        by_department[college.department_code].append(college)
    commune_basin: dict[str, str] = {}
    centres: dict[str, tuple[float, float]] = {}
    for department in sorted(by_department):
        members = by_department[department]
        clusters = cluster_communes(communes_of(members), max(1, round(len(members) / SCHOOLS_PER_BASIN)))
        clusters.sort(key=lambda cluster: min(commune.code for commune in cluster))
        for number, cluster in enumerate(clusters, start=1):
            code = f"{department}-{number:02d}"
            centres[code] = centroid(cluster)
            commune_basin.update((commune.code, code) for commune in cluster)
    basin_of = {
        c.uai: commune_basin.get(c.commune_code, f"{c.department_code}-01") for c in colleges
    }
    neighbours = {
        code: (code, nearest(centre, {o: centres[o] for o in centres if o != code}))
        if len(centres) > 1 else (code,)
        for code, centre in centres.items()
    }
    return basin_of, neighbours


def _schools(colleges: list[College], basin_of: dict[str, str], wave_ids: list[str]) -> list[dict[str, Any]]:
    """Schools with pilots pinned to W1, late equipment and the REP+ deadline."""
    pilots: dict[str, str] = {}
    for college in sorted(colleges, key=lambda c: stable_fraction("pilot", c.uai)):
        pilots.setdefault(basin_of[college.uai], college.uai)
    pilot_uais = set(pilots.values())
    middle = wave_ids[(len(wave_ids) - 1) // 2]
    schools = []
    for college in colleges:
        draw = stable_fraction("equipment", college.uai)
        pinned = college.uai in pilot_uais
        earliest = None if pinned or draw >= 0.1 else wave_ids[2 if draw < 0.05 else 3]
        schools.append({
            "uai": college.uai,
            "name": college.name,
            "basin": basin_of[college.uai],
            "pupils": college.pupils,
            "teachers": estimated_teachers(college.pupils, college.priority),
            "priority": college.priority,
            "earliest_wave": earliest,
            "latest_wave": middle if college.priority == "REP+" and not pinned and earliest is None else None,
            "pinned_wave": wave_ids[0] if pinned else None,
        })
    return schools


def _waves(wave_ids: list[str], schools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quarterly waves from September 2027; each holds at most 1.4× its even share of schools
    and pupils, so the rollout cannot be squeezed into a few waves by caps alone."""
    share = 1.4 / len(wave_ids)
    max_schools = math.ceil(share * len(schools))
    max_pupils = math.ceil(share * sum(s["pupils"] for s in schools))
    terms = (("09-01", "12-18"), ("01-04", "03-31"), ("04-03", "07-07"))
    waves = []
    for index, wave_id in enumerate(wave_ids):
        year = 2027 + (index + 2) // 3
        start, end = terms[index % 3]
        waves.append({"id": wave_id, "start": f"{year}-{start}", "end": f"{year}-{end}",
                      "max_schools": max_schools, "max_pupils": max_pupils})
    return waves


def _vendors(spec: BenchSpec) -> list[dict[str, Any]]:
    return [
        {"id": f"V-{n}", "name": f"Formateur éditeur {n}", "tier": "vendor", "basins": None,
         "capacity": spec.vendor_capacity, "capacity_by_wave": {}, "trained": True}
        for n in range(1, spec.vendors + 1)
    ]


def _academics(
    schools: list[dict[str, Any]], neighbours: dict[str, tuple[str, ...]], per_department: bool
) -> list[dict[str, Any]]:
    """Per basin, trainers trained at the start and trainers the vendors must train first.

    Trained at the start: one more than the basin's pilot sessions need in wave 1 (for
    départements, also one per 40 schools). To be trained: enough to run the basin's sessions
    in about four waves, at least two, so that the REP+ deadline can be met only if the vendors
    train them early.
    """
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for school in schools:
        members[school["basin"]].append(school)
    trainers = []
    for basin in sorted(members):
        sessions = {s["uai"]: math.ceil(s["teachers"] / TEACHERS_PER_SESSION) for s in members[basin]}
        pilot_sessions = sum(sessions[s["uai"]] for s in members[basin] if s["pinned_wave"])
        trained = 1 + math.ceil(pilot_sessions / ACADEMIC_CAPACITY)
        untrained = max(2, math.ceil(sum(sessions.values()) / (ACADEMIC_CAPACITY * 4)))
        if per_department:
            trained += len(members[basin]) // 40
        for rank in range(trained + untrained):
            number = len(trainers) + 1
            trainers.append({
                "id": f"AT-{number:04d}", "name": f"Formateur académique {number}", "tier": "academic",
                "basins": list(neighbours[basin]), "capacity": ACADEMIC_CAPACITY,
                "capacity_by_wave": {}, "trained": rank < trained,
            })
    return trainers
