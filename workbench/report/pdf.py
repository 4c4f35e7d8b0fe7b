"""Print a report page to PDF with headless Chromium (found on PATH or at ``$WORKBENCH_CHROMIUM``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from workbench.errors import WorkbenchError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 180
INSTALL_HINT = ("install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`), or set "
                "WORKBENCH_CHROMIUM to the path of a Chromium or Chrome binary")


def find_chromium() -> str:
    """The Chromium binary to print with; a clear error saying how to get one when there is none."""
    configured = os.environ.get("WORKBENCH_CHROMIUM")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise WorkbenchError(f"WORKBENCH_CHROMIUM={configured!r} is not an executable file",
                             hint=INSTALL_HINT)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise WorkbenchError("a PDF needs Chromium, and none was found on PATH", hint=INSTALL_HINT)


def html_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` (no network: the page needs none); returns the path."""
    binary = find_chromium()
    partial = pdf_path.with_name(pdf_path.name + ".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-pdf-header-footer", f"--user-data-dir={profile}",
                   "--virtual-time-budget=10000",  # lets the map's scripts draw before printing
                   f"--print-to-pdf={partial}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as error:
            raise WorkbenchError(f"{html_path}: Chromium did not finish printing in {TIMEOUT_S} s",
                                 hint="try again, or render without pdf=True") from error
        except OSError as error:
            raise WorkbenchError(f"{binary}: could not start Chromium ({error})",
                                 hint=INSTALL_HINT) from error
    if not partial.is_file() or partial.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise WorkbenchError(f"{html_path}: Chromium wrote no PDF (exit {done.returncode}): "
                             f"{' | '.join(tail)}",
                             hint="run the command by hand to see why, or render without pdf=True")
    partial.replace(pdf_path)
    return pdf_path
