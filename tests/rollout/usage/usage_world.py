"""A small programme to import usage into: three schools whose enrolment the report tests use,
and a school of another district's programme whose UAI this programme must refuse.

A module, not a conftest.py: `tests/rollout/test_access.py` imports `conftest` by name, so a
second conftest.py would shadow the root one. Test modules import the fixture from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.models import Basin, District, Programme, School
from rollout.usage.table import UsageTable

SCHOOL_A, SCHOOL_B, SCHOOL_C = "0930001W", "0930002X", "0930003Y"  # (teachers, pupils): (10, 100), (20, 400), (5, 50)
OTHER_DISTRICT_SCHOOL = "0940001R"


@dataclass(frozen=True)
class World:
    programme_id: int
    other_programme_id: int
    schools: dict[str, int]


def _programme(session: Session, code: str, name: str, schools: list[tuple[str, int, int]]) -> tuple[int, dict[str, int]]:
    district = District(code=code, name=name)
    session.add(district)
    session.flush()
    programme = Programme(district_id=district.id, name=f"ENT {name}", platform="ENT", start_date=date(2015, 9, 1))
    session.add(programme)
    session.flush()
    basin = Basin(programme_id=programme.id, code="N", name="Nord")
    session.add(basin)
    session.flush()
    ids = {}
    for uai, teachers, pupils in schools:
        school = School(
            programme_id=programme.id, basin_id=basin.id, uai=uai, name=f"Collège {uai}",
            commune="Bobigny", pupils=pupils, teachers=teachers,
        )
        session.add(school)
        session.flush()
        ids[uai] = school.id
    return programme.id, ids


@pytest.fixture
def usage_world(engine: sa.Engine) -> World:
    with Session(engine) as session:
        programme_id, schools = _programme(
            session, "093", "Seine-Saint-Denis", [(SCHOOL_A, 10, 100), (SCHOOL_B, 20, 400), (SCHOOL_C, 5, 50)]
        )
        other_id, _ = _programme(session, "094", "Val-de-Marne", [(OTHER_DISTRICT_SCHOOL, 30, 600)])
        session.commit()
    return World(programme_id=programme_id, other_programme_id=other_id, schools=schools)



@dataclass(frozen=True)
class Imported:
    """What a usage import did (or, for a dry run, would do), as the tests check it."""

    new: int
    replaced: int
    unchanged: int
    batch_id: int | None
    unknown_labels: list[str]
    ignored_columns: list[str]


def import_usage_file(session: Session, programme: Programme, data: bytes, filename: str = "usage.csv", *,
                      dry_run: bool = False) -> Imported:
    """The pipeline's import of a usage file, as the command line runs it (does not commit)."""
    preview, batch = import_file(session, importer=UsageTable(), programme=programme, data=data, filename=filename,
                                 author=Author(actor="lea@example.fr", channel="cli"), today=date.today(), dry_run=dry_run)
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    return Imported(new=counts["new"], replaced=counts["changed"], unchanged=counts["unchanged"],
                    batch_id=batch.id if batch else None, unknown_labels=preview.facts["unknown_labels"],
                    ignored_columns=preview.ignored_columns)
