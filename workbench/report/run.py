"""Run the phase templates with papermill into ``<case>/runs/<UTC timestamp>/`` and audit the run.

The phases are planning, collection, analysis and reporting, always executed in that order. Each
template is handed ``case_path`` (absolute), ``run_dir`` and those of the caller's parameters it
declares in its ``parameters`` cell. Values given as text (from the command line) are converted to
the type the template declares. Secrets are never parameters: they come from the environment.

A template may name what it produced by calling :func:`record_output`, which keeps
``<run_dir>/outputs.json`` (e.g. ``{"report": "/.../reports/report.html"}``); the run's result and
its audit entry carry those outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError
from workbench.report.parameters import (
    RunUsageError,
    plan_parameters,
    refuse_secrets,
)
from workbench.timeutil import parse_day

if TYPE_CHECKING:
    from workbench.case import Case

#: The phases in the order they run, with their template's file name.
PHASES = {
    "planning": "01_planning.ipynb",
    "collection": "02_collection.ipynb",
    "analysis": "03_analysis.ipynb",
    "reporting": "04_reporting.ipynb",
}
#: Phases that analyse the case's items: they do not start on a case, or a period, without any.
NEEDS_ITEMS = ("analysis",)
OUTPUTS_FILE = "outputs.json"
TEMPLATES_ENV = "WORKBENCH_TEMPLATES"
#: Libraries whose versions the audit entry records.
VERSIONED = ("papermill", "nbformat", "nbclient", "ipykernel", "pandas", "numpy", "altair",
             "networkx", "folium", "pydantic")

class RunFailed(WorkbenchError):
    """A template's cell raised; the executed notebook is kept in the run folder."""

    def __init__(self, message: str, *, notebook: Path, cell_index: int | None = None,
                 execution_count: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.notebook = notebook
        self.cell_index = cell_index
        self.execution_count = execution_count


class NothingToAnalyse(WorkbenchError):
    """The case holds no items, or none in the period asked: one line saying what to do."""


@dataclass
class PhaseRun:
    """One executed template."""

    phase: str
    template: Path
    notebook: Path
    parameters: dict[str, Any]
    status: str = "running"
    seconds: float = 0.0
    sha256: str | None = None


@dataclass
class RunResult:
    """What a run did: its folder, the executed notebooks, the outputs templates recorded."""

    case_path: Path
    run_dir: Path
    phases: list[PhaseRun] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    audit_seq: int | None = None

    @property
    def report(self) -> Path | None:
        """The HTML report the reporting phase wrote, if it ran."""
        value = self.outputs.get("report")
        return Path(value) if value else None

    def summary(self) -> str:
        done = ", ".join(f"{p.phase} ({p.seconds:.1f} s)" for p in self.phases)
        return f"run {self.status}: {done}; notebooks in {self.run_dir}"


# -- finding templates ------------------------------------------------------------------------


def templates_dir(path: str | Path | None = None) -> Path:
    """The folder of the phase templates: ``path``, else $WORKBENCH_TEMPLATES, else the ones the
    package carries (in a clone, ``workbench/phase_templates`` is a link to the repo's ``templates/``;
    a wheel holds copies)."""
    if path is None:
        path = os.environ.get(TEMPLATES_ENV) or _bundled_templates()
    folder = Path(path)
    if not folder.is_dir():
        raise RunUsageError(f"{folder}: no templates folder here",
                            hint=f"pass templates_dir, or set {TEMPLATES_ENV} to the folder "
                            "holding 01_planning.ipynb ... 04_reporting.ipynb")
    return folder


def _bundled_templates() -> Path:
    import workbench

    return Path(workbench.__file__).resolve().parent / "phase_templates"


def select_phases(folder: Path, phases: list[str] | tuple[str, ...] | None) -> dict[str, Path]:
    """The templates to run, in phase order. Asked-for phases must exist; with none asked, every
    phase whose template is present runs."""
    unknown = [p for p in phases or () if p not in PHASES]
    if unknown:
        raise RunUsageError(f"unknown phase {', '.join(map(repr, unknown))}",
                            hint=f"choose from {', '.join(PHASES)}")
    wanted = [p for p in PHASES if phases is None or p in phases]
    chosen = {p: folder / PHASES[p] for p in wanted if (folder / PHASES[p]).is_file()}
    missing = [PHASES[p] for p in wanted if p not in chosen]
    if (phases is not None and missing) or not chosen:
        raise RunUsageError(f"{folder}: no template {', '.join(missing)}",
                            hint="check the templates folder, or leave the phase out")
    return chosen


# -- outputs ----------------------------------------------------------------------------------


def record_output(run_dir: str | Path, name: str, value: str | Path) -> None:
    """Name an output of the run (``report`` for the HTML report) in ``<run_dir>/outputs.json``.

    Templates call this; run interactively (``run_dir`` empty) it does nothing.
    """
    if not run_dir:
        return
    path = Path(run_dir) / OUTPUTS_FILE
    outputs = read_outputs(path.parent)
    outputs[name] = str(value)
    path.write_text(json.dumps(outputs, indent=1, sort_keys=True), encoding="utf-8")


def read_outputs(run_dir: Path) -> dict[str, Any]:
    """What the run's templates recorded with :func:`record_output` (empty if nothing)."""
    path = Path(run_dir) / OUTPUTS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def open_case(case_path: str | Path) -> Case:
    """Open the case a template or notebook names. A relative path is looked for from the working
    folder up, so ``cases/demo`` opens from a notebook in ``templates/`` or ``notebooks/`` too."""
    from workbench.case import PLAN_FILE, Case

    path = Path(case_path).expanduser()
    if not path.is_absolute():
        for base in (Path.cwd(), *Path.cwd().parents):
            if (base / path / PLAN_FILE).is_file():
                path = base / path
                break
    return Case.open(path)


def require_items(case: Case, *, since: Any = None, until: Any = None) -> None:
    """Raise :class:`NothingToAnalyse` when the case has no items, or none from ``since`` to
    ``until`` (as ``case.items`` reads them), with the fix in one line (no hint below it)."""
    since, until = since or None, until or None
    total = case.db["items"].count
    if total and (not (since or until) or len(case.items(since=since, until=until, limit=1))):
        return
    if total == 0:
        raise NothingToAnalyse(f"the case {case.path.name} has no items yet: import some first "
                               f"(workbench import {case.path} FILE...) or collect them")
    period = " ".join(p for p in (f"since {since}" if since else "", f"until {until}" if until else "") if p)
    if since and until and parse_day(since, field="since") > parse_day(until, field="until"):
        raise NothingToAnalyse(f"the period asked ({period}) ends before it starts: swap -p since and "
                               "-p until")
    span = [case.db["items"].rows_where("created_at IS NOT NULL", order_by=f"created_at {way}", limit=1,
                                        select="created_at") for way in ("ASC", "DESC")]
    first, last = (str(next(iter(rows), {}).get("created_at") or "?")[:10] for rows in span)
    raise NothingToAnalyse(f"none of the case's {total:,} items falls in the period asked ({period}); "
                           f"they run from {first} to {last}: change -p since / -p until, or leave "
                           "them out for the whole case")


# -- the run ----------------------------------------------------------------------------------


def run_phases(case_or_path: Case | str | Path, phases: list[str] | tuple[str, ...] | None = None,
               parameters: dict[str, Any] | None = None, *, templates_dir: str | Path | None = None,
               progress: bool = True, kernel_name: str | None = None) -> RunResult:
    """Execute the phase templates in order into ``<case>/runs/<UTC timestamp>/``.

    Raises :class:`RunUsageError` for a wrong request (before anything runs) and
    :class:`RunFailed` when a cell fails (the executed notebook is kept). Every run that started
    is recorded in the audit log: ``run.finished``, or ``run.failed`` with status ``failed`` or
    ``interrupted``.
    """
    from workbench.case import Case

    if isinstance(case_or_path, Case):
        return _run(case_or_path, phases, parameters, templates_dir, progress, kernel_name)
    with Case.open(case_or_path) as case:
        return _run(case, phases, parameters, templates_dir, progress, kernel_name)


def _run(case: Case, phases, parameters, folder, progress: bool, kernel_name) -> RunResult:
    given = dict(parameters or {})
    refuse_secrets(given)
    templates = select_phases(templates_dir(folder), phases)
    early = "collection" not in templates and any(p in NEEDS_ITEMS for p in templates)
    if early:
        require_items(case)  # an empty case stops at once, whatever the parameters
    declared, converted = plan_parameters(templates, given)
    refuse_secrets(converted)
    if early:
        _require_items(case, converted)  # before any cell runs, or any run folder is made
    case_path = case.path.resolve()
    result = RunResult(case_path, _new_run_dir(case_path / "runs"), parameters=converted)
    started = time.time()
    try:
        for phase, template in templates.items():
            if phase in NEEDS_ITEMS and "collection" in templates:
                _require_items(case, converted)  # what the collection phase brought in counts
            _run_one(result, phase, template, declared[phase], converted, progress, kernel_name)
        result.status = "finished"
    except BaseException as exc:
        result.status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        _record(case, result, templates, error=_describe(exc))
        raise
    if "reporting" in templates and "report" not in result.outputs:
        newest = _newest_report(case_path / "reports", started)
        if newest is not None:
            result.outputs["report"] = str(newest)
    _record(case, result, templates)
    return result


def _require_items(case: Case, parameters: dict[str, Any]) -> None:
    require_items(case, since=parameters.get("since"), until=parameters.get("until"))


def _new_run_dir(runs: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    runs.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        candidate = runs / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise WorkbenchError(f"{runs}: cannot make a run folder for {stamp}")


def _run_one(result: RunResult, phase: str, template: Path, declared: dict, converted: dict,
             progress: bool, kernel_name: str | None) -> None:
    import papermill

    own = {"case_path": str(result.case_path), "run_dir": str(result.run_dir)}
    params = {n: v for n, v in {**converted, **own}.items() if n in declared}
    notebook = result.run_dir / template.name
    step = PhaseRun(phase, template, notebook, params)
    result.phases.append(step)
    began = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(template), str(notebook), parameters=params, kernel_name=kernel_name,
            progress_bar={"desc": phase, "leave": True} if progress else False,
            request_save_on_cell_execute=True,
            # The kernel's own start-up chatter (e.g. "running over TCP without encryption", for
            # a kernel bound to 127.0.0.1) is not the run's business; its errors still show.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except papermill.PapermillExecutionError as exc:
        step.status = "failed"
        raise _cell_failed(phase, notebook, exc) from None
    except KeyboardInterrupt:
        step.status = "interrupted"
        raise
    except Exception as exc:  # the kernel would not start or died, a cell timed out, ...
        step.status = "failed"
        raise RunFailed(f"{phase}: {notebook.name} could not run: {type(exc).__name__}: {exc}",
                        notebook=notebook,
                        hint="check that the notebook's kernel (python3, from ipykernel) is "
                        "installed in this environment; the partial notebook is in the run "
                        "folder") from exc
    finally:
        step.seconds = round(time.perf_counter() - began, 2)
        if notebook.is_file():
            step.sha256 = _sha256(notebook)
        result.outputs.update(read_outputs(result.run_dir))
    step.status = "done"


def _cell_failed(phase: str, notebook: Path, exc: Exception) -> RunFailed:
    source = (getattr(exc, "source", "") or "").strip().splitlines()
    first = source[0] if source else ""
    count = getattr(exc, "exec_count", None)
    index = getattr(exc, "cell_index", None)
    where = f"cell [{count}]" if count else "a cell"
    if index is not None:
        where += f" (cell {index} of the executed notebook)"
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return RunFailed(
        f"{phase}: {notebook.name} failed in {where}, `{first[:100]}`: {ename}: {evalue}",
        notebook=notebook, cell_index=index, execution_count=count,
        hint=f"open {notebook} (in JupyterLab) to see the cell, its traceback and the outputs "
        "before it; fix the cause and run again")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    return (str(exc) or type(exc).__name__)[:1000]


def _newest_report(reports: Path, since: float) -> Path | None:
    fresh = [p for p in reports.glob("*.html") if p.stat().st_mtime >= since - 1]
    return max(fresh, key=lambda p: p.stat().st_mtime) if fresh else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """The versions that shaped the run: the workbench, Python, papermill and key libraries."""
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    import workbench

    found = {"workbench": workbench.__version__, "python": sys.version.split()[0],
             "sqlite": sqlite3.sqlite_version}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _record(case: Case, result: RunResult, templates: dict[str, Path],
            error: str | None = None) -> None:
    from workbench import audit
    from workbench.store import write

    detail = {
        "run_dir": str(result.run_dir.relative_to(result.case_path)),
        "status": result.status,
        "phases": [
            {"phase": p.phase, "template": p.template.name,
             "template_sha256": _sha256(p.template), "notebook": p.notebook.name,
             "sha256": p.sha256, "status": p.status, "seconds": p.seconds}
            for p in result.phases
        ],
        "asked": list(templates),
        "parameters": _jsonable(result.parameters),
        "outputs": result.outputs,
        "versions": versions(),
    }
    if error:
        detail["error"] = error
    action = "run.finished" if result.status == "finished" else "run.failed"
    with write(case.db):
        result.audit_seq = audit.append(case.db, action, detail)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
