"""`rollout usage import` shows a progress bar at a terminal, and nothing more than its usual
lines where its output is read by a script."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli import main
from rollout.imports import pipeline

DAYS = 10
LABEL = "rows read and checked"


def _usage_file(world, tmp_path: Path) -> tuple[Path, int]:
    lines = ["date,uai,service,profile,visits,visitors"]
    for day in range(1, DAYS + 1):
        lines += [f"2016-03-{day:02d},{uai},Notes,National_ENS,{day + 5},3" for uai in world.uais]
    path = tmp_path / "mars.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines) - 1


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress reported every 7 rows, so a file of 60 rows moves the bar several times."""
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 7)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_script_gets_only_the_result_line(engine, database_url, world, tmp_path, monkeypatch, small_steps) -> None:
    path, rows = _usage_file(world, tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["usage", "import", str(path), "--programme", str(world.programme_id)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Du 01/03/2016 au 10/03/2016, 60 lignes.",
        f"mars.csv: imported as import batch 1 {rows} rows: {rows} new, 0 replaced, 0 unchanged"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_at_a_terminal_a_bar_counts_the_rows(engine, database_url, world, tmp_path) -> None:
    """At a real terminal (a pseudo-terminal, which CliRunner cannot give) the bar is drawn, in
    place, up to the file's rows, and the result line follows it."""
    path, rows = _usage_file(world, tmp_path)
    controller, terminal = pty.openpty()
    env = {**os.environ, "DATABASE_URL": database_url, "ROLLOUT_INSTANCE_PATH": str(tmp_path / "instance")}
    process = subprocess.Popen([sys.executable, "-m", "rollout", "usage", "import", str(path), "--programme",
                                str(world.programme_id)], stdin=terminal, stdout=terminal, stderr=terminal, env=env,
                               cwd=tmp_path)
    os.close(terminal)
    seen = b""
    try:
        while b"imported as import batch" not in seen or not seen.endswith(b"\n"):
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, f"no result line: {seen!r}"
            seen += os.read(controller, 4096)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        os.close(controller)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode())  # the cursor hidden while the bar is drawn
    lines = shown.replace("\r\n", "\n").split("\n")
    bar = next(line for line in lines if LABEL in line).split("\r")[-1]  # the bar as last drawn
    assert bar.startswith(f"mars.csv: {LABEL}  [") and bar.rstrip().endswith(f"  {rows}"), bar
    assert lines[-2:] == [f"mars.csv: imported as import batch 1 {rows} rows: {rows} new, 0 replaced, 0 unchanged", ""]
