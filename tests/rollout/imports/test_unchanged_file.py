"""The same file imported twice writes one import batch, whatever its kind: the second import
changes nothing, so it writes nothing (no empty batch in the import history, no audit event)
and says so (its batch is None, its counts all unchanged)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.imports.registry import IMPORTERS
from rollout.models import AuditEvent, ImportBatch, Programme
from tests.conftest import World

AUTHOR = Author(actor="projet@test.invalid", channel="cli")
FILES = {
    "schools": "UAI;Nom de l'établissement;Commune;Élèves;Enseignants;Bassin\n0931234L;Collège Neuf;Bobigny;400;30;N\n",
    "trainers": "code;nom;niveau;bassins\nR-1;Relais;relay;S\n",
    "progress": "uai;jalon;statut;date\n{uai};direction;fait;2015-08-10\n",
    "usage": "date,uai,service,profile,visits,visitors\n2016-03-07,{uai},Notes,National_ENS,60,8\n",
    "sessions": "date,trainer,audience,uai,modality,hours,attendees\n2015-10-05,AT-002,teachers,{uai},online,1,3\n",
    "courses": "parcours,uai,statut\nENT,{uai},inscrit\n",
}


def _import(engine, world: World, kind: str):
    with Session(engine) as session:
        preview, batch = import_file(
            session, importer=IMPORTERS[kind](), programme=session.get(Programme, world.programme_id),
            data=FILES[kind].format(uai=world.uais[0]).encode(), filename=f"{kind}.csv", author=AUTHOR,
            today=date(2016, 6, 1), dry_run=False)
        session.commit()
        return preview.counts, batch is not None


def _stored(engine) -> tuple[list[str], int]:
    with Session(engine) as session:
        return list(session.exec(select(ImportBatch.kind))), session.exec(select(func.count()).select_from(AuditEvent)).one()


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_same_file_twice_writes_one_batch(engine, world: World, kind: str) -> None:
    counts, written = _import(engine, world, kind)
    assert written and counts["new"] + counts["changed"] == 1
    batches, events = _stored(engine)
    assert batches == [kind] and events > 0
    assert _import(engine, world, kind) == ({"new": 0, "changed": 0, "unchanged": 1}, False)
    assert _stored(engine) == (batches, events)
