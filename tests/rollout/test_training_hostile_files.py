"""Hostile and careless files at the three training imports (sessions, the M@gistère
participants export, Pix+ Édu certifications), through their upload pages, the API and
`rollout training import`: a file over a bound is refused before it is parsed, a file that is
no table or cannot be read is refused saying why, formula-like cells stay text and no export
runs them, a header-only file and a file repeating a key are refused naming the rows, and in
every refused case nothing is written. The M@gistère export's names and e-mails reach neither
the database nor any message, whether the file is imported or refused.

Reads run under the hostile-files guard (`handmade_xlsx.guard`): a bounded read ends far
within it, an unbounded one fails the test instead of hanging the run.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import Session, select

from rollout.cli import main
from rollout.imports import bounds, tabular, xlsx
from rollout.models import AuditEvent, ImportBatch, Milestone, SavedPreview
from rollout.models.training import (
    CourseCompletion,
    CourseEnrolment,
    PixCertificationRecord,
    TrainingSession,
    TrainingTrainee,
)
from tests.rollout.imports.handmade_xlsx import cell, guard, parts, row, workbook, zipped

KINDS = ("sessions", "courses", "certifications")
WRITTEN = (TrainingSession, TrainingTrainee, CourseEnrolment, CourseCompletion, PixCertificationRecord, ImportBatch,
           SavedPreview, AuditEvent, Milestone)
"""What an import writes, its batch, kept preview and audit events included."""
HEADERS = {
    "sessions": ["date", "trainer", "audience", "uai", "modality", "hours", "attendees", "status", "reference"],
    "courses": ["Nom", "Prénom", "Adresse électronique", "Nom du parcours", "RNE", "État", "Date achèvement"],
    "certifications": ["date", "uai", "level", "certified"],
}
PERSON = ("Dupont-Marchetti", "Anne-Sixtine", "anne-sixtine.dupont@ac-creteil.fr")
"""A participant of the M@gistère export: none of it may be stored or said back."""
UPLOAD = {kind: f"training/{kind}/import" for kind in KINDS}
API = {"sessions": "/api/v1/training/imports", "courses": "/api/v1/training/courses/imports",
       "certifications": "/api/v1/training/certifications/imports"}
MESSAGES = {
    "file_too_big": "fichier trop volumineux", "not_a_table": "ni un CSV ni un classeur XLSX",
    "csv_unreadable": "CSV illisible", "xlsx_compressed_too_much": "se décompresse",
    "xlsx_shared_strings_too_big": "textes du classeur trop volumineux", "row_beyond_sheet": "au-delà de la ligne",
    "too_many_columns": "colonnes, au plus", "too_many_rows": "lignes de données : découpez le fichier",
    "no_data_rows": "aucune ligne de données",
}
"""What the refusal of each file-level problem says, in French (pages and command line alike)."""
FORMULAS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")
PLAIN = {**HEADERS, "courses": ["Nom", "Prenom", "Email", "course", "uai", "status", "completed_on"]}
"""Headers without accents, read alike whatever the encoding."""


def _valid(kind: str, uai: str, number: int = 0) -> list[str]:
    """A row the kind's import accepts for the world's collège `uai`; `number` varies its key."""
    if kind == "sessions":
        return [f"2015-10-{5 + number:02d}", "AT-002", "teachers", uai, "online", "1", "3", "", f"S-{number}"]
    if kind == "courses":
        return [*PERSON, "ENT en classe", uai, "Terminé", "12/03/2016"]
    return [f"2016-03-{1 + number:02d}", uai, "initie", "1"]


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _file(kind: str, world, rows: int = 1) -> bytes:
    return _csv([HEADERS[kind], *(_valid(kind, world.uais[number % 3], number) for number in range(rows))])


def _hostile(kind: str, world) -> dict[str, tuple[Callable[[], bytes], int, str]]:
    """Filename → (content, status, problem code) of each file the kind's import must refuse."""
    header = row(1, *HEADERS[kind])
    valid = _valid(kind, world.uais[0])
    giant = [*valid]
    giant[3] = "x" * 150_000  # a field past the CSV reader's limit (131,072 characters)
    return {
        "bombe.xlsx": (lambda: zipped(parts(header + " " * 10 * 2**20)), 422, "xlsx_compressed_too_much"),
        "textes.xlsx": (lambda: workbook(header, shared_strings=[f"texte {number}" for number in range(300)]), 413,
                        "xlsx_shared_strings_too_big"),
        "lignes.xlsx": (lambda: workbook(header, row(2, *valid), '<row r="99999999"><c r="A99999999"><v>1</v></c></row>',
                                         dimension="A1:XFD1048576"), 413, "row_beyond_sheet"),
        "colonnes.xlsx": (lambda: workbook(header, f'<row r="2">{cell("A2", valid[0])}{cell("XFD2", "x")}</row>'), 413,
                          "too_many_columns"),
        "colonnes.csv": (lambda: _csv([HEADERS[kind], valid + [""] * 1_500 + ["x"]]), 413, "too_many_columns"),
        "lignes.csv": (lambda: _csv([HEADERS[kind], *([valid] * 60)]), 413, "too_many_rows"),
        "champ.csv": (lambda: _csv([HEADERS[kind], giant]), 422, "csv_unreadable"),
        "binaire.csv": (lambda: bytes(range(256)) * 8, 422, "not_a_table"),
        "image.csv": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), 422, "not_a_table"),
        "utf16.csv": (lambda: _csv([HEADERS[kind], valid], "utf-16-le"), 422, "not_a_table"),
    }


@pytest.fixture
def tight_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounds small enough that the test need not send 50 MiB or a million rows."""
    monkeypatch.setattr(bounds, "MAX_BYTES", 200_000)
    monkeypatch.setattr(bounds, "MAX_SHARED_STRINGS_BYTES", 2_000)
    monkeypatch.setattr(bounds, "MAX_DATA_ROWS", 50)


@pytest.fixture
def written(engine: sa.Engine) -> Callable[[], dict[str, int]]:
    """`written()` → the rows of each table an import writes."""

    def count() -> dict[str, int]:
        with Session(engine) as session:
            return {model.__tablename__: session.exec(select(sa.func.count()).select_from(model)).one() for model in WRITTEN}

    return count


@pytest.fixture
def rollout(engine, database_url: str, world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`rollout(*arguments)` runs the command line on the test's database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    return lambda *arguments: CliRunner().invoke(main, list(arguments), catch_exceptions=True)


def _upload(client, world, csrf, kind: str, data: bytes, filename: str):
    path = f"/programmes/{world.programme_id}/{UPLOAD[kind]}"
    return client.post(path, data={"csrf_token": csrf(client, path), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _api(client, world, headers: dict[str, str], kind: str, data: bytes, filename: str, *, dry_run: bool = False):
    form = {"file": (io.BytesIO(data), filename), "dry_run": str(dry_run).lower()}
    if kind == "sessions":
        form["kind"] = "sessions"
    # A client of its own: the API with a page's session cookie would ask for the page's CSRF token.
    return client.application.test_client().post(f"{API[kind]}?programme={world.programme_id}", headers=headers,
                                                 data=form, content_type="multipart/form-data")


def _command(rollout, world, tmp_path: Path, kind: str, data: bytes, filename: str):
    path = tmp_path / filename
    path.write_bytes(data)
    return rollout("training", "import", str(path), "--kind", kind, "--programme", str(world.programme_id))


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("parsed although the file is over the size bound")


@pytest.mark.parametrize("kind", KINDS)
def test_an_oversize_file_is_refused_before_it_is_parsed_everywhere(client, world, login, csrf, token, rollout, written,
                                                                    tight_bounds, tmp_path, monkeypatch, kind) -> None:
    monkeypatch.setattr(tabular, "decode_text", _never)
    monkeypatch.setattr(xlsx, "check_archive", _never)
    monkeypatch.setattr(xlsx, "sheet_rows", _never)
    header, line = _file(kind, world, rows=1).split(b"\r\n", 1)
    oversize = {"gros.csv": header + b"\r\n" + line * (bounds.MAX_BYTES // len(line) + 1),
                "gros.xlsx": zipped(parts(row(1, *HEADERS[kind])) | {"xl/media/image1.png": random.Random(0).randbytes(250_000)})}
    login(client, "project_manager")
    headers, before = token("project_manager"), written()
    for filename, data in oversize.items():
        assert len(data) > bounds.MAX_BYTES
        page = _upload(client, world, csrf, kind, data, filename)
        assert page.status_code == 413 and filename in page.text and "fichier trop volumineux" in page.text, page.text
        response = _api(client, world, headers, kind, data, filename)
        assert response.status_code == 413 and [p["code"] for p in response.json["problems"]] == ["file_too_big"]
        assert response.json["message"].startswith(f"{filename}: 1 problem, nothing imported")
        result = _command(rollout, world, tmp_path, kind, data, filename)
        assert result.exit_code == 2 and filename in result.output and "fichier trop volumineux" in result.output, result.output
        assert written() == before, filename


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_files_are_refused_saying_why_and_write_nothing(client, world, login, csrf, token, rollout, written,
                                                                tight_bounds, tmp_path, kind) -> None:
    login(client, "district_leader")
    headers, before = token("district_leader"), written()
    for filename, (make, status, code) in _hostile(kind, world).items():
        data = make()
        with guard():
            page = _upload(client, world, csrf, kind, data, filename)
            response = _api(client, world, headers, kind, data, filename)
            result = _command(rollout, world, tmp_path, kind, data, filename)
        assert page.status_code == status, (filename, page.text)
        assert filename in page.text and MESSAGES[code] in page.text and "Traceback" not in page.text, filename
        assert response.status_code == status, (filename, response.text)
        assert [problem["code"] for problem in response.json["problems"]] == [code], filename
        assert result.exit_code == 2 and MESSAGES[code] in result.output, (filename, result.output)
        assert written() == before, filename


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_only_file_is_refused_everywhere(client, world, login, csrf, token, rollout, written, tmp_path,
                                                  kind) -> None:
    login(client, "project_manager")
    headers, before = token("project_manager"), written()
    for filename, data in {"entete.csv": _csv([HEADERS[kind], [""] * 3, []]),
                           "entete.xlsx": workbook(row(1, *HEADERS[kind]))}.items():
        page = _upload(client, world, csrf, kind, data, filename)
        assert page.status_code == 422 and MESSAGES["no_data_rows"] in page.text, page.text
        for dry_run in (True, False):
            response = _api(client, world, headers, kind, data, filename, dry_run=dry_run)
            assert response.status_code == 422 and [p["code"] for p in response.json["problems"]] == ["no_data_rows"]
        result = _command(rollout, world, tmp_path, kind, data, filename)
        assert result.exit_code == 2 and MESSAGES["no_data_rows"] in result.output, result.output
    assert written() == before


def test_a_session_or_certification_key_repeated_in_the_file_refuses_it_naming_both_rows(client, world, token, written,
                                                                                          rollout, tmp_path) -> None:
    headers, before = token("project_manager"), written()
    first = _valid("sessions", world.uais[0], 0)
    same_reference = [*_valid("sessions", world.uais[1], 1)[:8], first[8]]
    same_natural = [*first[:8], ""], [*first[:8], ""]
    certification = _valid("certifications", world.uais[0])
    cases = {
        ("sessions", "reference.csv"): ([first, same_reference], 3, "training_session_key_repeated"),
        ("sessions", "naturelle.csv"): (list(same_natural), 3, "training_session_key_repeated"),
        ("certifications", "certifs.csv"): ([certification, _valid("certifications", world.uais[1]), certification], 4,
                                            "certification_key_repeated"),
    }
    for (kind, filename), (rows, repeated_row, code) in cases.items():
        data = _csv([HEADERS[kind], *rows])
        response = _api(client, world, headers, kind, data, filename)
        assert response.status_code == 422, response.text
        assert [(p["row"], p["code"]) for p in response.json["problems"]] == [(repeated_row, code)]
        assert "ligne 2" in response.json["problems"][0]["reason"]
        result = _command(rollout, world, tmp_path, kind, data, filename)
        assert result.exit_code == 2 and f"ligne {repeated_row}" in result.output and "ligne 2" in result.output
    assert written() == before


def test_participants_of_one_school_and_course_fold_into_one_count(client, engine, world, token) -> None:
    # The export lists participants, not keys: rows sharing a school and a course are counted together.
    rows = [[f"Nom{number}", "Prénom", f"p{number}@ac-creteil.fr", "ENT en classe", world.uais[0],
             ("Inscrit", "En cours", "Terminé")[number % 3], "12/03/2016" if number % 3 == 2 else ""] for number in range(6)]
    response = _api(client, world, token("project_manager"), "courses", _csv([HEADERS["courses"], *rows]), "export.csv")
    assert response.status_code == 201 and response.json["new"] == 1, response.text
    with Session(engine) as session:
        stored = session.exec(select(CourseEnrolment)).one()
    assert (stored.course, stored.enrolled, stored.in_progress, stored.completed) == ("ENT en classe", 6, 2, 2)


@pytest.mark.parametrize(("kind", "accented", "column"), [
    ("sessions", ["2015-10-05", "AT-002", "enseignants", None, "présentiel", "1,5", "3", "réalisée", "Réf-é"], "modality"),
    ("courses", [*PERSON, "Éducation numérique", None, "Terminé", "12/03/2016"], "status"),
    ("certifications", ["2016-03-01", None, "confirmé", "1"], "level"),
])
def test_windows_1252_reads_as_utf8_and_a_mixed_encoding_is_refused_naming_the_cell(client, world, token, written, kind,
                                                                                     accented, column) -> None:
    headers = token("project_manager")
    cells = [world.uais[0] if text is None else text for text in accented]
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        response = _api(client, world, headers, kind, _csv([PLAIN[kind], cells], encoding), "accents.csv", dry_run=True)
        assert response.status_code == 200 and response.json["new"] == 1, (encoding, response.text)
    before = written()
    # UTF-8 with one Windows-1252 byte: read as Windows-1252, the UTF-8 accents become "Ã©", refused where they are.
    mixed = _csv([PLAIN[kind], cells]) + _csv([["Ligne de pied \xe9crite \xe0 part"]], "cp1252")
    response = _api(client, world, headers, kind, mixed, "melange.csv")
    assert response.status_code == 422, response.text
    assert (2, column) in {(p["row"], p["column"]) for p in response.json["problems"]}
    said = [p["value"] for p in response.json["problems"] if (p["row"], p["column"]) == (2, column)]
    # The course import says back no cell but a UAI's or a date's: another may be a participant's name.
    assert said == ([None] if kind == "courses" else [cells[PLAIN[kind].index(column)].encode().decode("cp1252")])
    assert written() == before


def _formula_session(world, reference: str, number: int) -> list[str]:
    return [f"2015-10-{5 + number:02d}", "AT-001", "teachers", world.uais[number % 3], "online", "1", "2", "", reference]


def test_formula_cells_are_kept_as_text_and_no_export_runs_them(client, engine, world, token, login) -> None:
    headers = token("district_leader")
    sessions = _csv([HEADERS["sessions"], *(_formula_session(world, formula, number) for number, formula in enumerate(FORMULAS))])
    assert _api(client, world, headers, "sessions", sessions, "seances.csv").status_code == 201
    computed = '<c r="I2" t="str"><f>HYPERLINK("http://x","y")</f><v>lien</v></c>'
    values = ["2015-11-02", "AT-001", "teachers", world.uais[0], "online", "1", "2", ""]
    sheet = workbook(row(1, *HEADERS["sessions"]), row(2, *values)[:-len("</row>")] + computed + "</row>",
                     row(3, *values[:3], world.uais[1], *values[4:], FORMULAS[0] + " (xlsx)"))
    assert _api(client, world, headers, "sessions", sheet, "seances.xlsx").status_code == 201
    courses = _csv([HEADERS["courses"], *([*PERSON, formula, world.uais[0], "Terminé", "12/03/2016"] for formula in FORMULAS)])
    assert _api(client, world, headers, "courses", courses, "export.csv").status_code == 201
    with Session(engine) as session:
        references = set(session.exec(select(TrainingSession.reference)))
        courses_stored = set(session.exec(select(CourseEnrolment.course)))
    # Stored as typed: the text, never the formula an XLSX cell computed from.
    assert references == {*FORMULAS, "lien", FORMULAS[0] + " (xlsx)"}
    assert courses_stored == set(FORMULAS)
    listed = client.get(f"/api/v1/training/sessions?programme={world.programme_id}", headers=headers).json["sessions"]
    assert {session["reference"] for session in listed} == references
    login(client, "district_leader")
    neutralised = 0
    for figure in ("training_cascade", "training_workload", "training_hours", "training_courses"):
        response = client.get(f"/programmes/{world.programme_id}/dashboard/{figure}.csv")
        assert response.status_code == 200, figure
        text = response.data.decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        cells = [cell for line in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in line]
        assert [cell for cell in cells if cell.startswith(DANGEROUS) and not NUMBER.fullmatch(cell)] == [], figure
        neutralised += sum(cell.startswith("'") and cell[1:] in FORMULAS for cell in cells)
    assert neutralised >= len(FORMULAS)  # the course names are in the completion figure's numbers, made safe


def test_a_formula_in_a_certification_cell_is_refused_naming_it(client, world, token, written) -> None:
    headers, before = token("project_manager"), written()
    rows = [["2016-03-01", world.uais[0], "initie", FORMULAS[0]], ["2016-03-02", world.uais[0], "@SUM(1)", "1"],
            ["+cmd", world.uais[0], "initie", "1"]]
    response = _api(client, world, headers, "certifications", _csv([HEADERS["certifications"], *rows]), "pix.csv")
    assert response.status_code == 422
    assert [(p["row"], p["column"], p["value"]) for p in response.json["problems"]] == [
        (2, "certified", FORMULAS[0]), (3, "level", "@SUM(1)"), (4, "date", "+cmd")]
    assert written() == before


# The M@gistère export's personal columns.

def _personal_files(world) -> dict[str, bytes]:
    """Exports naming a participant, each refused for another reason."""
    header, person = HEADERS["courses"], [*PERSON, "ENT en classe", world.uais[0], "Terminé", "12/03/2016"]
    shifted = [PERSON[0], PERSON[1], "", "", PERSON[2], "ENT", "Inscrit", ""]  # a careless export: cells one column right
    return {
        "statut.csv": _csv([header, [*person[:5], "Perdu", ""]]),
        "uai.csv": _csv([header, [*person[:4], world.other_uai, "Inscrit", ""]]),
        "date.csv": _csv([header, [*person[:6], "31/02/2016"]]),
        "colonne.csv": _csv([header[:5] + header[6:], person[:5] + person[6:]]),
        "decale.csv": _csv([header, person, shifted]),
        "nom.csv": _csv([header, [PERSON[0], "", "", "ENT", world.uais[0], PERSON[1], PERSON[2]]]),
        "champ.csv": _csv([header, [PERSON[0] * 9_000, *person[1:]]]),
        "colonnes.csv": _csv([header, person + [""] * 1_500 + [PERSON[2]]]),
        "formule.xlsx": workbook(row(1, *header), row(2, *person[:6]) [:-len("</row>")] + '<c r="G2"><f>TODAY()</f></c></row>'),
        "bombe.xlsx": zipped(parts(row(1, *header) + row(2, *person) + " " * 10 * 2**20)),
    }


def _mentions_person(text: str) -> list[str]:
    folded = text.lower()
    return [part for part in PERSON if part.lower() in folded]


def _database_text(engine: sa.Engine) -> str:
    """Every value of every table, as text."""
    with engine.connect() as connection:
        return "\n".join(str(values) for table in sa.inspect(engine).get_table_names()
                         for values in connection.execute(sa.text(f'SELECT * FROM "{table}"')))


def test_the_participants_names_and_emails_reach_no_message_and_no_table(client, engine, world, login, csrf, token,
                                                                         rollout, written, tmp_path) -> None:
    login(client, "project_manager")
    headers, before = token("project_manager"), written()
    for filename, data in _personal_files(world).items():
        with guard():
            page = _upload(client, world, csrf, "courses", data, filename)
            response = _api(client, world, headers, "courses", data, filename)
            result = _command(rollout, world, tmp_path, "courses", data, filename)
        assert page.status_code in (413, 422) and response.status_code in (413, 422) and result.exit_code == 2, filename
        for said in (page.text, response.text, result.output):
            assert _mentions_person(said) == [], (filename, said)
    assert written() == before and _mentions_person(_database_text(engine)) == []
    # Imported: through the page (kept preview, confirmed), the API and the command line.
    export = _csv([HEADERS["courses"], [*PERSON, "ENT en classe", world.uais[0], "Terminé", "12/03/2016"],
                   [*PERSON, "Pix+ Édu", world.uais[1], "En cours", ""]])
    preview = _upload(client, world, csrf, "courses", export, "export.csv")
    assert preview.status_code == 200 and _mentions_person(preview.text) == []
    assert _mentions_person(_database_text(engine)) == []  # the kept preview holds counts only
    with Session(engine) as session:
        saved = session.exec(select(SavedPreview)).one()
    shown = f"/programmes/{world.programme_id}/imports/{saved.id}"
    assert client.post(f"{shown}/confirm", data={"csrf_token": csrf(client, shown)}).status_code == 302
    again = export.replace(b"En cours", b"Inscrit")
    assert _api(client, world, headers, "courses", again, "export2.csv").status_code == 201
    result = _command(rollout, world, tmp_path, "courses", again.replace(b"Inscrit", b"Termin\xc3\xa9;01/04/2016"),
                      "export3.csv")
    assert result.exit_code == 0 and _mentions_person(result.output) == [], result.output
    assert written()["courseenrolment"] == 2
    assert _mentions_person(_database_text(engine)) == []
