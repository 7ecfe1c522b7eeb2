"""The schools import: one row per school, keyed on UAI (header aliases in docs/reference-data.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from typing import Any, Mapping

from sqlmodel import Session, select

from rollout.imports.tabular import Column, Problem
from rollout.models import Basin, Programme, School, Wave
from rollout.models.school import BasinCreate, SchoolCreate, SchoolUpdate
from rollout.imports import cells
from rollout.basins.records import create_basin
from rollout.imports.reference import Entry, Existing, ImportColumn, ReferenceTable, Row, at_row, placed_problems
from rollout.schools.records import code_maps, create_school, reference_problems, school_or_none, school_snapshot, update_school
from rollout.core.author import Author

COLUMNS = (
    ImportColumn(Column("uai", ("code_uai", "uai_etablissement", "numero_uai", "rne"))),
    ImportColumn(Column("name", ("nom", "nom_etablissement", "nom_de_l_etablissement", "appellation", "etablissement", "school", "school_name"))),
    ImportColumn(Column("commune", ("ville", "city", "nom_commune", "libelle_commune"))),
    ImportColumn(Column("commune_code", ("code_commune", "code_insee", "insee"), required=False)),
    ImportColumn(Column("pupils", ("eleves", "effectif", "nombre_eleves", "nb_eleves")), cells.integer),
    ImportColumn(Column("teachers", ("enseignants", "nombre_enseignants", "nb_enseignants", "professeurs")), cells.integer),
    ImportColumn(Column("priority", ("education_prioritaire", "priorite", "ep"), required=False), cells.priority,
                 render=lambda priority: None if priority == "none" else priority),  # REP+, REP or empty
    ImportColumn(Column("basin", ("bassin", "code_bassin", "basin_code"))),
    ImportColumn(Column("latitude", ("lat",), required=False), cells.decimal),
    ImportColumn(Column("longitude", ("lon", "lng"), required=False), cells.decimal),
    ImportColumn(Column("equipment_ready_on", ("equipement_pret_le", "date_equipement", "equipement"), required=False), cells.day),
    ImportColumn(Column("previous_platform", ("ancien_ent", "ent_precedent", "plateforme_precedente"), required=False)),
    ImportColumn(Column("head_teacher_name", ("chef_etablissement", "principal", "nom_chef_etablissement"), required=False)),
    ImportColumn(Column("head_teacher_email", ("courriel_chef_etablissement", "email_chef_etablissement", "courriel_principal"), required=False)),
    ImportColumn(Column("pinned_wave", ("vague_imposee", "vague_fixee"), required=False)),
    ImportColumn(Column("latest_wave", ("vague_au_plus_tard", "vague_limite"), required=False)),
)


class SchoolTable(ReferenceTable):
    """Schools keyed on UAI. `new_basins` (code → name) are basins the import itself creates
    (the national-file import), valid for its rows and created before them."""

    kind = "schools"
    listing = "schools.index"
    title = _l("Importer des établissements")
    intro = _l("Une ligne par établissement, repérée par son UAI : les établissements déjà présents sont mis à jour, les autres créés ; seules les colonnes présentes dans le fichier sont comparées.")
    entity = "school"
    key = "uai"
    columns = COLUMNS
    create_model = SchoolCreate

    def __init__(self, new_basins: Mapping[str, str] | None = None) -> None:
        self.new_basins = dict(new_basins or {})

    def existing(self, session: Session, programme: Programme) -> dict[str, Existing]:
        basins, waves = code_maps(session, programme=programme)
        schools = session.exec(select(School).where(School.programme_id == programme.id))
        return {
            school.uai: Existing(values=school_snapshot(school, basins=basins, waves=waves), version=school.version)
            for school in schools
        }

    def cross_problems(self, session: Session, programme: Programme, rows: dict[str, Row],
                       existing: dict[str, Existing]) -> list[Problem]:
        basin_codes = set(session.exec(select(Basin.code).where(Basin.programme_id == programme.id))) | set(self.new_basins)
        positions = dict(session.exec(select(Wave.code, Wave.position).where(Wave.programme_id == programme.id)).all())
        return placed_problems(rows.values(), lambda row: reference_problems(
            row.values, basin_codes=basin_codes, wave_positions=positions))

    def create(self, session: Session, programme: Programme, data: dict[str, Any], author: Author) -> None:
        create_school(session, programme=programme, data=SchoolCreate.model_validate(data), author=author)

    def update(self, session: Session, programme: Programme, entry: Entry, author: Author) -> None:
        school = self.previewed(school_or_none(session, programme=programme, uai=entry.key), entry)
        update_school(session, programme=programme, school=school, data=SchoolUpdate.model_validate(entry.versioned()),
                      author=author)

    def still_needed(self, entries: list[Entry]) -> list[Entry]:
        """Basins the import would create only for schools left out are not created."""
        named = {entry.data.get("basin") for entry in entries if entry.entity == self.entity}
        return [entry for entry in entries if entry.entity != "basin" or entry.key in named]

    def write(self, session: Session, programme: Programme, entries: list[Entry], author: Author) -> None:
        """Basins the import creates first, then the schools in file order."""
        for entry in entries:
            if entry.entity == "basin":
                with at_row(entry.row):
                    create_basin(session, programme=programme, data=BasinCreate.model_validate(entry.data), author=author)
        super().write(session, programme, [entry for entry in entries if entry.entity != "basin"], author)
