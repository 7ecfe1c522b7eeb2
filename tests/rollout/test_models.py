"""Integrity lives in the database too: rows that bypass Python validation are still refused."""

from __future__ import annotations

from datetime import date
from typing import Callable

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, select

from rollout.models import (
    Basin,
    District,
    Milestone,
    Plan,
    Programme,
    School,
    SchoolCreate,
    Trainer,
    UsageRecord,
    User,
    Wave,
)


@pytest.fixture
def world(engine: sa.Engine) -> dict[str, int]:
    """One district, programme, basin, wave and school: the parents bad rows refer to."""
    with Session(engine) as session:
        district = District(code="093", name="Seine-Saint-Denis")
        session.add(district)
        session.flush()
        programme = Programme(district_id=district.id, name="ENT", platform="ENT", start_date=date(2015, 9, 1))
        session.add(programme)
        session.flush()
        basin = Basin(programme_id=programme.id, code="N", name="Nord")
        wave = Wave(programme_id=programme.id, code="W1", position=0, start_date=date(2015, 9, 1), end_date=date(2015, 12, 18))
        session.add_all([basin, wave])
        session.flush()
        school = _school(programme.id, basin.id)
        session.add(school)
        session.commit()
        return {"programme": programme.id, "basin": basin.id, "wave": wave.id, "school": school.id, "district": district.id}


def _school(programme_id: int, basin_id: int, **changes: object) -> School:
    values = dict(
        programme_id=programme_id, basin_id=basin_id, uai="0931234L", name="Collège Test",
        commune="Bobigny", pupils=500, teachers=35, priority="REP",
    )
    values.update(changes)
    return School(**values)


BAD_ROWS: dict[str, Callable[[dict[str, int]], object]] = {
    "negative pupils": lambda w: _school(w["programme"], w["basin"], uai="0930001W", pupils=-1),
    "no teacher": lambda w: _school(w["programme"], w["basin"], uai="0930001W", teachers=0),
    "unknown priority": lambda w: _school(w["programme"], w["basin"], uai="0930001W", priority="ZEP"),
    "wrong UAI check letter": lambda w: _school(w["programme"], w["basin"], uai="0930001B"),
    "duplicate UAI in a programme": lambda w: _school(w["programme"], w["basin"]),
    "latitude out of range": lambda w: _school(w["programme"], w["basin"], uai="0930001W", latitude=123.0),
    "school of a missing programme": lambda w: _school(9999, w["basin"], uai="0930001W"),
    "school of a missing basin": lambda w: _school(w["programme"], 9999, uai="0930001W"),
    "wave ending before it starts": lambda w: Wave(
        programme_id=w["programme"], code="W2", position=1, start_date=date(2016, 1, 4), end_date=date(2016, 1, 3)
    ),
    "two waves at one position": lambda w: Wave(
        programme_id=w["programme"], code="W2", position=0, start_date=date(2016, 1, 4), end_date=date(2016, 3, 1)
    ),
    "negative wave cap": lambda w: Wave(
        programme_id=w["programme"], code="W2", position=1, start_date=date(2016, 1, 4), end_date=date(2016, 3, 1), max_schools=-1
    ),
    "negative trainer capacity": lambda w: Trainer(programme_id=w["programme"], code="AT-1", name="A", tier="academic", capacity=-2),
    "unknown trainer tier": lambda w: Trainer(programme_id=w["programme"], code="AT-1", name="A", tier="freelance"),
    "milestone done without date": lambda w: Milestone(school_id=w["school"], kind="school_live", status="done"),
    "unknown milestone kind": lambda w: Milestone(school_id=w["school"], kind="party", status="done", actual_on=date(2016, 1, 1)),
    "more visitors than visits": lambda w: UsageRecord(
        school_id=w["school"], period_start=date(2016, 1, 4), service="Notes", profile="National_ENS", audience="teacher", visits=3, visitors=4
    ),
    "negative visits": lambda w: UsageRecord(
        school_id=w["school"], period_start=date(2016, 1, 4), service="Notes", profile="National_ENS", audience="teacher", visits=-1
    ),
    "upper-case email": lambda w: User(email="Leader@Example.fr", password_hash="x", role="district_leader"),
    "unknown role": lambda w: User(email="leader@example.fr", password_hash="x", role="superuser"),
    "programme of a missing district": lambda w: Programme(district_id=9999, name="X", platform="X", start_date=date(2015, 9, 1)),
    "non-positive priority weight": lambda w: Programme(
        district_id=w["district"], name="X", platform="X", start_date=date(2015, 9, 1), weight_rep=0
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_database_refuses_bad_row(engine: sa.Engine, world: dict[str, int], case: str) -> None:
    with Session(engine) as session:
        session.add(BAD_ROWS[case](world))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_same_uai_may_appear_in_two_programmes(engine: sa.Engine, world: dict[str, int]) -> None:
    with Session(engine) as session:
        other = Programme(district_id=world["district"], name="ENT 2", platform="ENT", start_date=date(2020, 9, 1))
        session.add(other)
        session.flush()
        basin = Basin(programme_id=other.id, code="N", name="Nord")
        session.add(basin)
        session.flush()
        session.add(_school(other.id, basin.id))
        session.commit()
        holders = session.exec(select(School.programme_id).where(School.uai == "0931234L")).all()
        assert sorted(holders) == sorted([world["programme"], other.id])


def test_usage_key_is_unique(engine: sa.Engine, world: dict[str, int]) -> None:
    row = dict(school_id=world["school"], period_start=date(2016, 1, 4), service="Notes", profile="National_ENS", audience="teacher", visits=3)
    with Session(engine) as session:
        session.add(UsageRecord(**row))
        session.commit()
        session.add(UsageRecord(**row))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_only_one_baseline_plan_per_programme(engine: sa.Engine, world: dict[str, int]) -> None:
    with Session(engine) as session:
        for name in ("A", "B"):
            session.add(Plan(programme_id=world["programme"], name=name, scenario={}, is_baseline=False))
        session.add(Plan(programme_id=world["programme"], name="C", scenario={}, is_baseline=True))
        session.commit()
        session.add(Plan(programme_id=world["programme"], name="D", scenario={}, is_baseline=True))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_deleting_a_school_removes_its_milestones(engine: sa.Engine, world: dict[str, int]) -> None:
    with Session(engine) as session:
        session.add(Milestone(school_id=world["school"], kind="school_live", status="done", actual_on=date(2016, 1, 1)))
        session.commit()
        session.execute(sa.delete(School).where(School.id == world["school"]))
        session.commit()
        assert session.execute(sa.select(sa.func.count()).select_from(Milestone)).scalar_one() == 0


def test_timestamps_come_back_in_utc(engine: sa.Engine, world: dict[str, int]) -> None:
    with Session(engine) as session:
        district = session.get(District, world["district"])
        assert district is not None and district.created_at.utcoffset().total_seconds() == 0


def test_school_create_validates_what_users_submit() -> None:
    school = SchoolCreate(uai="0931234l", name="Collège", commune="Bobigny", pupils=10, teachers=2, priority="REP+", basin="N")
    assert school.uai == "0931234L"
    with pytest.raises(ValidationError) as raised:
        SchoolCreate(uai="0931234A", name="", commune="Bobigny", pupils=-1, teachers=0, priority="ZEP", basin="N")
    fields = {error["loc"][0] for error in raised.value.errors()}
    assert fields == {"uai", "name", "pupils", "teachers", "priority"}
