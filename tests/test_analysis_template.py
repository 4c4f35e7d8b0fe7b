"""The analysis template (templates/03_analysis.ipynb) run by papermill on a copy of the demo case."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
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


@pytest.fixture(scope="module")
def years_case(tmp_path_factory) -> Path:
    """Three years (2015-2017) of tweets, a burst in November 2016, 30 items dated 2999 and one
    dated before Twitter existed."""
    import json

    import numpy as np

    base = tmp_path_factory.mktemp("years")
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2015-01-01T00:00Z")
    words = ["weather", "coffee", "traffic", "market", "music", "football"]
    when = [start + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, 3 * 365 * 86400, 3000)]
    text = [f"talking about {words[i % 6]} and {words[(i * 5) % 6]} today" for i in range(3000)]
    when += [pd.Timestamp("2016-11-07T00:00Z") + pd.Timedelta(seconds=int(s))
             for s in rng.integers(0, 7 * 86400, 300)]
    text += [f"ballot recount now #Recount {i}" for i in range(300)]
    # Python's datetime, not pandas': pandas 2.2 adds a Timedelta in nanoseconds, which end in 2262.
    when += [datetime(2999, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(30)]
    text += ["a post from the far future"] * 30
    when.append(pd.Timestamp("2001-01-01T00:00Z"))
    text.append("a post from before twitter")
    path = base / "posts.jsonl"
    path.write_text("\n".join(json.dumps({
        "id": f"t{i}", "created_at": t.isoformat(), "text": x, "author": f"user{i % 40}",
        "platform": "twitter"}) for i, (t, x) in enumerate(zip(when, text, strict=True))) + "\n")
    with Case.create(base / "case", title="Years", legal_basis="public interest research",
                     retention_until="2099-01-01") as case:
        case.import_file(path, progress=False)
    return base / "case"


@pytest.fixture(scope="module", params=[{}, {"resolution": "1M", "trend_resolution": "1D"}],
                ids=["auto", "months"])
def years_run(request, years_case, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("years-run")
    papermill.execute_notebook(
        str(TEMPLATE), str(run_dir / "03_analysis.ipynb"), kernel_name="python3", progress_bar=False,
        parameters={"case_path": str(years_case), "run_dir": str(run_dir), "interactive": False,
                    **request.param})
    return nbformat.read(run_dir / "03_analysis.ipynb", as_version=4), run_dir, request.param


def test_a_multi_year_case_gets_bins_from_its_span_and_charts_that_fit(years_run):
    nb, run_dir, asked = years_run
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.output_type == "error"]
    assert not errors, errors[0]
    intro = text_of(sections(nb)[""])
    expected = "per month (`1MS`, as asked)" if asked else "per week (`1W`, chosen from the span)"
    assert expected in intro and "2015-01-01" in intro and "2017-12-3" in intro
    found = charts(nb)
    assert len(found) >= 4
    for spec in found:  # (the interaction network is empty: these posts name nobody)
        assert rows(spec) <= 5000, (spec.get("title"), rows(spec))
        assert vl_convert.vegalite_to_svg(spec).startswith("<svg")
    volume, trend = found[0], found[2]
    assert rows(volume) > 30 and rows(trend) > 30
    assert volume["encoding"]["x"]["axis"]["format"] == "%b %Y"  # the year on every tick
    assert trend["spec"]["encoding"]["x"]["axis"]["format"] == "%b %Y"
    times = [row["time"] for data in volume["datasets"].values() for row in data if "count" in row]
    assert max(times) < "2018"  # the items dated 2999 are not binned
    if asked:
        assert "drawn per" in trend["title"]["subtitle"]  # 1D is too fine for the trend chart
    bursts = pd.read_csv(run_dir / "analysis" / "bursts.csv")
    assert (pd.to_datetime(bursts["start"], utc=True) <= pd.Timestamp("2016-11-13T23:59Z")).any()


def test_implausible_dates_are_listed_left_out_and_kept(years_run, years_case):
    nb, run_dir, _ = years_run
    intro = text_of(sections(nb)[""])
    assert "31 items have an implausible date and are left out of the time bins" in intro
    assert "30 dated after collection" in intro and "1 dated before twitter existed (2006-03-21)" in intro
    flagged = pd.read_csv(run_dir / "analysis" / "implausible_dates.csv")
    assert len(flagged) == 31 and set(flagged["reason"]) == {
        "after collection", "before twitter existed (2006-03-21)"}
    with Case.open(years_case) as case:
        assert len(case.items()) == 3331  # never dropped from the case
