"""The trainers import: one row per trainer, keyed on its code (header aliases in
docs/reference-data.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from typing import Any

from sqlmodel import Session, select

from rollout.imports.tabular import Column, Problem
from rollout.models import Basin, Programme, Wave
from rollout.models.trainer import TrainerCreate, TrainerUpdate
from rollout.imports import cells
from rollout.imports.reference import Entry, Existing, ImportColumn, ReferenceTable, Row, placed_problems
from rollout.trainers.records import (
    create_trainer, programme_trainers, reference_problems, trainer_or_none, trainer_snapshot, update_trainer,
)
from rollout.core.author import Author


def _basins_cell(basins: list[str] | None) -> str:
    """Basin codes as `cells.codes` reads them: home basin first, `*` for every basin."""
    return "*" if basins is None else " ".join(basins)


def _capacities_cell(capacities: dict[str, int]) -> str | None:
    """Capacities per wave as `cells.capacities` reads them: `W2=0 W3=4`."""
    return " ".join(f"{wave}={sessions}" for wave, sessions in capacities.items()) or None


class TrainerTable(ReferenceTable):
    """Trainers keyed on code; `basins` lists basin codes, home basin first, `*` for all."""

    kind = "trainers"
    listing = "trainers.index"
    title = _l("Importer des formateurs")
    intro = _l("Une ligne par formateur, repérée par son code : les formateurs déjà présents sont mis à jour, les autres créés ; seules les colonnes présentes dans le fichier sont comparées.")
    entity = "trainer"
    key = "code"
    create_model = TrainerCreate
    columns = (
        ImportColumn(Column("code", ("code_formateur", "identifiant", "trainer_code"))),
        ImportColumn(Column("name", ("nom", "formateur", "nom_formateur", "trainer"))),
        ImportColumn(Column("tier", ("niveau", "type", "categorie"))),
        ImportColumn(Column("capacity", ("capacite", "sessions_par_vague", "sessions"), required=False), cells.integer),
        ImportColumn(Column("trained", ("forme", "deja_forme"), required=False), cells.yes_no),
        ImportColumn(Column("email", ("courriel", "adresse_electronique", "mail"), required=False)),
        ImportColumn(Column("basins", ("bassins", "bassins_servis")), cells.codes, converts_blank=True, render=_basins_cell),
        ImportColumn(Column("capacities", ("capacites_par_vague", "capacite_par_vague"), required=False), cells.capacities,
                     render=_capacities_cell),
    )

    def existing(self, session: Session, programme: Programme) -> dict[str, Existing]:
        return {trainer.code: Existing(values=trainer_snapshot(session, trainer), version=trainer.version)
                for trainer in programme_trainers(session, programme=programme)}

    def cross_problems(self, session: Session, programme: Programme, rows: dict[str, Row],
                       existing: dict[str, Existing]) -> list[Problem]:
        basin_codes = set(session.exec(select(Basin.code).where(Basin.programme_id == programme.id)))
        wave_codes = set(session.exec(select(Wave.code).where(Wave.programme_id == programme.id)))
        return placed_problems(rows.values(), lambda row: reference_problems(
            basins=row.values.get("basins"), capacities=row.values.get("capacities"), basin_codes=basin_codes, wave_codes=wave_codes))

    def create(self, session: Session, programme: Programme, data: dict[str, Any], author: Author) -> None:
        create_trainer(session, programme=programme, data=TrainerCreate.model_validate(data), author=author)

    def update(self, session: Session, programme: Programme, entry: Entry, author: Author) -> None:
        trainer = self.previewed(trainer_or_none(session, programme=programme, code=entry.key), entry)
        update_trainer(session, programme=programme, trainer=trainer, data=TrainerUpdate.model_validate(entry.versioned()),
                       author=author)
