"""`rollout usage import` and `rollout usage report` as a person runs them: exit codes 0 and 2,
one clear error report, and the programme chosen for them when there is only one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, delete, func, select

from rollout.cli import main
from rollout.models import ImportBatch, Programme, School, UsageRecord
from usage_world import usage_world  # noqa: F401  (the fixture)

A, B = "0930001W", "0930002X"
GOOD = f"date,uai,service,profile,visits,visitors\n2016-03-07,{A},Notes,National_ENS,60,8\n2016-03-07,{B},Devoirs,National_ELV,40,30\n"


@pytest.fixture
def rollout(engine, database_url, usage_world, tmp_path, monkeypatch):
    """Run `rollout …` against the hand-made programmes' database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=True)

    return run


def _file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _usage_rows(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(UsageRecord)).one()


def test_import_exits_0_with_counts_and_is_idempotent(rollout, engine, usage_world, tmp_path) -> None:
    path = _file(tmp_path, "mars.csv", GOOD)
    programme = str(usage_world.programme_id)
    dry = rollout("usage", "import", path, "--dry-run", "--programme", programme)
    assert dry.exit_code == 0, dry.output
    assert "mars.csv: would import 2 rows: 2 new, 0 replaced, 0 unchanged" in dry.output
    assert _usage_rows(engine) == 0
    first = rollout("usage", "import", path, "--programme", programme)
    assert first.exit_code == 0 and "imported as import batch" in first.output and "2 rows: 2 new, 0 replaced, 0 unchanged" in first.output
    again = rollout("usage", "import", path, "--programme", programme)
    assert again.exit_code == 0
    assert "2 rows: 0 new, 0 replaced, 2 unchanged (nothing changed" in again.output
    assert _usage_rows(engine) == 2


def test_an_invalid_file_exits_2_with_every_problem_and_writes_nothing(rollout, engine, usage_world, tmp_path) -> None:
    path = _file(tmp_path, "bad.csv", GOOD + f"2016-03-07,{A},Notes,National_ENS,5,9\n2016-02-30,{A},Notes,enseignant,5,1\n")
    result = rollout("usage", "import", path, "--programme", str(usage_world.programme_id))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: bad.csv: 3 problems, nothing imported:",
        "  bad.csv, ligne 4, colonne visitors = '9' : plus de visiteurs que de visites (5)",
        "  bad.csv, ligne 4 : même date, UAI, service et profil qu'à la ligne 2",
        "  bad.csv, ligne 5, colonne date = '2016-02-30' : date inexistante",
    ]
    assert _usage_rows(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 0


def test_the_programme_is_required_only_when_there_are_several(rollout, engine, usage_world, tmp_path) -> None:
    path = _file(tmp_path, "mars.csv", GOOD)
    several = rollout("usage", "import", path)
    assert several.exit_code == 1
    assert "several programmes: choose one with --programme ID among" in several.output
    assert "Traceback" not in several.output
    assert rollout("usage", "report", "--format", "csv", "--programme", "999").output.endswith("no programme with id 999\n")
    with Session(engine) as session:
        session.exec(delete(School).where(School.programme_id == usage_world.other_programme_id))
        session.exec(delete(Programme).where(Programme.id == usage_world.other_programme_id))
        session.commit()
    assert rollout("usage", "import", path).exit_code == 0
    assert _usage_rows(engine) == 2


def test_report_in_csv_and_json(rollout, usage_world, tmp_path) -> None:
    programme = str(usage_world.programme_id)
    rollout("usage", "import", _file(tmp_path, "mars.csv", GOOD), "--programme", programme)
    as_csv = rollout("usage", "report", "--by", "school", "--format", "csv", "--programme", programme)
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output.splitlines() == [
        "uai,name,visits,pedagogical_visits,administrative_visits,pedagogical_share,teacher_adoption,pupil_adoption",
        f"{A},Collège {A},60,0,60,0.0,0.8,0.0",
        f"{B},Collège {B},40,40,0,1.0,0.0,0.075",
    ]
    as_json = rollout("usage", "report", "--by", "category", "--from", "2016-03", "--to", "2016-03-31", "--format", "json", "--programme", programme)
    assert as_json.exit_code == 0, as_json.output
    assert [(row["category"], row["visits"]) for row in json.loads(as_json.output)] == [("pedagogy", 40), ("school_life", 60)]
    empty = rollout("usage", "report", "--from", "2017-01-01", "--format", "json", "--programme", programme)
    assert json.loads(empty.output) == []
    bad = rollout("usage", "report", "--to", "mars", "--format", "csv", "--programme", programme)
    assert bad.exit_code == 2 and "'mars': date attendue (AAAA-MM-JJ, AAAA-MM pour un mois" in bad.output
