"""Every list that can be imported downloads in its import's layout: the file uploads again as
nothing changed, and one cell changed in a spreadsheet is one field changed."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from rollout.cli import load_dataset_committed
from rollout.imports.pipeline import Preview, read_preview
from rollout.imports.reference import compare
from rollout.imports.registry import IMPORTERS
from rollout.models import Basin, Programme, School, Trainer, TrainerCapacity, Wave

RESOURCES = ("schools", "trainers", "waves", "basins")
FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(client, programme_id: int, resource: str, fmt: str) -> bytes:
    response = client.get(f"/programmes/{programme_id}/export/{resource}.{fmt}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{resource}-{programme_id}-{date.today().isoformat()}.{fmt}"')
    assert response.mimetype == ("text/csv" if fmt == "csv" else XLSX)
    return response.data


def _preview(engine, programme_id: int, resource: str, data: bytes, fmt: str) -> Preview:
    with Session(engine) as session:
        return read_preview(session, importer=IMPORTERS[resource](), programme=session.get(Programme, programme_id),
                            data=data, filename=f"{resource}.{fmt}", today=date.today())


def _records(engine, programme_id: int, resource: str) -> int:
    model = {"schools": School, "trainers": Trainer, "waves": Wave, "basins": Basin}[resource]
    with Session(engine) as session:
        return len(session.exec(select(model.id).where(model.programme_id == programme_id)).all())


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _edited(data: bytes, fmt: str, key: str, column: str, value: Any) -> bytes:
    """The file with one cell changed, as a person saves it from their spreadsheet."""
    if fmt == "csv":
        rows = _csv_rows(data)
        next(row for row in rows if row[0] == key)[rows[0].index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    next(row for row in sheet.iter_rows(min_row=2) if row[0].value == key)[header.index(column)].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def every_kind_of_cell(engine, world) -> None:
    """The world with a value in every column, negative numbers, and text a spreadsheet would
    take for a formula (which a download neutralises and an upload restores)."""
    with Session(engine) as session:
        waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == world.programme_id))}
        school = session.exec(select(School).where(School.uai == world.uais[0], School.programme_id == world.programme_id)).one()
        school.sqlmodel_update({
            "priority": "REP+", "equipment_ready_on": date(2015, 12, 1), "previous_platform": "=ancien ENT",
            "head_teacher_name": "-", "head_teacher_email": "principal@ac-creteil.invalid", "longitude": -0.00005,
            "pinned_wave_id": waves["W2"].id, "latest_wave_id": waves["W3"].id,
        })
        trainer = session.exec(select(Trainer).where(Trainer.code == "AT-002")).one()
        trainer.email = "+formateur@ac-creteil.invalid"
        session.add_all([TrainerCapacity(trainer_id=trainer.id, wave_id=waves["W2"].id, capacity=0),
                         TrainerCapacity(trainer_id=trainer.id, wave_id=waves["W3"].id, capacity=4)])
        waves["W3"].sqlmodel_update({"label": "@dernière", "max_pupils": 2500, "max_schools": None})
        basin = session.exec(select(Basin).where(Basin.programme_id == world.programme_id, Basin.code == "S")).one()
        basin.name = "\tSud"
        session.add_all([school, trainer, waves["W3"], basin])
        session.commit()


# (key of the row, column, what a person types in CSV, in XLSX, the change the preview shows)
EDITS = {
    "schools": (0, "teachers", "99", 99, None),
    "trainers": ("AT-001", "basins", "S N", "S N", [["N", "S"], ["S", "N"]]),
    "waves": ("W3", "end_date", "10/07/2016", datetime(2016, 7, 10), ["2016-07-07", "2016-07-10"]),
    "basins": ("N", "name", "Nord-Ouest", "Nord-Ouest", ["Nord", "Nord-Ouest"]),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_download_uploads_again_as_nothing_changed_and_one_cell_is_one_change(
        client, engine, world, login, every_kind_of_cell, resource: str, fmt: str) -> None:
    login(client, "district_leader")
    data = _download(client, world.programme_id, resource, fmt)
    records = _records(engine, world.programme_id, resource)

    again = _preview(engine, world.programme_id, resource, data, fmt)
    assert again.problems == [] and again.ignored_columns == []
    assert again.counts == {"new": 0, "changed": 0, "unchanged": records}

    key, column, typed_csv, typed_xlsx, change = EDITS[resource]
    key = world.uais[key] if resource == "schools" else key
    edited = _edited(data, fmt, key, column, typed_csv if fmt == "csv" else typed_xlsx)
    once = _preview(engine, world.programme_id, resource, edited, fmt)
    assert once.problems == []
    assert once.counts == {"new": 0, "changed": 1, "unchanged": records - 1}
    [shown] = once.changes
    assert (shown.key, list(shown.changes)) == (key, [column])
    if change is not None:
        assert shown.changes[column] == change
    else:
        assert shown.changes[column][1] == 99


def test_the_layout_is_the_imports_with_cells_as_french_spreadsheets_write_them(
        client, world, login, every_kind_of_cell) -> None:
    login(client, "district_leader")
    schools = _csv_rows(_download(client, world.programme_id, "schools", "csv"))
    assert schools[0] == [spec.name for spec in IMPORTERS["schools"].columns]
    assert [row[0] for row in schools[1:]] == sorted(world.uais)
    first = dict(zip(schools[0], next(row for row in schools if row[0] == world.uais[0])))
    assert (first["priority"], first["equipment_ready_on"], first["longitude"]) == ("REP+", "01/12/2015", "-0,00005")
    assert (first["previous_platform"], first["head_teacher_name"]) == ("'=ancien ENT", "'-")
    assert (first["pinned_wave"], first["latest_wave"]) == ("W2", "W3")
    assert all(row[schools[0].index("priority")] in ("", "REP", "REP+") for row in schools[1:])

    trainers = _csv_rows(_download(client, world.programme_id, "trainers", "csv"))
    assert trainers == [
        ["code", "name", "tier", "capacity", "trained", "email", "basins", "capacities"],
        ["AT-001", "Formatrice Nord", "academic", "8", "oui", "", "N S", ""],
        ["AT-002", "Formateur Sud", "academic", "8", "non", "'+formateur@ac-creteil.invalid", "S", "W2=0 W3=4"],
        ["V-1", "Éditeur", "vendor", "6", "oui", "", "*", ""],
    ]
    waves = _csv_rows(_download(client, world.programme_id, "waves", "csv"))
    assert waves[0] == ["code", "label", "position", "start_date", "end_date", "max_schools", "max_pupils"]
    assert waves[3] == ["W3", "'@dernière", "2", "04/04/2016", "07/07/2016", "", "2500"]
    assert _csv_rows(_download(client, world.programme_id, "basins", "csv")) == [
        ["code", "name"], ["N", "Nord"], ["S", "'\tSud"]]

    sheet = load_workbook(io.BytesIO(_download(client, world.programme_id, "waves", "xlsx"))).worksheets[0]
    assert sheet.title == "Vagues"
    label, start = sheet["B4"], sheet["D4"]
    assert (label.value, label.data_type) == ("'@dernière", "s")
    assert (start.value, start.number_format) == (datetime(2016, 4, 4), "DD/MM/YYYY")


def test_a_larger_real_programme_round_trips(client, engine, world, login) -> None:
    """The demo's 130 collèges of Seine-Saint-Denis, with its basins, waves and trainers."""
    programme = load_dataset_committed(engine, "seine-saint-denis", with_history=False)
    login(client, "district_leader")
    for resource in RESOURCES:
        records = _records(engine, programme.id, resource)
        assert records > 1
        for fmt in FORMATS:
            again = _preview(engine, programme.id, resource, _download(client, programme.id, resource, fmt), fmt)
            assert (again.problems, again.counts) == ([], {"new": 0, "changed": 0, "unchanged": records}), (resource, fmt)


def test_decimals_are_compared_to_the_digits_a_spreadsheet_keeps() -> None:
    # openpyxl writes 16 significant digits; the demo's coordinates carry 17.
    assert compare({"longitude": 2.4946793482795147}, {"longitude": 2.494679348279515}) == {}
    assert compare({"longitude": 2.4946793}, {"longitude": 2.4946794}) == {"longitude": [2.4946793, 2.4946794]}
    assert compare({"longitude": None}, {"longitude": 0.0}) == {"longitude": [None, 0.0]}


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_reader_may_download(client, world, login, resource: str) -> None:
    login(client, "stakeholder")
    assert _download(client, world.programme_id, resource, "xlsx").startswith(b"PK")
    assert _download(client, world.programme_id, resource, "csv").startswith(b"\xef\xbb\xbf")


def test_the_list_pages_link_to_their_downloads(client, world, login) -> None:
    login(client, "stakeholder")
    for resource in RESOURCES:
        page = client.get(f"/programmes/{world.programme_id}/{resource}").text
        for fmt in FORMATS:
            assert f'href="/programmes/{world.programme_id}/export/{resource}.{fmt}"' in page


def test_another_districts_leader_gets_404_and_anonymous_the_login_page(client, world, login) -> None:
    url = f"/programmes/{world.programme_id}/export/schools.csv"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    login(client, "other_leader")
    assert client.get(url).status_code == 404
    assert client.get(f"/programmes/{world.other_programme_id}/export/schools.csv").status_code == 200


@pytest.mark.parametrize("path", ["usage.csv", "plans.xlsx", "schools.ods", "schools.CSV", "schools"])
def test_an_unknown_resource_or_format_is_404(client, world, login, path: str) -> None:
    login(client, "district_leader")
    assert client.get(f"/programmes/{world.programme_id}/export/{path}").status_code == 404
