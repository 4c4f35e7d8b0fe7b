"""What a user installs: every package the code imports is declared, and the built wheel alone runs
the demo (templates, models and assets inside it), outside the clone."""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]) for requirement in requirements}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _imported() -> dict[str, set[str]]:
    """Top-level package name -> the modules of workbench that import it."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "workbench").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                found.setdefault(module.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared():
    project = _project()
    core = _names(project["dependencies"])
    extras = {name: _names(requirements) for name, requirements in project["optional-dependencies"].items()}
    distributions = importlib.metadata.packages_distributions()
    undeclared = []
    for name, modules in sorted(_imported().items()):
        if name in sys.stdlib_module_names or name == "workbench":
            continue
        provided_by = {_normal(d) for d in distributions.get(name, ())}
        if not provided_by:
            undeclared.append(f"{name} (not installed; imported by {sorted(modules)[0]})")
        elif not provided_by & core and not any(provided_by & names for names in extras.values()):
            undeclared.append(f"{name} (from {sorted(provided_by)[0]}; imported by {sorted(modules)[0]})")
    assert not undeclared, "imported but not in pyproject.toml: " + ", ".join(undeclared)


def test_environment_yml_lists_every_core_dependency():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            listed |= _names(line for line in entry["pip"] if not line.startswith("-"))
        else:
            listed |= _names([entry])
    conda_names = {"pycryptodome": "eth-hash"}  # eth-hash's extra comes from conda-forge's pycryptodome
    missing = sorted(_names(_project()["dependencies"]) - listed - set(conda_names.values()))
    assert not missing, f"environment.yml lacks {missing}"


@pytest.mark.skipif(not shutil.which("conda"), reason="conda is not installed here")
def test_environment_yml_solves(tmp_path):
    done = subprocess.run(["conda", "env", "create", "--dry-run", "-f", str(ROOT / "environment.yml"),
                           "-p", str(tmp_path / "env")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_built_wheel_alone_runs_the_demo(tmp_path):
    """Build the wheel, install it with no dependencies into a new venv that borrows the tested
    dependencies (never the clone's editable workbench), then run the demo from outside the clone."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("socmint_workbench-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # The dependencies come from the tested environment, added as a plain path: its .pth files
    # (among them the editable install's finder) are not run, so workbench comes from the wheel.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "tested_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "WORKBENCH_TEMPLATES", "VIRTUAL_ENV")}
    where = subprocess.run([str(python), "-c", "import workbench; print(workbench.__file__)"],
                           check=True, capture_output=True, text=True, env=env, cwd=tmp_path).stdout
    assert where.startswith(str(venv)), where
    demo = [str(venv / "bin" / "workbench"), "demo", "demo", "--posts", "400", "--no-progress"]
    done = subprocess.run(demo, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert (tmp_path / "demo" / "reports" / "report.html").stat().st_size > 10_000
    (run,) = (tmp_path / "demo" / "runs").iterdir()
    assert sorted(path.name for path in run.glob("*.ipynb")) == [
        "01_planning.ipynb", "02_collection.ipynb", "03_analysis.ipynb", "04_reporting.ipynb"]
