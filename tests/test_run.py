"""`workbench run`: the phase templates executed by papermill into runs/<time>/, audited.

Real kernels run real notebooks: the planning and collection templates on a small case, and tiny
templates written here for failures, types and outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from workbench.case import Case
from workbench.report.parameters import RunUsageError, check_value, convert, refuse_secrets
from workbench.report.run import NothingToAnalyse, RunFailed, read_outputs, run_phases

from .conftest import post


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audit_entries(case_path: Path, prefix: str = "run.") -> list[tuple[str, dict]]:
    with Case.open(case_path) as case:
        rows = case.db.execute("SELECT action, detail FROM audit WHERE action LIKE ? ORDER BY seq",
                               [prefix + "%"]).fetchall()
    return [(action, json.loads(detail)) for action, detail in rows]


def tiny_template(path: Path, parameters: str, *cells: str) -> Path:
    """A notebook with a markdown cell, a `parameters` cell and code cells."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells.append(nbformat.v4.new_markdown_cell("# tiny"))
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


RUN_PARAMS = 'case_path: str = "cases/demo"  # the case\nrun_dir: str = ""  # the run folder\n'


@pytest.fixture
def small_case(tmp_path, write_jsonl) -> Path:
    """A case with a dozen generic posts (one line broken, so one record is in quarantine)."""
    path = tmp_path / "small"
    with Case.create(path, title="Small", legal_basis="public interest research",
                     retention_until="2099-01-01", requirements=["Who posted first?"],
                     keywords=["fire"], platforms=["generic"]) as case:
        case.import_file(write_jsonl("posts.jsonl", [post(i) for i in range(12)] + ["{broken"]),
                         progress=False)
    return path


def test_planning_and_collection_run_with_overrides(small_case, tmp_path, write_jsonl):
    more = write_jsonl("more.jsonl", [post(i) for i in range(100, 105)])
    result = run_phases(small_case, ["collection", "planning"], {
        "keywords": "[fire, smoke]", "soon_days": "10", "sources": [str(more)],
    }, progress=False)

    assert result.status == "finished"
    assert [p.phase for p in result.phases] == ["planning", "collection"]  # in order, as asked
    assert result.run_dir.parent == small_case.resolve() / "runs"
    assert [p.name for p in sorted(result.run_dir.iterdir())] == [
        "01_planning.ipynb", "02_collection.ipynb"]
    with Case.open(small_case) as case:
        assert case.plan.keywords == ["fire", "smoke"]  # converted from text, saved, audited
        assert len(case.items()) == 17
        assert case.db.execute("SELECT count(*) FROM audit WHERE action = 'plan.updated'"
                               ).fetchone()[0] == 1
    planning = nbformat.read(result.run_dir / "01_planning.ipynb", 4)
    injected = next(c for c in planning.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "soon_days = 10" in injected.source and "sources" not in injected.source
    assert f'case_path = "{small_case.resolve()}"' in injected.source

    [(action, detail)] = audit_entries(small_case)
    assert action == "run.finished" and detail["status"] == "finished"
    assert detail["run_dir"] == f"runs/{result.run_dir.name}"
    assert detail["parameters"] == {"keywords": ["fire", "smoke"], "soon_days": 10,
                                    "sources": [str(more)]}
    assert {"workbench", "python", "papermill", "nbformat"} <= set(detail["versions"])
    for phase in detail["phases"]:
        assert phase["sha256"] == sha256(result.run_dir / phase["notebook"])
        assert phase["status"] == "done"
    with Case.open(small_case) as case:
        assert case.verify().ok


def test_a_failing_cell_names_notebook_and_cell_and_keeps_it(small_case, tmp_path):
    templates = tmp_path / "templates"
    tiny_template(templates / "01_planning.ipynb", RUN_PARAMS,
                  "print('before the failure')", "values = [1, 2]\nvalues[5]", "print('never')")
    tiny_template(templates / "02_collection.ipynb", RUN_PARAMS, "print('never either')")

    with pytest.raises(RunFailed) as caught:
        run_phases(small_case, templates_dir=templates, progress=False)

    error = caught.value
    message = str(error)
    assert "01_planning.ipynb" in message and "cell [4]" in message
    assert "values = [1, 2]" in message and "IndexError" in message
    assert str(error.notebook) in error.hint
    kept = nbformat.read(error.notebook, 4)
    outputs = [o for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("before the failure" in o.get("text", "") for o in outputs)
    assert not (error.notebook.parent / "02_collection.ipynb").exists()  # the run stopped
    [(action, detail)] = audit_entries(small_case)
    assert action == "run.failed" and detail["status"] == "failed"
    assert "IndexError" in detail["error"]
    assert detail["phases"][0]["sha256"] == sha256(error.notebook)


def test_types_outputs_and_only_declared_parameters(small_case, tmp_path):
    templates = tmp_path / "templates"
    tiny_template(templates / "01_planning.ipynb", RUN_PARAMS + (
        "top: int = 5  # how many\nratio = 0.5  # float: a share\nshow: bool = True  # yes\n"
        "names: list = []  # names\nmapping: dict = {}  # a mapping\nlabel = None  # str | None: a label\n"),
        "import json, pathlib\n"
        "pathlib.Path(run_dir, 'seen.json').write_text(json.dumps(\n"
        "    dict(top=top, ratio=ratio, show=show, names=names, mapping=mapping, label=label)))")
    tiny_template(templates / "04_reporting.ipynb", RUN_PARAMS + 'name: str = "report"  # file\n',
                  "import pathlib\nfrom workbench.report.run import record_output\n"
                  "out = pathlib.Path(case_path, 'reports', name + '.html')\n"
                  "out.write_text('<p>ok</p>')\nrecord_output(run_dir, 'report', out)")

    result = run_phases(small_case, None, {
        "top": "7", "ratio": "0.25", "show": "no", "names": "one", "mapping": "{text: body}",
        "label": "none", "name": "weekly",
    }, templates_dir=templates, progress=False)

    seen = json.loads((result.run_dir / "seen.json").read_text())
    assert seen == {"top": 7, "ratio": 0.25, "show": False, "names": ["one"],
                    "mapping": {"text": "body"}, "label": None}
    assert [p.phase for p in result.phases] == ["planning", "reporting"]  # what exists, in order
    assert result.report == small_case.resolve() / "reports" / "weekly.html"
    assert read_outputs(result.run_dir) == {"report": str(result.report)}
    reporting = nbformat.read(result.run_dir / "04_reporting.ipynb", 4)
    assert "top" not in reporting.cells[2].source  # each template gets only what it declares
    [(_, detail)] = audit_entries(small_case)
    assert detail["outputs"] == {"report": str(result.report)}


def test_usage_errors_come_before_anything_runs(small_case):
    with pytest.raises(RunUsageError, match="no selected template takes 'colour'") as caught:
        run_phases(small_case, ["planning"], {"colour": "red"}, progress=False)
    assert "01_planning.ipynb: title, analyst" in caught.value.hint
    assert "02_collection" not in caught.value.hint  # only the selected templates
    with pytest.raises(RunUsageError, match="soon_days: 'soon' is not of type int"):
        run_phases(small_case, ["planning"], {"soon_days": "soon"}, progress=False)
    with pytest.raises(RunUsageError, match="unknown phase 'plan'"):
        run_phases(small_case, ["plan"], progress=False)
    with pytest.raises(RunUsageError, match="set by the run itself"):
        run_phases(small_case, ["planning"], {"case_path": "elsewhere"}, progress=False)
    assert not (small_case / "runs").exists() or not any((small_case / "runs").iterdir())
    assert audit_entries(small_case) == []


@pytest.mark.parametrize("parameters", [
    {"api_token": "x"}, {"password": "hunter2"}, {"bot_secret": "x"},
    {"keywords": "ghp_" + "a1B2c3D4" * 5}, {"keywords": ["ok", "sk-" + "Z" * 32]},
    {"title": "Bearer abcdefghijklmnop"},
])
def test_secrets_are_refused(parameters):
    with pytest.raises(RunUsageError, match="secret"):
        refuse_secrets(parameters)


def test_converting_text_to_the_declared_type():
    assert convert("n", "3", "int") == 3
    assert convert("x", "1e-3", "float") == 0.001
    assert convert("b", "TRUE", "bool") is True
    assert convert("k", "[fire, 'smoke, grey']", "list") == ["fire", "smoke, grey"]
    assert convert("k", '["a", "b"]', "list[str]") == ["a", "b"]
    assert convert("k", "data/posts.csv", "list") == ["data/posts.csv"]
    assert convert("s", "null", "str | None") is None and convert("s", "null", "str") == "null"
    assert convert("s", "007", "str") == "007"
    assert convert("n", 3, "int") == 3  # values from Python pass as they are
    for name, value, kind in [("n", "3.5", "int"), ("b", "maybe", "bool"), ("m", "[1]", "dict")]:
        with pytest.raises(RunUsageError, match=f"parameter {name}"):
            convert(name, value, kind)


def wb(*args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, **kwargs)


def test_cli_exit_codes(small_case, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    tiny_template(good / "04_reporting.ipynb", RUN_PARAMS + "top: int = 5  # how many\n",
                  "assert top == 9\nimport pathlib\nfrom workbench.report.run import record_output\n"
                  "record_output(run_dir, 'report', pathlib.Path(case_path, 'reports', 'r.html'))")
    tiny_template(bad / "01_planning.ipynb", RUN_PARAMS, "raise ValueError('no good')")

    done = wb("run", small_case, "-p", "top", "9", "--no-progress", env={"WORKBENCH_TEMPLATES": good})
    assert done.returncode == 0, done.stderr
    assert f"run folder: {small_case.resolve() / 'runs'}" in done.stdout
    assert f"report (opens offline): {small_case.resolve() / 'reports' / 'r.html'}" in done.stdout

    failed = wb("run", small_case, env={"WORKBENCH_TEMPLATES": bad})
    assert failed.returncode == 1
    assert "01_planning.ipynb failed in cell [3]" in failed.stderr
    assert "ValueError: no good" in failed.stderr and "Traceback" not in failed.stderr

    for args in (["-p", "top"], ["--phase", "analysis"], ["-p", "github_token", "x"]):
        usage = wb("run", small_case, *args, env={"WORKBENCH_TEMPLATES": good})
        assert usage.returncode == 2, (args, usage.stderr)
        assert "Traceback" not in usage.stderr


def test_a_case_without_items_stops_in_one_line_before_anything_runs(tmp_path):
    path = tmp_path / "empty"
    Case.create(path, title="Empty", legal_basis="public interest research",
                retention_until="2099-01-01").close()
    with pytest.raises(NothingToAnalyse, match="the case empty has no items yet: import some") as caught:
        run_phases(path, ["analysis"], progress=False)
    assert caught.value.hint is None and "\n" not in str(caught.value)
    assert not (path / "runs").exists() or not any((path / "runs").iterdir())
    assert audit_entries(path) == []

    started = time.perf_counter()
    done = wb("run", path, "--phase", "analysis", "--no-progress")
    assert done.returncode == 1 and time.perf_counter() - started < 30
    assert done.stderr.startswith("error: the case empty has no items yet: import some first")
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_a_period_without_items_names_the_parameters_to_change(small_case):
    with pytest.raises(NothingToAnalyse) as caught:
        run_phases(small_case, ["analysis"], {"since": "2030-01-01"}, progress=False)
    message = str(caught.value)
    assert "none of the case's 12 items falls in the period asked (since 2030-01-01)" in message
    assert "they run from 2024-03-01 to 2024-03-" in message and "-p since / -p until" in message
    with pytest.raises(NothingToAnalyse, match="ends before it starts: swap -p since and -p until"):
        run_phases(small_case, ["analysis"], {"since": "2024-03-10", "until": "2024-03-01"}, progress=False)
    assert not (small_case / "runs").exists() or not any((small_case / "runs").iterdir())

    done = wb("run", small_case, "--phase", "analysis", "-p", "until", "2020-01-01", "--no-progress")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: none of the case's 12 items falls in the period asked (until 2020")
    assert done.stderr.strip().count("\n") == 0


def test_items_are_counted_after_the_collection_phase_brought_them(tmp_path, write_jsonl):
    path = tmp_path / "fresh"
    Case.create(path, title="Fresh", legal_basis="public interest research",
                retention_until="2099-01-01").close()
    templates = tmp_path / "templates"
    tiny_template(templates / "02_collection.ipynb", RUN_PARAMS + "sources: list = []  # files\n",
                  "from workbench.report.run import open_case\ncase = open_case(case_path)\n"
                  "for source in sources:\n    case.import_file(source, progress=False)")
    tiny_template(templates / "03_analysis.ipynb", RUN_PARAMS, "print('analysed')")

    with pytest.raises(NothingToAnalyse, match="has no items yet"):
        run_phases(path, ["collection", "analysis"], templates_dir=templates, progress=False)
    [(action, detail)] = audit_entries(path)
    assert action == "run.failed" and [p["phase"] for p in detail["phases"]] == ["collection"]

    posts = write_jsonl("posts.jsonl", [post(i) for i in range(3)])
    result = run_phases(path, ["collection", "analysis"], {"sources": [str(posts)]},
                        templates_dir=templates, progress=False)
    assert result.status == "finished" and [p.phase for p in result.phases] == ["collection", "analysis"]


@pytest.mark.parametrize(("name", "value", "hint"), [
    ("resolution", "1X", "-p resolution 1D"), ("trend_resolution", "weekly", "-p trend_resolution 1W"),
    ("tz", "Mars/Olympus", "-p tz Europe/Amsterdam"), ("since", "yesterday", "-p since 2024-03-07"),
    ("emerging_recent", "lately", "-p emerging_recent 7D"),
    ("coordination_kinds", "[co_repost, co_telepathy]", "-p coordination_kinds"),
    ("network_max_nodes", "100000", "-p network_max_nodes 150"), ("n_topics", "0", "-p n_topics 8"),
    ("similarity", "1.5", "-p similarity 0.8"),
])
def test_analysis_parameters_are_checked_before_anything_runs(small_case, name, value, hint):
    with pytest.raises(RunUsageError, match=f"parameter {name}: ") as caught:
        run_phases(small_case, ["analysis"], {name: value}, progress=False)
    assert caught.value.hint.startswith(hint)
    assert not (small_case / "runs").exists() or not any((small_case / "runs").iterdir())


def test_time_bins_reach_the_template_in_their_canonical_form():
    assert check_value("resolution", "1M") == "1MS"
    assert check_value("resolution", "auto") == "auto" and check_value("trend_resolution", "W") == "1W"
    assert check_value("since", "") == "" and check_value("tz", "Europe/Amsterdam") == "Europe/Amsterdam"
    assert check_value("keyword", "anything") == "anything"  # not one of the checked parameters


def test_ctrl_c_keeps_the_partial_notebook_and_records_the_interruption(small_case, tmp_path):
    templates = tmp_path / "slow"
    tiny_template(templates / "01_planning.ipynb", RUN_PARAMS,
                  "print('started', flush=True)", "import time\ntime.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "run", str(small_case)],
                            env={**os.environ, "WORKBENCH_TEMPLATES": str(templates)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    notebook = None
    while time.monotonic() < deadline:
        found = list((small_case / "runs").glob("*/01_planning.ipynb"))
        if found and "started" in found[0].read_text():
            notebook = found[0]
            break
        time.sleep(0.2)
    assert notebook is not None, "the run did not get going"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)

    # 130, or killed by SIGINT when the interrupt lands while the kernel is being shut down
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert "interrupted" in stderr
    assert notebook.is_file()
    [(action, detail)] = audit_entries(small_case)
    assert action == "run.failed" and detail["status"] == "interrupted"
    assert detail["phases"][0]["sha256"] == sha256(notebook)


def test_a_kernel_that_cannot_start_is_a_clear_failure(small_case, tmp_path):
    templates = tmp_path / "templates"
    tiny_template(templates / "01_planning.ipynb", RUN_PARAMS, "print('hello')")
    with pytest.raises(RunFailed, match="01_planning.ipynb could not run: NoSuchKernel"):
        run_phases(small_case, templates_dir=templates, progress=False, kernel_name="no-such-kernel")
    [(action, detail)] = audit_entries(small_case)
    assert action == "run.failed" and detail["phases"][0]["status"] == "failed"


def test_open_case_finds_a_relative_case_from_a_notebook_folder(small_case, monkeypatch):
    from workbench.report.run import open_case

    (small_case.parent / "templates").mkdir()
    monkeypatch.chdir(small_case.parent / "templates")  # where JupyterLab runs a template
    with open_case("small") as case:
        assert case.path == small_case
    with open_case(small_case) as case:
        assert case.plan.title == "Small"


def test_the_collection_template_collects_live_and_lists_a_query_that_cannot_run(small_case, instance):
    live = f"[{{source: mastodon, instance: '{instance.url}', hashtag: flood}}, {{source: feed}}]"
    result = run_phases(small_case, ["collection"], {"live": live, "max_wait": "5"}, progress=False)
    assert result.status == "finished"
    with Case.open(small_case) as case:
        assert len(case.items(platform="mastodon")) == 12 and case.verify().ok
    notebook = nbformat.read(result.run_dir / "02_collection.ipynb", 4)
    shown = "\n".join(str(output.get("data", {}).get("text/plain", "")) for cell in notebook.cells
                      if cell.cell_type == "code" for output in cell.get("outputs", []))
    assert "hashtag:flood" in shown
    assert "not collected" in shown and "list feeds in the plan" in shown  # the feed had no URL


def test_a_collection_phase_whose_every_live_source_is_refused_fails(small_case):
    live = "[{source: feed}, {source: mastodon}]"  # no feed URL, no instance: neither can run
    with pytest.raises(RunFailed, match="none of the 2 live collections asked for ran"):
        run_phases(small_case, ["collection"], {"live": live, "max_wait": "5"}, progress=False)
    with Case.open(small_case) as case:
        (action,) = case.db.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert action == "run.failed"
