"""The waves import: one row per wave, keyed on its code (header aliases in
docs/reference-data.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from rollout.imports.tabular import Column, Problem
from rollout.models import Programme, Wave
from rollout.models.wave import WaveCreate, WaveUpdate
from rollout.imports import cells
from rollout.imports.reference import Entry, Existing, ImportColumn, ReferenceTable, Row
from rollout.core.problems import InvalidChange
from rollout.waves.records import FIELDS as WAVE_FIELDS
from rollout.waves.records import WaveDates, create_wave, order_problems, programme_waves, update_wave, wave_or_none
from rollout.core.author import Author

# Far above any real position: waves changing places are parked there first, so that the
# uniqueness of positions holds at every step of the import.
PARKED_POSITION = 1_000_000


class WaveTable(ReferenceTable):
    """Waves keyed on code; the order rule is checked on the waves as the whole file leaves them."""

    kind = "waves"
    listing = "waves.index"
    title = _l("Importer des vagues")
    intro = _l("Une ligne par vague, repérée par son code : les vagues déjà présentes sont mises à jour, les autres créées ; seules les colonnes présentes dans le fichier sont comparées.")
    entity = "wave"
    key = "code"
    create_model = WaveCreate
    columns = (
        ImportColumn(Column("code", ("code_vague", "vague", "wave"))),
        ImportColumn(Column("label", ("libelle", "nom", "name"), required=False)),
        ImportColumn(Column("position", ("ordre", "rang", "numero")), cells.integer),
        ImportColumn(Column("start_date", ("debut", "date_debut", "start")), cells.day),
        ImportColumn(Column("end_date", ("fin", "date_fin", "end")), cells.day),
        ImportColumn(Column("max_schools", ("etablissements_max", "max_etablissements", "plafond_etablissements"), required=False), cells.integer),
        ImportColumn(Column("max_pupils", ("eleves_max", "max_eleves", "plafond_eleves"), required=False), cells.integer),
    )

    def __init__(self) -> None:
        self._loaded: dict[str, Wave] = {}

    def existing(self, session: Session, programme: Programme) -> dict[str, Existing]:
        return {code: Existing(values={field: getattr(wave, field) for field in WAVE_FIELDS}, version=wave.version)
                for code, wave in programme_waves(session, programme=programme).items()}

    def export_order(self, key: str, current: Existing) -> Any:
        """Waves download in their order, as the waves page lists them."""
        return current.values["position"]

    def cross_problems(self, session: Session, programme: Programme, rows: dict[str, Row],
                       existing: dict[str, Existing]) -> list[Problem]:
        final = {code: WaveDates(code, current.values["position"], current.values["start_date"], current.values["end_date"])
                 for code, current in existing.items()}
        for code, row in rows.items():
            if row.valid:
                values = row.values
                final[code] = WaveDates(code, values["position"], date.fromisoformat(values["start_date"]),
                                        date.fromisoformat(values["end_date"]))
        checked = {code for code, row in rows.items() if row.valid}
        problems = [
            replace(problem, row=rows[code].number)
            for code, problem in order_problems(list(final.values()), checked=checked).items()
        ]
        for row in rows.values():  # rows invalid otherwise: their dates are still checked
            start, end = row.values.get("start_date"), row.values.get("end_date")
            if not row.valid and isinstance(start, date) and isinstance(end, date) and end < start:
                problems.append(Problem("ends_before_start", row=row.number, column="end_date", value=end.isoformat(),
                                        params={"start": start.isoformat()}))
        return problems

    def create(self, session: Session, programme: Programme, data: dict[str, Any], author: Author) -> None:
        create_wave(session, programme=programme, data=WaveCreate.model_validate(data), author=author, check_order=False)

    def update(self, session: Session, programme: Programme, entry: Entry, author: Author) -> None:
        wave = self.previewed(self._loaded.get(entry.key) or wave_or_none(session, programme=programme, code=entry.key), entry)
        update_wave(session, programme=programme, wave=wave, data=WaveUpdate.model_validate(entry.versioned()), author=author,
                    check_order=False)

    def write(self, session: Session, programme: Programme, entries: list[Entry], author: Author) -> None:
        """Check the order of the waves as the file leaves them (the programme may have changed
        since the preview), park the waves that move, then apply the rows.

        Parking is done in SQL behind the ORM while the waves stay loaded (`_loaded`), so that
        their audit events show the position they really had, not the parking one."""
        self._loaded = programme_waves(session, programme=programme)
        existing = self.existing(session, programme)
        rows = {entry.key: Row(number=entry.row, values=self._final(existing.get(entry.key), entry)) for entry in entries}
        problems = self.cross_problems(session, programme, rows, existing)
        if problems:
            raise InvalidChange(problems)
        moving = [entry.key for entry in entries if entry.action == "changed" and "position" in entry.data]
        for offset, code in enumerate(moving):
            # Behind the ORM's back, so that the audit still sees the position the wave had.
            table = Wave.__table__
            session.execute(
                sa.update(table).where(table.c.programme_id == programme.id, table.c.code == code)
                .values(position=PARKED_POSITION + offset)
            )
        super().write(session, programme, entries, author)

    @staticmethod
    def _final(current: Existing | None, entry: Entry) -> dict[str, Any]:
        """The wave's values after the entry, JSON-typed as a row's."""
        base = {field: (value.isoformat() if isinstance(value, date) else value)
                for field, value in (current.values.items() if current else ())}
        return {**base, **entry.data}
