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

import ast
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.case import Case

#: The phases in the order they run, with their template's file name.
PHASES = {
    "planning": "01_planning.ipynb",
    "collection": "02_collection.ipynb",
    "analysis": "03_analysis.ipynb",
    "reporting": "04_reporting.ipynb",
}
#: Set by the run for every template, never by the caller.
RUN_PARAMETERS = ("case_path", "run_dir")
OUTPUTS_FILE = "outputs.json"
TEMPLATES_ENV = "WORKBENCH_TEMPLATES"
#: Libraries whose versions the audit entry records.
VERSIONED = ("papermill", "nbformat", "nbclient", "ipykernel", "pandas", "numpy", "altair",
             "networkx", "folium", "pydantic")

SECRET_NAME = re.compile(
    r"token|passw|secret|api_?key|apikey|credential|private_?key|bearer|session_?id|cookie|auth",
    re.IGNORECASE)
SECRET_VALUE = re.compile(
    r"^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[\w-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+|Bearer\s+\S{8,}"
    r"|AAAAAAAAAAAAAAAAAAAAA[\w%]{20,})$")


class RunUsageError(WorkbenchError):
    """The run was asked for wrongly: an unknown phase or parameter, a bad value, a secret."""


class RunFailed(WorkbenchError):
    """A template's cell raised; the executed notebook is kept in the run folder."""

    def __init__(self, message: str, *, notebook: Path, cell_index: int | None = None,
                 execution_count: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.notebook = notebook
        self.cell_index = cell_index
        self.execution_count = execution_count


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
    """The folder of the phase templates: ``path``, else $WORKBENCH_TEMPLATES, else the repo's
    ``templates/`` beside the package."""
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

    return Path(workbench.__file__).resolve().parents[1] / "templates"


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


# -- parameters -------------------------------------------------------------------------------


def declared_parameters(template: Path) -> dict[str, dict]:
    """The parameters a template's ``parameters`` cell declares, as papermill reads them, each
    with a ``type`` (from the annotation, a ``# type: meaning`` comment, or the default)."""
    import papermill

    found = papermill.inspect_notebook(str(template))
    for spec in found.values():
        spec["type"] = _declared_type(spec)
    return found


def _declared_type(spec: dict) -> str:
    inferred = spec.get("inferred_type_name") or "None"
    if inferred != "None":
        return inferred
    head = (spec.get("help") or "").split(":", 1)
    if len(head) == 2 and re.fullmatch(r"[\w\[\], |.]+", head[0].strip()):
        return head[0].strip()
    try:
        default = ast.literal_eval(spec.get("default") or "None")
    except (ValueError, SyntaxError):
        return "any"
    return "any" if default is None else type(default).__name__


def convert(name: str, value: Any, type_name: str) -> Any:
    """A parameter's value as the declared type; text (from the command line) is parsed.

    Lists and dicts are read as YAML or JSON (``[a, b]``, ``{k: v}``); a single value given for a
    list is a list of one. ``none``/``null`` (or nothing) is None where the type allows it.
    """
    if isinstance(value, Path):
        return str(value)
    if not isinstance(value, str):
        return value
    declared = type_name.strip()
    optional = re.fullmatch(r"Optional\[(.*)\]", declared)
    parts = [p.strip() for p in (optional.group(1) if optional else declared).split("|")]
    nullable = bool(optional) or "None" in parts
    base = next((p for p in parts if p and p != "None"), "any").split("[", 1)[0].lower()
    text = value.strip()
    if nullable and text.lower() in ("", "none", "null"):
        return None
    try:
        if base == "str":
            return value
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
        if base == "bool":
            return _boolean(text)
        if base in ("list", "tuple", "set", "dict"):
            parsed = yaml.safe_load(text) if text else []
            if base == "dict":
                if not isinstance(parsed, dict):
                    raise ValueError("not a mapping")
                return parsed
            return parsed if isinstance(parsed, list) else [value]
        parsed = yaml.safe_load(text)
        return parsed if isinstance(parsed, int | float | bool | list | dict) else value
    except (ValueError, yaml.YAMLError) as exc:
        raise RunUsageError(f"parameter {name}: {value!r} is not of type {type_name}",
                            hint=_type_hint(base)) from exc


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise ValueError("not a boolean")


def _type_hint(base: str) -> str:
    return {
        "int": "give a whole number, e.g. -p top 20",
        "float": "give a number, e.g. -p min_weight 0.5",
        "bool": "give true or false",
        "list": "give a YAML or JSON list, e.g. -p keywords '[fire, smoke]'",
        "dict": "give a YAML or JSON mapping, e.g. -p column_map '{text: body}'",
    }.get(base, "check the parameter's type in the template's first cell")


def refuse_secrets(parameters: dict[str, Any]) -> None:
    """Refuse parameters that are, or look like, secrets: those come from the environment."""
    for name, value in parameters.items():
        if SECRET_NAME.search(name):
            raise RunUsageError(
                f"parameter {name}: secrets are never parameters (they would be written into the "
                "executed notebook and the audit log)",
                hint="set it in the environment (or the keyring) where the collector reads it")
        for text in _strings(value):
            if SECRET_VALUE.match(text.strip()):
                raise RunUsageError(
                    f"parameter {name}: its value looks like a secret (an API token or key)",
                    hint="secrets come from the environment, never from parameters")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)


def plan_parameters(templates: dict[str, Path], parameters: dict[str, Any]
                    ) -> tuple[dict[str, dict[str, dict]], dict[str, Any]]:
    """Each template's declared parameters, and the caller's parameters converted; a parameter
    no selected template declares is a usage error naming the templates' parameters."""
    declared = {phase: declared_parameters(path) for phase, path in templates.items()}
    reserved = [n for n in parameters if n in RUN_PARAMETERS]
    if reserved:
        raise RunUsageError(f"parameter {reserved[0]} is set by the run itself",
                            hint="give the case folder as the run's argument")
    unknown = [n for n in parameters if not any(n in d for d in declared.values())]
    if unknown:
        listing = "; ".join(
            f"{templates[p].name}: {', '.join(n for n in d if n not in RUN_PARAMETERS) or '(none)'}"
            for p, d in declared.items())
        raise RunUsageError(f"no selected template takes {', '.join(map(repr, unknown))}",
                            hint=f"the templates' parameters are {listing}")
    converted = {}
    for name, value in parameters.items():
        spec = next(d[name] for d in declared.values() if name in d)
        converted[name] = convert(name, value, spec["type"])
    return declared, converted


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
    declared, converted = plan_parameters(templates, given)
    refuse_secrets(converted)
    case_path = case.path.resolve()
    result = RunResult(case_path, _new_run_dir(case_path / "runs"), parameters=converted)
    started = time.time()
    try:
        for phase, template in templates.items():
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
