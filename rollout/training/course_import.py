"""Importing the M@gistère participants export (`../shared/contracts/training.md`): the import
pipeline's `CourseTable`.

The preview, the kept preview and the write all hold aggregates per (school, course) only:
`rollout.training.courses` folds the rows as they are read, so a participant's name or e-mail
is never in a preview, a kept preview (`SavedPreview.rows` and `summary`), an audit event or a
table. The preview says so, and `docs/privacy.md` tells the data protection officer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from rollout.core.author import Author
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, Problem
from rollout.imports.pipeline import Change, Importer, Preview
from rollout.imports.tabular import Column, Table
from rollout.models import ImportBatch, Programme
from rollout.training.courses import COLUMNS, Aggregate, Key, aggregate_rows, replace_courses, stored_aggregates
from rollout.usage.table import programme_schools

CHANGES_SHOWN = 200


class CourseTable(Importer):
    """Counts per (school, course) from a cumulative participants export."""

    kind = "courses"
    action = "record_progress"
    listing = "training_records.courses"
    key_label = _l("Établissement · parcours")
    field_names = {"enrolled": _l("Inscrits"), "in_progress": _l("En cours"), "completed": _l("Terminés"),
                   "months": _l("Achèvements par mois")}
    title = _l("Importer l'export des participants M@gistère")
    intro = _l("L'export des participants d'un ou plusieurs parcours, une ligne par participant : parcours, UAI, statut "
               "et date d'achèvement. Seuls des comptes par établissement et par parcours sont enregistrés ; les "
               "colonnes nominatives (noms, prénoms, adresses électroniques…) sont ignorées et ne sont pas "
               "conservées. L'export est cumulatif : il remplace les comptes de l'export précédent des mêmes parcours.")

    def header(self) -> tuple[Column, ...]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        schools = programme_schools(session, programme_id=programme.id)
        aggregates, problems, participants = aggregate_rows(table.rows, schools=schools, today=today)
        notes = [Message("personal_columns_dropped", {"count": len(table.ignored_columns)})]
        if problems:
            return Preview(kind=self.kind, filename=table.filename, problems=problems, notes=notes)
        stored = stored_aggregates(session, programme_id=programme.id, courses={course for _, course in aggregates})
        uais = {school_id: uai for uai, school_id in schools.items()}
        changes: list[Change] = []
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for key in sorted(set(aggregates) | set(stored), key=lambda key: (key[1], uais.get(key[0], ""))):
            after, before = aggregates.get(key, Aggregate()), stored.get(key)
            if before is None:
                counts["new"] += 1
                changes.append(_change(key, None, after, uais, "new"))
            elif before.values() != after.values():
                counts["changed"] += 1
                changes.append(_change(key, before, after, uais, "changed"))
            else:
                counts["unchanged"] += 1
        notes.append(Message("course_export_counts", {"participants": participants, "schools": len({key[0] for key in aggregates}),
                                                      "courses": len({key[1] for key in aggregates})}))
        return Preview(kind=self.kind, filename=table.filename, counts=counts, changes=changes[:CHANGES_SHOWN],
                       payload=aggregates, notes=notes,
                       facts={"participants": participants, "courses": sorted({key[1] for key in aggregates})})

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int]:
        """Replace the counts of the export's courses by the preview's; InvalidChange when a
        school is gone since. Counts have no audit event each (like usage rows): the batch has
        one, with the file, its courses and its counts. Returns the counts written (the
        preview's). Does not commit."""
        aggregates: dict[Key, Aggregate] = preview.payload
        schools = set(programme_schools(session, programme_id=programme.id).values())
        if any(school_id not in schools for school_id, _ in aggregates):
            raise InvalidChange([Problem("school_deleted_since_preview")])
        replace_courses(session, programme_id=programme.id, aggregates=aggregates, exported_on=today)
        counts = preview.counts
        author.for_batch(batch.id).record(session, programme=programme, entity="import_batch", entity_id=batch.id,
                                          action="create", changes={
            "kind": [None, self.kind], "source": [None, batch.source], "via": [None, author.channel],
            "courses": [None, sorted({course for _, course in aggregates})], "rows_new": [None, counts["new"]],
            "rows_replaced": [None, counts["changed"]], "rows_unchanged": [None, counts["unchanged"]],
        })
        return counts

    def dump(self, payload: dict[Key, Aggregate]) -> list[list[Any]]:
        return [[school_id, course, aggregate.enrolled, aggregate.in_progress, aggregate.completed,
                 [[month.isoformat(), completed] for month, completed in sorted(aggregate.months.items())]]
                for (school_id, course), aggregate in payload.items()]

    def load(self, rows: list[list[Any]]) -> dict[Key, Aggregate]:
        return {(row[0], row[1]): Aggregate(row[2], row[3], row[4], {date.fromisoformat(month): completed
                                                                     for month, completed in row[5]})
                for row in rows}


def _counts(aggregate: Aggregate | None) -> dict[str, Any]:
    if aggregate is None:
        return {"enrolled": None, "in_progress": None, "completed": None, "months": None}
    return {"enrolled": aggregate.enrolled, "in_progress": aggregate.in_progress, "completed": aggregate.completed,
            "months": ", ".join(f"{month:%m/%Y} : {completed}" for month, completed in sorted(aggregate.months.items()))}


def _change(key: Key, before: Aggregate | None, after: Aggregate, uais: dict[int, str], action: str) -> Change:
    """A (school, course) whose counts the export sets, as the preview shows it."""
    old, new = _counts(before), _counts(after)
    return Change(row=None, key=f"{uais.get(key[0], key[0])} · {key[1]}", action=action,
                  changes={name: [old[name], new[name]] for name in new if old[name] != new[name]})
