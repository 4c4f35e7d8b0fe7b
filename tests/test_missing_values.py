"""Every output renders records with missing fields: no traceback, no "nan" shown for a value that
is not there. A CSV export with no author, URL or language is what a real case meets first; under
pandas 3 a missing string is NaN (truthy), which once crashed `workbench items`."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

import workbench.widgets as ww
from workbench.case import Case
from workbench.report.render import render_report
from workbench.widgets import browser

#: "nan", "NaN", "<NA>" or "None" standing alone where a value is shown.
SHOWN_MISSING = re.compile(r"(?<![\w-])(nan|NaN|<NA>|None|NaT)(?![\w-])")
CSV = """id,created_at,text,author,url,lang
a1,2024-03-01T10:00:00Z,smoke over the river #fire,,,
a2,2024-03-01T11:00:00Z,,,,
a3,2024-03-01T12:00:00Z,plain words,carol,,
a4,2024-03-02T09:30:00Z,evacuation now,,https://example.org/a4,en
"""


def wb(*args):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Case:
    folder = tmp_path_factory.mktemp("sparse")
    data = folder / "export.csv"
    data.write_text(CSV, encoding="utf-8")
    case = Case.create(folder / "case", title="Sparse", legal_basis="public interest research",
                       retention_until="2099-01-01", requirements=["Who posted first?"])
    result = case.import_file(data, column_map={"author_handle": "author"}, progress=False)
    assert result.imported == 4
    yield case
    case.close()


def test_the_items_frame_holds_none_for_a_missing_string(sparse):
    items = sparse.items()
    assert items["author_handle"].tolist().count(None) == 3
    assert all(value is None or isinstance(value, str) for value in items["url"])


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl"])
def test_the_items_command_renders_missing_values(sparse, fmt):
    done = wb("items", sparse.path, "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if fmt == "table":
        assert "4 items" in done.stdout and "carol" in done.stdout
        assert not SHOWN_MISSING.search(done.stdout), done.stdout
    if fmt == "jsonl":
        rows = [line for line in done.stdout.splitlines() if line]
        assert len(rows) == 4 and '"author_handle":null' in rows[0]
        assert "NaN" not in done.stdout


def test_entities_and_filters_render_missing_values(sparse):
    assert wb("enrich", sparse.path, "--no-ner").returncode == 0
    for args in (("entities", sparse.path), ("items", sparse.path, "--sentiment", "unscored"),
                 ("items", sparse.path, "--text", "river")):
        done = wb(*args)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert not SHOWN_MISSING.search(done.stdout), done.stdout


def test_the_item_browser_shows_no_nan_author(sparse):
    for _, row in sparse.items().iterrows():
        html = browser.item_html(row)
        assert "@nan" not in html and not SHOWN_MISSING.search(html), html
    items = ww.items(sparse)
    assert "4 items match" in items.count.value
    shown = " ".join(row.children[1].value for row in items.rows.children)
    assert "@carol" in shown and "@nan" not in shown and not SHOWN_MISSING.search(shown)


def test_item_html_of_a_pandas_3_frame_with_nan_strings():
    frame = pd.DataFrame({"created_at": [pd.Timestamp("2024-03-01T10:00Z")], "platform": ["x"],
                          "author_handle": [float("nan")], "author_id": [float("nan")],
                          "text": [float("nan")], "url": [float("nan")]})
    html = browser.item_html(frame.iloc[0])
    assert "@?" in html and not SHOWN_MISSING.search(html), html


def test_the_report_renders_missing_values(sparse):
    sparse.tag(["generic:a2", "generic:a3"], requirement=1, note="no author, no text")
    result = render_report(sparse, "sparse")
    html = result.html.read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]
    visible = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S)
    assert not SHOWN_MISSING.search(visible), SHOWN_MISSING.search(visible)
    assert "plain words" in visible


def test_the_entity_and_linked_views_render_missing_values(sparse):
    if not sparse.db["entities"].count:
        assert wb("enrich", sparse.path, "--no-ner").returncode == 0
    explorer = ww.entities(sparse)
    labels = [str(label) for label, _ in explorer.choice.options]
    assert labels and not any(SHOWN_MISSING.search(label) for label in labels), labels
    linked = ww.linked(sparse, tiles=False)
    assert len(linked.located()) == 0 and "no time window" in linked.window_label.value
    shown = " ".join(row.children[1].value for row in linked.browser.rows.children)
    assert "plain words" in shown and not SHOWN_MISSING.search(shown)
