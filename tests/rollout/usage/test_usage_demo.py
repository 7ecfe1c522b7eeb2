"""The demo and the usage contract agree: the demo's usage file, written from the same
simulation, re-imports without changing a row, and the report tells the demo's story."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.usage_import import write_demo_usage_csv  # noqa: E402
from rollout.cli import load_dataset_committed  # noqa: E402
from usage_world import import_usage_file  # noqa: E402
from rollout.usage.report import usage_report  # noqa: E402


@pytest.mark.slow
def test_the_demo_usage_file_reimports_unchanged_and_reports_the_story(engine, tmp_path) -> None:
    programme = load_dataset_committed(engine, "seine-saint-denis")
    path = tmp_path / "usage-demo.csv"
    with Session(engine) as session:
        written = write_demo_usage_csv(session, programme, path)
        summary = import_usage_file(session, programme, path.read_bytes(), path.name, dry_run=True)
        months = usage_report(session, programme_id=programme.id, by="month")
    assert (summary.new, summary.replaced, summary.unchanged) == (0, 0, written)
    assert summary.unknown_labels == []
    shares = [row.pedagogical_share for row in months]
    assert max(shares[:3]) < 0.08  # the first schools live: about the national 5%
    assert 0.15 < min(shares[-5:]) < 0.3  # the last term: about Seine-Saint-Denis's 20%
