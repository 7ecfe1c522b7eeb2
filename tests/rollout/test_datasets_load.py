"""Loading the shipped datasets: the demo tells one consistent story, in one transaction."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import Session, func, select

import fixtures.simulation as simulation
from rollout import cli, datasets
from planner import validate_scenario
from planner.checker import check_plan
from rollout.cli import load_dataset_committed
from rollout.datasets import DatasetError
from rollout.models import (
    MILESTONE_KINDS,
    CourseCompletion,
    CourseEnrolment,
    ImportBatch,
    Milestone,
    PixCertification,
    PixCertificationRecord,
    Plan,
    Programme,
    School,
    Trainer,
    TrainingSession,
    TrainingTrainee,
    UsageRecord,
    Wave,
)
from rollout.planning.scenario import build_scenario


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_demo_loads_with_a_baseline_and_history(engine: sa.Engine) -> None:
    load_dataset_committed(engine, "seine-saint-denis")
    with Session(engine) as session:
        programme = session.exec(select(Programme)).one()
        assert programme.simulated
        assert _count(session, School) == 130 and _count(session, Wave) == 8
        baseline = session.exec(select(Plan).where(Plan.is_baseline)).one()
        assert baseline.status in ("optimal", "feasible")
        assert check_plan(baseline.scenario, baseline.result) == []

        wave_of = {row["uai"]: row["wave"] for row in baseline.result["assignments"]}
        waves = {wave.code: wave for wave in session.exec(select(Wave))}
        schools = {school.id: school for school in session.exec(select(School))}
        assert all(
            waves[wave_of[school.uai]].id == school.pinned_wave_id for school in schools.values() if school.pinned_wave_id
        )
        milestones = session.exec(select(Milestone)).all()
        assert Counter(m.kind for m in milestones) == {kind: 130 for kind in MILESTONE_KINDS}
        for milestone in milestones:
            if milestone.kind == "school_live":
                wave = waves[wave_of[schools[milestone.school_id].uai]]
                assert wave.start_date <= milestone.planned_on <= wave.end_date

        usage = session.exec(
            select(func.count(), func.min(UsageRecord.period_start), func.max(UsageRecord.period_start))
        ).one()
        assert usage[0] > 100_000
        assert usage[1] >= programme.start_date and usage[2].year == 2018

        sessions = session.exec(select(TrainingSession)).all()
        assert {row.audience for row in sessions} == {"trainers", "leadership", "administrators", "teachers"}
        assert all(row.reference.startswith("SIM-") for row in sessions)
        assert all(row.held_on <= datasets.HISTORY_END for row in sessions if row.status == "held")
        trainees = session.exec(select(TrainingTrainee)).all()
        assert trainees and all(session.get(Trainer, row.trainer_id).trained for row in trainees)
        records: Counter[tuple[int, str]] = Counter()
        for record in session.exec(select(PixCertificationRecord)):
            records[record.school_id, record.level] += record.certified
        totals = {(row.school_id, row.level): row.certified for row in session.exec(select(PixCertification))}
        assert dict(records) == totals
        assert _count(session, CourseEnrolment) > 100 and _count(session, CourseCompletion) > 100


def test_a_dataset_loads_once(engine: sa.Engine) -> None:
    load_dataset_committed(engine, "creteil")
    with Session(engine) as session:
        before = (_count(session, School), _count(session, Trainer))
        assert before[0] == 362
    with pytest.raises(DatasetError, match="already loaded"):
        load_dataset_committed(engine, "creteil")
    with Session(engine) as session:
        assert (_count(session, School), _count(session, Trainer)) == before


def test_loading_is_all_or_nothing(engine: sa.Engine, monkeypatch) -> None:
    def broken_usage(*args, **kwargs):
        yield from ()
        raise RuntimeError("simulated failure halfway")

    monkeypatch.setattr(simulation, "simulate_usage", broken_usage)
    with pytest.raises(RuntimeError, match="halfway"):
        load_dataset_committed(engine, "seine-saint-denis")
    with Session(engine) as session:
        assert _count(session, Programme) == 0 and _count(session, School) == 0 and _count(session, Plan) == 0


def test_stored_programme_gives_a_valid_scenario(engine: sa.Engine) -> None:
    load_dataset_committed(engine, "ile-de-france", with_history=False)
    with Session(engine) as session:
        programme = session.exec(select(Programme)).one()
        scenario = build_scenario(session, programme)
    validated = validate_scenario(scenario)
    assert len(validated.schools) == 902
    assert {trainer["tier"] for trainer in scenario["trainers"]} == {"vendor", "academic"}
    assert all(trainer["basins"] is None for trainer in scenario["trainers"] if trainer["tier"] == "vendor")


def test_the_demo_loads_with_daily_usage_its_first_weeks(engine: sa.Engine, monkeypatch) -> None:
    """`rollout fixtures load --usage daily` on a slice: its first month (the pilots go live in December), not three years."""
    monkeypatch.setattr(datasets, "HISTORY_END", date(2016, 1, 17))
    monkeypatch.setattr(datasets, "USAGE_CHUNK", 5_000)
    written: list[int] = []
    load_dataset_committed(engine, "seine-saint-denis", usage="day", progress=written.append)
    with Session(engine) as session:
        rows = session.exec(select(UsageRecord.period, UsageRecord.period_start, func.count())
                            .group_by(UsageRecord.period, UsageRecord.period_start)).all()
        batch = session.exec(select(ImportBatch).where(ImportBatch.kind == "fixtures")).one()
    per_day = {day: count for _, day, count in rows}
    assert {period for period, _, _ in rows} == {"day"}
    assert max(per_day) <= date(2016, 1, 17) and sum(per_day.values()) == batch.rows_new
    assert "simulées" in batch.source
    weekday, sunday = per_day[date(2016, 1, 14)], per_day[date(2016, 1, 17)]
    assert weekday > sunday > 0  # fewer visitors on a Sunday, hence fewer services with any visit
    assert written == sorted(written) and written[0] == 5_000 and len(written) == batch.rows_new // 5_000


def test_the_command_loads_weekly_usage_unless_told_daily(monkeypatch, tmp_path) -> None:
    loads = []
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    monkeypatch.setattr(cli, "load_dataset_committed", lambda engine, key, **options: loads.append(options) or Programme(name="démo"))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["fixtures", "load"]).exit_code == 0
    assert runner.invoke(cli.main, ["fixtures", "load", "--usage", "daily"]).exit_code == 0
    assert [options["usage"] for options in loads] == ["week", "day"]
    assert [options["progress"] for options in loads] == [None, None]  # not a terminal: no progress line
