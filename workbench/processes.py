"""Worker processes that do not outlive the process that started them.

A worker that is only told to stop (a queue's sentinel, a closed pipe) keeps running, holding
its memory, when its parent is killed outright (SIGKILL, the out-of-memory killer), since then
nothing is told. On Linux the kernel can send the worker a signal the moment its parent dies
(``prctl(PR_SET_PDEATHSIG)``); elsewhere workers fall back on noticing that their parent changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Ask the kernel to end this process (SIGTERM) when its parent ends; True if it will.

    ``parent`` is the pid the caller expects as parent: if the parent already died before the
    request was made (this process then has another), this process ends at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        done = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
    if done and parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent went before the request was made: nothing will signal us
    return done
