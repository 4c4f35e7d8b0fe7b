"""The peak memory of a command and all its children (browsers, papermill kernels), for the
benchmarks that run the workbench as a user does: one command in a fresh process, polled.

Memory is the resident set (RSS) summed over the process tree every 0.1 s with psutil; shared
pages count once per process, so the figure errs high.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Hashable
from pathlib import Path

import psutil


def tree_rss(proc: psutil.Process) -> int:
    """The resident memory of a process and all its descendants, in bytes."""
    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in family:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def measure(args: list[str], log: Path, label: Callable[[], Hashable] | None = None
            ) -> tuple[int, float, int, dict]:
    """Run a command in a fresh process, its output to ``log``: (exit code, seconds, peak tree RSS,
    peak per label). ``label()``, called at each poll, names what the command is doing now."""
    peaks: dict = {}
    peak = 0
    with log.open("w") as stream:
        t0 = time.perf_counter()
        child = subprocess.Popen(args, stdout=stream, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        proc = psutil.Process(child.pid)
        while child.poll() is None:
            rss = tree_rss(proc)
            peak = max(peak, rss)
            if label is not None:
                now = label()
                peaks[now] = max(peaks.get(now, 0), rss)
            time.sleep(0.1)
        seconds = time.perf_counter() - t0
    return child.returncode, seconds, peak, peaks
