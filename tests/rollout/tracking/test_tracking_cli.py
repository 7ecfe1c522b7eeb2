"""`rollout progress import` and `rollout progress baseline`: exit codes, counts, nothing written
on an invalid file, audit with the import batch."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import Session, func, select

from rollout.cli import main
from rollout.models import AuditEvent, ImportBatch, Milestone, Plan
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)


def test_import_then_baseline_from_the_command_line(engine, database_url, tracked, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    a = sorted(tracked.uais)[0]
    good, bad = tmp_path / "suivi.csv", tmp_path / "faux.csv"
    good.write_text(f"uai;jalon;statut;date\n{a};direction;fait;2015-08-10\n", encoding="utf-8")
    bad.write_text(f"uai;jalon;statut\n{a};direction;fait\n{a};ouverture;peut-être\n", encoding="utf-8")
    programme_option = ["--programme", str(tracked.programme_id)]

    refused = runner.invoke(main, ["progress", "import", str(bad), *programme_option])
    assert refused.exit_code == 2
    assert "faux.csv, ligne 2, colonne date" in refused.output and "ligne 3, colonne statut = 'peut-être'" in refused.output
    assert runner.invoke(main, ["progress", "import", str(good), "--dry-run", *programme_option]).output.endswith(
        "would import 1 row: 0 new, 1 changed, 0 unchanged\n")
    applied = runner.invoke(main, ["progress", "import", str(good), *programme_option])
    assert applied.exit_code == 0 and "imported as import batch" in applied.output
    with Session(engine) as check:
        batch = check.exec(select(ImportBatch)).one()
        event = check.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).one()
        assert event.channel == "import" and event.actor.startswith("command line")

    with Session(engine) as change:
        plan = change.exec(select(Plan).where(Plan.is_baseline)).one()
        plan.result = {**plan.result, "assignments": [{"uai": a, "wave": "W3"}]}
        change.add(plan)
        change.commit()
    replanned = runner.invoke(main, ["progress", "baseline", *programme_option])
    assert replanned.exit_code == 0 and replanned.output.startswith("42 milestone(s)")  # 7 moved, 35 unplanned
    with Session(engine) as check:
        assert check.exec(select(func.count()).select_from(Milestone).where(Milestone.planned_on.is_(None))).one() == 35
        assert check.exec(select(Milestone.status).where(Milestone.kind == "leadership_briefed",
                                                         Milestone.actual_on.is_not(None))).one() == "done"
