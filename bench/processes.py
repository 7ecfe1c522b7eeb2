"""What the benches do with the servers they start (gunicorn, `rollout worker`): stop them, and
read how much memory they took."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (it was started with `start_new_session`), as a Procfile
    host stops it; SIGKILL if it lingers past 30 s."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def tree_peak_mib(pid: int) -> float:
    """The largest peak resident memory (VmHWM) of a process and its descendants, now."""
    peak, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        peak = max(peak, int(found.group(1)) if found else 0)
        pending += [int(child) for child in children]
    return peak / 1024
