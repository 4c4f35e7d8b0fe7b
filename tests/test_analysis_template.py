"""The analysis template (templates/03_analysis.ipynb) run by papermill on a copy of the demo case."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import papermill
import pytest
import vl_convert

from workbench.analyze.vega import CONTAINER_WIDTH, MIMETYPE, mimebundle, use_offline_renderer
from workbench.case import Case

TEMPLATE = Path(__file__).parent.parent / "templates" / "03_analysis.ipynb"
HOSTILE_NOTE = "<script>alert('note')</script> explosion heard"


@pytest.fixture(scope="module")
def executed(demo_case, tmp_path_factory):
    """The template executed on a copy of the demo case holding one timed (hostile) analyst note."""
    from workbench.demo.story import EVENT

    base = tmp_path_factory.mktemp("analysis")
    shutil.copytree(demo_case.path, base / "case")
    case = Case.open(base / "case")
    case.add_note(HOSTILE_NOTE, at=EVENT.isoformat())
    n_items = len(case.items())
    case.close()
    run_dir = base / "run"
    run_dir.mkdir()
    papermill.execute_notebook(
        str(TEMPLATE), str(run_dir / "03_analysis.ipynb"), kernel_name="python3", progress_bar=False,
        parameters={"case_path": str(base / "case"), "run_dir": str(run_dir), "tz": "Europe/Amsterdam",
                    "top_n": 10})
    return nbformat.read(run_dir / "03_analysis.ipynb", as_version=4), run_dir, n_items


def sections(nb) -> dict[str, list]:
    """The code cells' outputs under each '## ' heading, by heading."""
    out: dict[str, list] = {}
    heading = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            heading = cell.source.splitlines()[0][3:]
        elif cell.cell_type == "code":
            out.setdefault(heading, []).extend(cell.get("outputs", []))
    return out


def text_of(outputs: list) -> str:
    """What the outputs say as text: streams, and the plain and HTML forms of display data."""
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        for kind in ("text/plain", "text/html", "text/markdown"):
            parts.append(output.get("data", {}).get(kind, ""))
    return "\n".join(parts)


def charts(nb) -> list[dict]:
    return [o["data"][MIMETYPE] for cell in nb.cells if cell.cell_type == "code"
            for o in cell.get("outputs", []) if MIMETYPE in o.get("data", {})]


def rows(spec: dict) -> int:
    """How many data rows a Vega-Lite spec carries, in all its datasets."""
    inline = sum(len(d) for d in spec.get("datasets", {}).values())
    return inline + len(spec.get("data", {}).get("values", []))


def test_runs_without_errors_and_writes_the_key_tables(executed):
    nb, run_dir, _ = executed
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.output_type == "error"]
    assert not errors, errors[0]
    written = {p.name for p in (run_dir / "analysis").iterdir()}
    assert written == {"bursts.csv", "coordination_edges.csv", "coordination_clusters.csv",
                       "influence.csv", "automation.csv"}
    edges = pd.read_csv(run_dir / "analysis" / "coordination_edges.csv")
    assert {"account_a", "account_b", "kind", "weight", "item_pairs"} <= set(edges.columns)
    assert edges["item_pairs"].str.startswith("[[").all()


def test_charts_are_offline_mimebundles_of_aggregates_and_render(executed):
    nb, _, n_items = executed
    found = charts(nb)
    assert len(found) >= 6  # volume, hour of week, trends, forecast, two networks
    for spec in found:
        assert 0 < rows(spec) < n_items / 3, (spec.get("title"), rows(spec))
        svg = vl_convert.vegalite_to_svg(spec)
        assert svg.startswith("<svg") and "<script" not in svg
    volume = found[0]
    labels = [row.get("label") for data in volume["datasets"].values() for row in data]
    assert HOSTILE_NOTE in labels  # the timed note is an annotation, carried as data
    assert "&lt;script&gt;" in vl_convert.vegalite_to_svg(volume)
    kinds = {k for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
             for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds  # the interactive network view
    assert "text/html" in kinds  # tables, and the map


def test_the_burst_section_names_the_explosion_night_and_its_terms(executed):
    nb, _, _ = executed
    text = text_of(sections(nb)["Bursts and what drove them"])
    assert "2024-03-08 00:00:00+01:00" in text  # the hour of the explosion, Amsterdam time
    assert "brand (" in text and "botlekfire (" in text


def test_the_coordination_section_names_the_planted_accounts(executed):
    from workbench.demo.people import COORDINATED_NAMES

    nb, _, _ = executed
    text = text_of(sections(nb)["Who acts in concert: coordination networks"])
    names = "|".join(n.lower() for n in COORDINATED_NAMES)
    line = next(line for line in text.splitlines() if line.startswith("co_similar cluster"))
    planted = set(re.findall(rf"\b(?:{names})\d{{8}}\b", line))
    assert len(planted) == 12 and "12 accounts" in line


def test_every_parameter_is_documented_in_the_first_cell():
    params = papermill.inspect_notebook(str(TEMPLATE))
    intro = nbformat.read(TEMPLATE, as_version=4).cells[0].source
    assert {"case_path", "run_dir", "since", "until", "tz", "resolution", "n_topics",
            "coordination_window", "coordination_kinds", "min_weight", "top_n"} <= set(params)
    for name, param in params.items():
        assert f"| `{name}` | {param['inferred_type_name']} |" in intro, name
        assert param["help"], name


def test_the_offline_renderer_names_a_type_jupyterlab_draws():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q").properties(title="t")
    bundle = mimebundle(chart.to_dict())
    assert set(bundle) == {MIMETYPE, "text/plain"} and bundle["text/plain"] == "<chart: t>"
    assert bundle[MIMETYPE]["$schema"].endswith("/v5.json")
    stretchy = alt.vconcat(chart.properties(width="container"), chart.properties(width=100))
    widths = [view["width"] for view in mimebundle(stretchy.to_dict())[MIMETYPE]["vconcat"]]
    assert widths == [CONTAINER_WIDTH, 100]  # "container" hangs JupyterLab's output area
    use_offline_renderer()
    try:
        shown = chart._repr_mimebundle_()
        shown = shown[0] if isinstance(shown, tuple) else shown
        assert MIMETYPE in shown
    finally:
        alt.renderers.enable("default")
