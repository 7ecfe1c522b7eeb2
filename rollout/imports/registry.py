"""Every import the product has, by kind (the kind a SavedPreview and an ImportBatch record),
and where its upload page lives (URLs people have bookmarked, kept as they were)."""

from __future__ import annotations

from rollout.basins.table import BasinTable
from rollout.imports.pipeline import Importer
from rollout.schools.table import SchoolTable
from rollout.tracking.table import ProgressTable
from rollout.trainers.table import TrainerTable
from rollout.training.record_imports import RECORD_IMPORTERS
from rollout.usage.table import UsageTable
from rollout.waves.table import WaveTable

IMPORTERS: dict[str, type[Importer]] = {
    "schools": SchoolTable, "trainers": TrainerTable, "waves": WaveTable, "basins": BasinTable, "progress": ProgressTable,
    "usage": UsageTable, **RECORD_IMPORTERS,
}
UPLOAD_PATHS = {
    "schools": "schools/import", "trainers": "trainers/import", "waves": "waves/import", "basins": "basins/import",
    "progress": "progress/upload", "usage": "usage/import", "sessions": "training/sessions/import",
    "courses": "training/courses/import", "certifications": "training/certifications/import",
}
