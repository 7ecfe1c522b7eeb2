"""Importing a district's collèges from the national file (the copy shipped with rollout)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from rollout.colleges.national_file import NATIONAL_FILE, public_colleges
from rollout.colleges.teachers import estimated_teachers
from rollout.imports.tabular import TableError
from rollout.models import AuditEvent, Basin, District, Programme, School
from rollout.imports.pipeline import apply_preview, read_preview
from rollout.schools.national import NationalSchoolTable
from rollout.schools.table import SchoolTable
from rollout.core.author import Author

LEADER = Author(actor="direction@test.problems", channel="cli")


@pytest.fixture(scope="module")
def national_file() -> bytes:
    return NATIONAL_FILE.read_bytes()


@pytest.fixture
def empty_programme(engine) -> int:
    from datetime import date

    with Session(engine) as session:
        district = District(code="093", name="Seine-Saint-Denis")
        session.add(district)
        session.flush()
        programme = Programme(district_id=district.id, name="ENT 093", platform="ENT", start_date=date(2015, 9, 1))
        session.add(programme)
        session.commit()
        return programme.id


def _import(session, programme_id, data, departments=("093",)):
    programme = session.get(Programme, programme_id)
    preview = read_preview(session, importer=NationalSchoolTable(departments=departments), programme=programme, data=data,
                           filename="colleges.csv", today=date.today())
    if preview.confirmable:
        apply_preview(session, importer=SchoolTable(), programme=programme, preview=preview, author=LEADER, today=date.today())
    session.commit()
    return preview


def test_the_130_public_colleges_of_093_arrive_with_estimated_teachers_and_clustered_basins(engine, empty_programme, national_file):
    expected = {college.uai: college for college in public_colleges(departments=["093"])}
    assert len(expected) == 130
    with Session(engine) as session:
        preview = _import(session, empty_programme, national_file, departments=("93",))
        assert preview.counts["new"] == 130 and preview.problems == []
        schools = session.exec(select(School).where(School.programme_id == empty_programme)).all()
        basins = session.exec(select(Basin).where(Basin.programme_id == empty_programme)).all()
        assert {school.uai for school in schools} == set(expected)
        for school in schools:
            college = expected[school.uai]
            assert (school.pupils, school.priority) == (college.pupils, college.priority)
            assert school.teachers == estimated_teachers(college.pupils, college.priority)
        assert 6 <= len(basins) <= 10 and all(basin.code.startswith("093-") for basin in basins)
        by_commune = {}
        for school in schools:
            by_commune.setdefault(school.commune_code, set()).add(school.basin_id)
        assert all(len(ids) == 1 for ids in by_commune.values()), "a commune is never split between basins"
        audited = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "school")).one()
        assert audited == 130


def test_reimport_is_unchanged_and_keeps_what_people_edited(engine, empty_programme, national_file):
    with Session(engine) as session:
        _import(session, empty_programme, national_file)
        school = session.exec(select(School).where(School.programme_id == empty_programme).order_by(School.uai)).first()
        other_basin = session.exec(select(Basin).where(Basin.programme_id == empty_programme, Basin.id != school.basin_id)).first()
        school.teachers, school.basin_id = 99, other_basin.id  # a district leader's corrections
        session.add(school)
        session.commit()
        again = _import(session, empty_programme, national_file)
        assert (again.counts["new"], again.counts["changed"], again.counts["unchanged"]) == (0, 0, 130)
        session.refresh(school)
        assert (school.teachers, school.basin_id) == (99, other_basin.id)


def test_a_second_departement_gets_its_own_basins(engine, empty_programme, national_file):
    with Session(engine) as session:
        _import(session, empty_programme, national_file)
        preview = _import(session, empty_programme, national_file, departments=("093", "094"))
        assert preview.counts["unchanged"] == 130 and preview.counts["new"] == len(public_colleges(departments=["094"]))
        codes = set(session.exec(select(Basin.code).where(Basin.programme_id == empty_programme)))
        assert any(code.startswith("094-") for code in codes)


def test_private_colleges_only_on_request_and_an_unknown_departement_is_refused(engine, empty_programme, national_file):
    with Session(engine) as session:
        programme = session.get(Programme, empty_programme)
        with_private = read_preview(session, importer=NationalSchoolTable(departments=["093"], include_private=True),
                                    programme=programme, data=national_file, filename="colleges.csv", today=date.today())
        assert with_private.counts["new"] > 130
        with pytest.raises(TableError, match="aucun collège"):
            read_preview(session, importer=NationalSchoolTable(departments=["999"]), programme=programme,
                         data=national_file, filename="colleges.csv", today=date.today())
