"""Runs left ``running`` by a process that was killed outright (SIGKILL, a power cut, the
out-of-memory killer): such a process never marked its run interrupted, so the case would claim
forever that a job is still going. When a case is opened, a run whose process (``runs.pid`` on
``runs.host``, recorded by the store as the run starts) is gone is marked interrupted, and audited.

Only runs started on this host can be judged; a run from another machine, or one recorded before
the store kept its process, is left as it is.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

import sqlite_utils

from workbench import audit
from workbench.store import write
from workbench.timeutil import now_text

#: Seconds a process may appear to have started after its run did (clock ticks, rounding).
_START_SLACK_S = 5


def abandoned(db: sqlite_utils.Database) -> list[int]:
    """The ids of runs marked running whose process on this host no longer runs them."""
    rows = db.execute("SELECT id, pid, started_at FROM runs WHERE status = 'running' "
                      "AND pid IS NOT NULL AND host = ?", [socket.gethostname()]).fetchall()
    return [run for run, pid, started in rows if not _runs_since(pid, started)]


def mark_abandoned(db: sqlite_utils.Database) -> list[int]:
    """Mark :func:`abandoned` runs interrupted, with one audit entry naming them; their ids."""
    runs = abandoned(db)
    if not runs:
        return []
    with write(db):
        runs = abandoned(db)  # again, inside the lock: another opener may have marked them
        if runs:
            marks = ", ".join("?" * len(runs))
            db.execute(f"UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id IN ({marks})",
                       [now_text(), *runs])
            audit.append(db, "run.abandoned", {
                "runs": runs, "reason": "its process ended without finishing it (killed?)"})
    return runs


def _runs_since(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` lives and is the one that started a run at ``started``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it lives
    state, begun = _process(pid)
    if state == "Z":
        return False  # ended, not yet reaped by its parent
    if begun is None or not started:
        return True
    try:
        run_start = datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return True
    return begun <= run_start + _START_SLACK_S  # a later process reuses the pid of a dead one


def _process(pid: int) -> tuple[str | None, float | None]:
    """Process ``pid``'s state letter and when it started (Unix time), where /proc tells."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/stat") as system:
            boot = next(int(line.split()[1]) for line in system if line.startswith("btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None, None
