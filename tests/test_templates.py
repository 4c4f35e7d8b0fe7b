"""The phase templates and workshop notebooks: every parameter declared in one `parameters` cell
and documented in the first markdown cell; each runs top to bottom (nbval) on a fresh demo case."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from workbench.report.run import PHASES, SECRET_NAME, declared_parameters

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").glob("*.ipynb"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_templates_are_named_by_phase():
    assert (ROOT / "templates" / PHASES["planning"]) in TEMPLATES
    assert (ROOT / "templates" / PHASES["collection"]) in TEMPLATES
    assert {p.name for p in TEMPLATES} <= set(PHASES.values())


@pytest.mark.parametrize("path", TEMPLATES, ids=label)
def test_every_parameter_is_declared_and_documented(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one cell tagged `parameters`"
    parameters = papermill.inspect_notebook(str(path))
    assert {"case_path", "run_dir"} <= set(parameters)
    # Nothing hidden: every assignment in the cell is one papermill sees.
    statements = [line for line in tagged[0].source.splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
    assert len(statements) == len(parameters), "only simple one-line assignments"
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and intro.source.startswith("# ")
    for name, spec in declared_parameters(path).items():
        assert re.search(rf"^\|\s*`{name}`\s*\|", intro.source, re.MULTILINE), \
            f"{name} is not in the first cell's parameter table"
        assert spec["type"] != "any", f"{name} has no declared type"
        assert not SECRET_NAME.search(name), f"{name} looks like a secret"
    assert not [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")], \
        "templates are kept without outputs"


@pytest.fixture(scope="module")
def workdir(demo_case, tmp_path_factory) -> Path:
    """A folder holding a fresh copy of the demo case at cases/demo, and the templates and
    notebooks beside it, so their default `case_path = "cases/demo"` opens it."""
    work = tmp_path_factory.mktemp("nbval")
    shutil.copytree(demo_case.path, work / "cases" / "demo")
    for folder in (ROOT / "templates", ROOT / "notebooks"):
        shutil.copytree(folder, work, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return work


@pytest.mark.parametrize("group", ["templates", "notebooks"])
def test_every_template_and_notebook_runs_top_to_bottom_under_nbval(group, workdir):
    # One nbval session per folder (a pytest start per notebook would cost more than some
    # notebooks); a failure names the notebook and the cell.
    names = [p.name for p in {"templates": TEMPLATES, "notebooks": NOTEBOOKS}[group]]
    if not names:
        pytest.skip(f"no {group} yet")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=300", "-p", "no:cacheprovider", "-q", "-rf", *names],
        cwd=workdir, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
