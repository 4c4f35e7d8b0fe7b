"""The collection panel: pick a file (a path, or an upload held in a temporary folder until it is
imported), import it with a progress bar, and see the summary and what was quarantined."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from workbench.case import Case
from workbench.errors import WorkbenchError
from workbench.evidence import sha256_bytes
from workbench.ingest import ImportResult
from workbench.widgets import state
from workbench.widgets.render import error_message, message, table

_UNSAFE = re.compile(r"[^\w.\-]+")
_uploads: Path | None = None


def upload_folder() -> Path:
    """Where this kernel keeps uploads until they are imported: a private temporary folder, never
    the case folder (the import keeps the payload itself, hashed, in ``raw/``; a copy left in the
    case would escape purging)."""
    global _uploads
    if _uploads is None or not _uploads.is_dir():
        _uploads = Path(tempfile.mkdtemp(prefix="workbench-uploads-"))
    return _uploads


def save_upload(name: str, content: bytes) -> Path:
    """Save an uploaded file (under a safe name, prefixed with the start of its SHA-256 so uploads
    never overwrite each other) in :func:`upload_folder` and return its path."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    path = upload_folder() / f"{sha256_bytes(content)[:12]}-{base}"
    if not path.exists():
        path.write_bytes(content)
    return path


def import_path(case: Case, path: str | Path, *, format: str = "auto", progress: bool = True) -> ImportResult:
    """Import one file into the case (see :func:`workbench.ingest.import_file`); a relative path is
    taken from the case folder when it is there. An upload is deleted once it is imported."""
    path = Path(path).expanduser()
    if not path.is_absolute() and not path.exists() and (case.path / path).exists():
        path = case.path / path
    result = case.import_file(path, format=format, progress=progress)
    if _uploads is not None and path.parent == _uploads:
        path.unlink(missing_ok=True)
    return result


def run_quarantine(case: Case, run_id: int) -> pd.DataFrame:
    """What one import run quarantined: locator, reason and an excerpt."""
    frame = case.quarantine()
    frame = frame[frame["run_id"] == run_id]
    return frame[["locator", "reason", "excerpt"]].reset_index(drop=True)


class CollectionPanel(w.VBox):
    """Import a file by path or upload; the import's progress bar, summary and quarantine show below."""

    def __init__(self, case: Case, *, path: str | None = None, format: str = "auto", **_: Any):
        from workbench.collect import formats

        self.case = case
        self.key = state.case_key(case)
        start = state.initial(self.key, "collect", {"path": "", "format": "auto"},
                              {"path": path, "format": format})
        names = ["auto", *sorted(formats())]
        self.path = w.Text(value=start["path"], description="File", placeholder="path to an export",
                           layout=w.Layout(width="520px"))
        self.path.add_class("wb-collect-path")
        self.format = w.Dropdown(options=names if start["format"] in names else [*names, start["format"]],
                                 value=start["format"], description="Format")
        self.upload = w.FileUpload(description="Upload", multiple=False)
        self.run = w.Button(description="Import", button_style="primary")
        self.run.add_class("wb-collect-run")
        self.output = w.Output()
        self.summary = w.HTML()
        self.summary.add_class("wb-collect-summary")
        self.quarantined = w.HTML()
        self.result: ImportResult | None = None
        state.bind(self.key, "collect", {"path": self.path, "format": self.format})
        self.upload.observe(lambda _: self.take_upload(), names="value")
        self.run.on_click(lambda _: self.import_file())
        super().__init__([w.HBox([self.path, self.upload]), w.HBox([self.format, self.run]),
                          self.output, self.summary, self.quarantined])
        self.add_class("wb-collect")

    def take_upload(self) -> Path | None:
        """Save the uploaded file for import and put its path in the File box."""
        if not self.upload.value:
            return None
        uploaded = self.upload.value[0]
        saved = save_upload(uploaded["name"], bytes(uploaded["content"]))
        self.path.value = str(saved)
        self.summary.value = message(f"uploaded {uploaded['name']}: press Import to import it", "ok")
        return saved

    def import_file(self) -> ImportResult | None:
        """Import the file named in the File box, showing progress, the summary and quarantine."""
        if not self.path.value.strip():
            self.summary.value = message("name a file, or upload one, first", "error")
            return None
        self.output.clear_output()
        self.summary.value = message("importing ...")
        self.quarantined.value = ""
        self.run.disabled = True
        try:
            # tqdm.auto draws its bar as a widget inside the Output when in a notebook.
            with self.output:
                self.result = import_path(self.case, self.path.value.strip(), format=self.format.value)
        except (WorkbenchError, OSError) as exc:
            self.summary.value = error_message(exc)
            return None
        finally:
            self.run.disabled = False
        self.summary.value = message(self.result.summary(), "ok")
        if self.result.quarantined:
            rows = run_quarantine(self.case, self.result.run_id)
            self.quarantined.value = "<b>Quarantined</b>" + table(rows)
        return self.result
