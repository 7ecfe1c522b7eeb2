"""`rollout schools import-national` and `rollout schools import` on a programme that exists."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session, func, select

from rollout.cli import main
from rollout.colleges.national_file import NATIONAL_FILE
from rollout.models import AuditEvent, Basin, School


@pytest.fixture
def rollout(engine, world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def _schools(engine, programme_id: int) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(School).where(School.programme_id == programme_id)).one()


def test_import_national_completes_a_programme_into_its_existing_basins(engine, world, rollout, tmp_path):
    national = tmp_path / "colleges.csv"
    national.write_bytes(NATIONAL_FILE.read_bytes())
    dry = rollout("schools", "import-national", str(national), "--department", "093", "--programme", str(world.programme_id), "--dry-run")
    assert dry.exit_code == 0 and "would import 130 rows: 124 new, 0 changed, 6 unchanged" in dry.output
    assert _schools(engine, world.programme_id) == 6

    done = rollout("schools", "import-national", str(national), "--department", "093", "--programme", str(world.programme_id))
    assert done.exit_code == 0, done.output
    assert _schools(engine, world.programme_id) == 130
    with Session(engine) as session:
        assert set(session.exec(select(Basin.code).where(Basin.programme_id == world.programme_id))) == {"N", "S"}
        channels = set(session.exec(select(AuditEvent.channel).where(AuditEvent.entity == "school")))
        assert channels == {"import"}


def test_an_invalid_schools_file_exits_2_listing_every_problem_and_writes_nothing(engine, world, rollout, tmp_path):
    bad = tmp_path / "etablissements.csv"
    bad.write_text("uai;nom;commune;eleves;enseignants;bassin\n0931234L;A;Bobigny;-4;10;N\n0931235M;B;Pantin;10;10;Z\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schools", "import", str(bad), "--programme", str(world.programme_id)])
    assert result.exit_code == 2
    assert "ligne 2, colonne pupils = '-4' : doit être ≥ 0" in result.stderr and "ligne 3, colonne basin = 'Z'" in result.stderr
    assert _schools(engine, world.programme_id) == 6
