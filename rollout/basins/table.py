"""The basins import: one row per basin, keyed on its code (header aliases in
docs/reference-data.md). A basin's code is its identity (schools, trainers and plans name it),
so an import creates basins and renames them; it never deletes one."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from rollout.basins.records import basin_or_none, create_basin, programme_basins, update_basin
from rollout.core.author import Author
from rollout.core.problems import refuse
from rollout.imports.reference import Entry, Existing, ImportColumn, ReferenceTable
from rollout.imports.tabular import Column
from rollout.models import Programme
from rollout.models.school import BasinCreate, BasinUpdate


class BasinTable(ReferenceTable):
    """Basins keyed on code. Basins have no version: a rename is refused at confirmation when
    the basin no longer has the name the preview compared with, so nothing is overwritten unseen."""

    kind = "basins"
    listing = "basins.index"
    title = _l("Importer des bassins")
    intro = _l("Une ligne par bassin, repéré par son code : les bassins déjà présents sont renommés, les autres créés ; aucun n'est supprimé.")
    entity = "basin"
    key = "code"
    create_model = BasinCreate
    columns = (
        ImportColumn(Column("code", ("code_bassin", "code_du_bassin", "basin_code"))),
        ImportColumn(Column("name", ("nom", "nom_bassin", "nom_du_bassin", "libelle", "basin_name"))),
    )

    def existing(self, session: Session, programme: Programme) -> dict[str, Existing]:
        return {code: Existing(values={"name": basin.name})
                for code, basin in programme_basins(session, programme=programme).items()}

    def create(self, session: Session, programme: Programme, data: dict[str, Any], author: Author) -> None:
        create_basin(session, programme=programme, data=BasinCreate.model_validate(data), author=author)

    def update(self, session: Session, programme: Programme, entry: Entry, author: Author) -> None:
        basin = self.previewed(basin_or_none(session, programme=programme, code=entry.key), entry)
        previewed_name = entry.changes["name"][0]
        if basin.name != previewed_name:
            raise refuse("renamed_since_preview", column="name", value=basin.name, name=previewed_name)
        update_basin(session, programme=programme, basin=basin, data=BasinUpdate.model_validate(entry.data), author=author)
