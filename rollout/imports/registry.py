"""Every import the product has, by kind, and the page each one goes back to."""

from __future__ import annotations

from rollout.imports.reference import ReferenceTable
from rollout.schools.table import SchoolTable
from rollout.trainers.table import TrainerTable
from rollout.waves.table import WaveTable

TABLES: dict[str, type[ReferenceTable]] = {"schools": SchoolTable, "trainers": TrainerTable, "waves": WaveTable}
LISTS = {"schools": "schools.index", "trainers": "trainers.index", "waves": "waves.index"}
