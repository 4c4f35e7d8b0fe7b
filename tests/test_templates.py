"""The phase templates and workshop notebooks: every parameter declared in one `parameters` cell
and documented in the first markdown cell; each runs top to bottom (nbval) on a fresh demo case."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from workbench.demo import DEMO_ENV
from workbench.report.parameters import SECRET_NAME, declared_parameters
from workbench.report.run import PHASES

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").glob("*.ipynb"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


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
    """A fresh copy of the demo case at cases/demo, with templates/ and notebooks/ beside it as in
    the repository, so the templates' `case_path = "cases/demo"` and the notebooks'
    `open_demo("../cases/demo")` open it (the environment names it too)."""
    work = tmp_path_factory.mktemp("nbval")
    shutil.copytree(demo_case.path, work / "cases" / "demo")
    # What the demo's build leaves beside the case: the exports it imported (workshop 2 and 3
    # import them again).
    shutil.copytree(demo_case.path.parent / f"{demo_case.path.name}-exports",
                    work / "cases" / "demo-exports")
    for folder in ("templates", "notebooks"):
        shutil.copytree(ROOT / folder, work / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return work


@pytest.mark.parametrize("group", ["templates", "notebooks"])
def test_every_template_and_notebook_runs_top_to_bottom_under_nbval(group, workdir):
    # One nbval session per folder (a pytest start per notebook would cost more than some
    # notebooks); a failure names the notebook and the cell. The workshop's solutions run too:
    # their checks assert that every answer is right.
    names = [str(p.relative_to(ROOT / group)) for p in {"templates": TEMPLATES,
                                                        "notebooks": NOTEBOOKS + SOLUTIONS}[group]]
    if not names:
        pytest.skip(f"no {group} yet")
    env = {**os.environ, DEMO_ENV: str(workdir / "cases" / "demo")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=300", "-p", "no:cacheprovider", "-q", "-rf", *names],
        cwd=workdir / group, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
