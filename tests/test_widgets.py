"""The widgets, driven from Python as the browser would drive them: set values, click buttons,
and check what changed in the case (case.yaml, tags, notes, audit) and what the widgets list."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

import workbench.widgets as ww
from tests.mastodon_server import status
from tests.widget_case import HOSTILE, build, write_export
from workbench.case import Case
from workbench.widgets import browser, collection, state
from workbench.widgets import entity_explorer as entities
from workbench.widgets import intake_form as intake
from workbench.widgets import linked_views as linked
from workbench.widgets.render import table


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The widget test case, enriched and located (read-only: copy it to change it)."""
    case = build(tmp_path_factory.mktemp("widgets") / "river")
    case.close()
    return case.path


@pytest.fixture
def river(built, tmp_path):
    """A fresh copy of the widget test case, and a clean widget memory."""
    state.forget()
    case = Case.open(shutil.copytree(built, tmp_path / "river"))
    yield case
    case.close()
    state.forget()


def audit_actions(case: Case) -> list[str]:
    return [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]


def plan_on_disk(case: Case) -> dict:
    return yaml.safe_load((case.path / "case.yaml").read_text(encoding="utf-8"))


def no_raw_markup(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "onerror=\"" not in html
    assert "&lt;script&gt;" in html


# --- state -----------------------------------------------------------------------------------

def test_state_prefers_remembered_then_given_then_default():
    state.forget()
    assert state.initial("k", "w", {"a": "", "b": "x"}, {"a": "given", "b": None}) == {"a": "given", "b": "x"}
    state.remember("k", "w", "a", "typed")
    state.remember("k", "w", "zzz", "ignored")
    assert state.initial("k", "w", {"a": "", "b": "x"}, {"a": "given"}) == {"a": "typed", "b": "x"}
    state.forget("k", "w")
    assert state.remembered("k", "w") == {}


def test_item_browser_remembers_filters_when_the_cell_is_re_run(river):
    first = ww.items(river, platform="forum")  # a papermill parameter as the starting filter
    assert first.filters["platform"].value == "forum"
    assert set(first.frame["platform"]) == {"forum"}
    first.filters["author"].value = "user0"
    again = ww.items(river, platform="forum")
    assert again.filters["author"].value == "user0"
    assert set(again.frame["author_handle"]) == {"user0"}
    other = ww.items(river.path)  # the same case by its folder shares the memory
    assert other.filters["author"].value == "user0"
    assert ww.linked(river, tiles=False).browser.filters["author"].value == ""  # its own memory


def test_entity_explorer_reselects_the_remembered_entity(river):
    ww.entities(river).choice.value = "PLACE:berlin"
    again = ww.entities(river)
    assert again.choice.value == "PLACE:berlin"
    assert len(again.browser.frame) == 16 and ww.items(river).filters["entity"].value == ""


# --- intake ----------------------------------------------------------------------------------

def test_plan_data_splits_lists_and_validate_names_fields(river):
    values = intake.form_values(river.plan)
    assert values["requirements"] == "Where did the fire start?\nWho spread the first reports?"
    data = intake.plan_data({**values, "keywords": "fire, smoke\nriver", "analyst": " "})
    assert data["keywords"] == ["fire", "smoke", "river"] and data["analyst"] is None
    base = river.plan.model_dump(mode="json")
    plan, errors = intake.validate({**values, "retention_until": "soon", "title": ""}, base)
    assert plan is None and set(errors) == {"retention_until", "title"}
    assert "YYYY-MM-DD" in errors["retention_until"]
    _, errors = intake.validate({**values, "since": "2024-05-01", "until": "2024-04-01"}, base)
    assert "since is after until" in errors["until"]
    _, errors = intake.validate({**values, "handling": "leaky"}, base)
    assert "handling" in errors


def test_intake_form_saves_valid_changes_to_case_yaml_audited(river):
    form = ww.intake(river)
    before = audit_actions(river)
    form.controls["title"].value = "River fire, phase 2"
    form.controls["hashtags"].value = "#riverfire, flussbrand"
    assert plan_on_disk(river)["title"] == "River fire, phase 2"
    assert plan_on_disk(river)["hashtags"] == ["riverfire", "flussbrand"]
    assert audit_actions(river)[len(before):] == ["plan.updated", "plan.updated"]
    assert "saved" in form.status.value

    form.controls["retention_until"].value = "next year"
    assert plan_on_disk(river)["retention_until"] == "2099-01-01"
    assert "YYYY-MM-DD" in form.errors["retention_until"].value
    assert "not saved" in form.status.value
    assert len(audit_actions(river)) == len(before) + 2
    form.controls["retention_until"].value = "2030-06-30"
    assert form.errors["retention_until"].value == ""
    assert plan_on_disk(river)["retention_until"] == "2030-06-30"


def test_intake_form_escapes_what_it_shows(tmp_path):
    state.forget()
    form = ww.intake(tmp_path / "new", title=HOSTILE)
    form.controls["retention_until"].value = HOSTILE
    html = form.errors["retention_until"].value + form.children[0].value
    assert "<script" not in html


def test_intake_form_creates_a_new_case(tmp_path):
    state.forget()
    form = ww.intake(tmp_path / "new-case", title="From the form", legal_basis="public interest",
                     requirements=["First question"])
    assert form.controls["requirements"].value == "First question"
    assert form.create() is None  # retention date missing
    assert "retention_until" in "".join(k for k, v in form.errors.items() if v.value)
    assert not (tmp_path / "new-case" / "case.yaml").exists()
    form.controls["retention_until"].value = "2030-01-01"
    form.create_button.click()
    assert form.case is not None
    on_disk = plan_on_disk(form.case)
    assert on_disk["id"] == "new-case" and on_disk["requirements"] == ["First question"]
    assert audit_actions(form.case) == ["case.created"]
    form.controls["analyst"].value = "A. Analyst"  # now an edit form: saves as it goes
    assert plan_on_disk(form.case)["analyst"] == "A. Analyst"
    form.case.close()


# --- collection ------------------------------------------------------------------------------

def test_upload_is_kept_outside_the_case_under_a_safe_name_until_imported(river):
    path = collection.save_upload("../../etc/evil name.jsonl", b'{"id": 1}\n')
    assert path.parent == collection.upload_folder() and path.read_bytes() == b'{"id": 1}\n'
    assert not path.is_relative_to(river.path)
    assert ".." not in path.name and " " not in path.name and path.name.endswith("evil_name.jsonl")


def test_collection_panel_imports_with_summary_and_escaped_quarantine(tmp_path):
    state.forget()
    case = build(tmp_path / "empty", enrich=False)
    export = write_export(tmp_path / "more.jsonl")
    rows = [json.dumps({"id": "new1", "text": "fresh", "created_at": "2024-03-09T10:00:00Z",
                        "author": "x"}), "{not json <script>alert(1)</script>"]
    export.write_text(export.read_text() + "\n".join(rows) + "\n")
    panel = ww.collect(case)
    panel.path.value = str(export)
    panel.run.click()
    assert panel.result is not None and panel.result.imported == 1
    assert "1 imported" in panel.summary.value and "40 duplicates" in panel.summary.value
    assert "Quarantined" in panel.quarantined.value and "<script" not in panel.quarantined.value
    assert "&lt;script&gt;" in panel.quarantined.value

    panel.path.value = str(tmp_path / "missing.jsonl")
    panel.run.click()
    assert "no such file" in panel.summary.value and "wb-error" in panel.summary.value

    content = json.dumps({"id": "up1", "text": "uploaded", "created_at": "2024-03-09T11:00:00Z",
                          "author": "y"}).encode()
    panel.upload.value = ({"name": "upload.jsonl", "type": "", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime(2024, 3, 9, tzinfo=UTC)},)
    uploaded = Path(panel.path.value)
    assert uploaded.parent == collection.upload_folder()
    panel.run.click()
    assert panel.result.imported == 1 and len(case.items(text="uploaded")) == 1
    assert not uploaded.exists()  # imported: the payload is in raw/, hashed; the upload is gone
    case.close()


def test_live_panel_collects_from_a_replayed_instance_and_resumes(tmp_path, instance):
    state.forget()
    case = build(tmp_path / "empty", enrich=False)
    panel = ww.live(case, source="mastodon", where=instance.url)
    assert list(panel.what.options) == ["(the plan's terms)", "hashtag", "account", "timeline", "search"]
    panel.what.value, panel.value.value, panel.limit.value = "hashtag", "flood", 7
    panel.run.click()
    [first] = panel.results
    assert (first.imported, first.stopped) == (12, "the limit of 7 statuses was reached")
    assert "12 imported" in panel.summary.value and "limit of 7" in panel.summary.value
    instance.add([status(13)])
    panel.limit.value = 0
    panel.run.click()  # from the cursor: only the new post, nothing twice
    assert (panel.results[0].imported, panel.results[0].duplicates) == (1, 0)
    assert len(case.items(platform="mastodon")) == 13 and case.verify().ok

    again = ww.live(case, source="mastodon", where=instance.url)  # the cell re-run keeps
    assert (again.what.value, again.value.value, again.limit.value) == ("hashtag", "flood", 0)
    again.source.value = "reddit"  # its own queries; a source with no place greys out Where
    assert "subreddit" in again.what.options and again.where.disabled and again.where.value == ""
    again.source.value = "mastodon"
    again.where.value = ""
    again.run.click()
    assert "wb-error" in again.summary.value and "--instance" in again.summary.value
    case.close()


# --- the item browser ------------------------------------------------------------------------

def test_find_items_filters(river):
    f = browser.Filters
    assert len(browser.find_items(river, f())) == 40
    assert set(browser.find_items(river, f(platform="forum"))["platform"]) == {"forum"}
    assert set(browser.find_items(river, f(language="de"))["language"]) == {"de"}
    assert (browser.find_items(river, f(sentiment="positive"))["sentiment"] >= 0.05).all()
    leeds = browser.find_items(river, f(place="leed"))
    assert len(leeds) > 0 and leeds["text"].str.contains("Leeds").all()
    assert browser.find_items(river, f(text="manchester"))["text"].str.contains("Manchester").all()
    berlin = browser.find_items(river, f(entity="PLACE:berlin"))
    assert len(berlin) > 0 and berlin["text"].str.contains("Berlin").all()
    window = browser.find_items(river, f(since="2024-03-02", until="2024-03-02"))
    assert len(window) == 10 and (window["created_at"].dt.day == 2).all()


def test_page_of_clamps():
    frame = pd.DataFrame({"uid": [str(i) for i in range(45)]})
    rows, page, pages = browser.page_of(frame, 7, 20)
    assert (page, pages, len(rows)) == (2, 3, 5)
    assert browser.page_of(frame.iloc[:0], 3)[1:] == (0, 1)


def test_item_html_escapes_hostile_text_and_links():
    html = browser.item_html({"created_at": pd.Timestamp("2024-03-01T10:00Z"), "platform": "x",
                              "author_handle": HOSTILE, "text": HOSTILE,
                              "url": 'javascript:alert(1)'}, tags=[HOSTILE])
    no_raw_markup(html)
    assert "href" not in html
    html = browser.item_html({"created_at": None, "text": "a", "url": 'https://e.org/"><b>'})
    assert 'href="https://e.org/&quot;&gt;&lt;b&gt;"' in html


def test_item_html_keeps_bidi_overrides_inside_an_isolate():
    for text in ("abc \u202eevil.exe\u202c tail", "open \u202egnp.exe"):
        html = browser.item_html({"created_at": None, "platform": "x\u202ey", "author_handle": "ev\u202eil",
                                  "text": text}, tags=["t\u202eag"])
        spans = re.findall(r"<bdi>(.*?)</bdi>", html)
        assert len(spans) == 4 and all(s.count("\u202e") == s.count("\u202c") == 1 for s in spans)
        assert "\u202e" not in re.sub(r"<bdi>.*?</bdi>", "", html)
    cells = re.findall(r"<td>(.*?)</td>", table(pd.DataFrame({"text": ["open \u202egnp.exe"], "n": [1]})))
    assert cells == ["<bdi>open \u202egnp.exe\u202c</bdi>", "<bdi>1</bdi>"]


def test_item_browser_filters_pages_and_escapes(river):
    items = ww.items(river)
    assert "40 items match" in items.count.value
    assert len(items.rows.children) == 20 and items.page_label.value == "page 1 of 2"
    items.next.click()
    assert items.page_label.value == "page 2 of 2" and items.next.disabled
    items.filters["text"].value = "script"
    assert "1 items match" in items.count.value
    shown = items.rows.children[0].children[1].value
    no_raw_markup(shown)
    items.filters["text"].value = "NOT valid ((("  # not FTS syntax: searched as typed
    assert "0 items match" in items.count.value
    items.filters["since"].value = "someday"
    assert "wb-error" in items.count.value and "since" in items.count.value


def test_item_browser_tags_and_notes_audited(river):
    items = ww.items(river, place="Leeds")
    uids = items.shown_uids()[:2]
    items.select(uids)
    items.requirement.value = 1
    items.note.value = "places the fire in Leeds"
    items.tag_button.click()
    tagged = river.tags("evidence")
    assert sorted(tagged["uid"]) == sorted(uids) and set(tagged["requirement"]) == {1}
    assert set(tagged["note"]) == {"places the fire in Leeds"}
    assert "[<bdi>evidence</bdi>]" in items.rows.children[0].children[1].value
    items.note.value = "first report?"
    items.note_button.click()
    notes = river.notes()
    assert sorted(notes["uid"]) == sorted(uids) and set(notes["text"]) == {"first report?"}
    assert items.note.value == ""
    items.select([])
    items.note.value = "a note on the case"
    items.note_button.click()
    assert river.notes()["uid"].isna().sum() == 1
    items.select(uids[:1])
    items.untag_button.click()
    assert list(river.tags("evidence")["uid"]) == [uids[1]]
    assert audit_actions(river)[-5:] == ["items.tagged", "note.added", "note.added", "note.added",
                                         "items.untagged"]
    items.select([])
    items.tag_button.click()
    assert "tick the items" in items.status.value


def test_item_browser_reports_bad_tags(river):
    items = ww.items(river)
    items.select(items.shown_uids()[:1])
    items.tag_name.value = "<b>bad</b>"
    items.tag_button.click()
    assert "wb-error" in items.status.value and "<b>bad" not in items.status.value
    assert river.tags().empty


def test_unknown_filter_is_a_clear_error(river):
    with pytest.raises(Exception, match="unknown filter"):
        ww.items(river, colour="red")


# --- entities ----------------------------------------------------------------------------------

def test_entity_counts(river):
    counts = entities.entity_counts(river)
    top = counts.iloc[0]
    assert (top["label"], top["key"], top["items"]) in {("HASHTAG", "riverfire", 17), ("PLACE", "leeds", 17)}
    places = entities.entity_counts(river, label="place")
    assert set(places["label"]) == {"PLACE"} and "berlin" in set(places["key"])
    assert places.loc[places["key"] == "berlin", "text"].item() == "Berlin"


def test_entity_counts_list_link_shorteners_last(tmp_path):
    # Tweets exported as plain text: their t.co links' expansions are unknown, so t.co is their
    # DOMAIN, but it says nothing of where the links lead and must not head the list.
    from workbench.enrich.job import enrich

    case = Case.create(tmp_path / "c", title="links", legal_basis="research",
                       retention_until="2030-01-01", spacy_models={})
    lines = [f"{n},Look https://t.co/link{n}x,2017-01-0{n}T10:00:00Z" for n in range(1, 5)]
    lines.append("5,Read https://www.bbc.co.uk/news/1,2017-01-05T10:00:00Z")
    export = tmp_path / "tweets.csv"
    export.write_text("id,text,created_at\n" + "\n".join(lines) + "\n", encoding="utf-8")
    case.import_file(export, progress=False)
    enrich(case, progress=False)
    counts = entities.entity_counts(case, label="DOMAIN")
    assert counts[["key", "items"]].values.tolist() == [["bbc.co.uk", 1], ["t.co", 4]]
    assert entities.entity_counts(case, label="DOMAIN", top=1)["key"].tolist() == ["bbc.co.uk"]


def test_choosing_an_entity_filters_the_items(river):
    explorer = ww.entities(river, label="HASHTAG")
    assert explorer.browser in explorer.children
    assert all("(HASHTAG)" in label for label, _ in explorer.choice.options)
    explorer.choice.value = "HASHTAG:flussbrand"
    assert explorer.browser.filters["entity"].value == "HASHTAG:flussbrand"
    assert len(explorer.browser.frame) == 8
    assert explorer.browser.frame["text"].str.contains("#flussbrand").all()
    explorer.clear.click()
    assert len(explorer.browser.frame) == 40


# --- linked views ------------------------------------------------------------------------------

def test_window_from_selection():
    assert linked.window_from_selection({}) is None
    start, end = linked.window_from_selection({"time": [1709337600000, 1709251200000]})
    assert start == pd.Timestamp("2024-03-01", tz="UTC") and end == pd.Timestamp("2024-03-02", tz="UTC")


def test_a_multi_year_timeline_is_binned_coarsely_and_its_axis_carries_the_year():
    times = pd.to_datetime(["2012-05-01T10:00Z", "2014-01-01T00:00Z", "2017-12-31T23:00Z"], utc=True)
    counts, freq = linked.time_counts(pd.DataFrame({"created_at": times, "platform": ["x"] * 3}))
    assert freq == "1MS" and len(counts) <= linked.TIMELINE_BINS
    axis = linked.timeline_chart(counts, freq).to_dict()["encoding"]["x"]["axis"]
    assert "%Y" in axis["format"]


def test_timeline_selection_filters_the_map_and_the_items(river):
    views = ww.linked(river, tiles=False)
    assert views.freq == "1h" and len(views.browser.frame) == 40  # the finest with <= 120 bars
    assert views.last_map.workbench_stats.mapped == len(views.located()) > 0
    assert "iframe" in views.map.outputs[0]["data"]["text/html"]
    day2 = [pd.Timestamp("2024-03-02", tz="UTC").value // 10**6,
            pd.Timestamp("2024-03-02T23:59:59", tz="UTC").value // 10**6]
    # As the browser reports a brushed window to the kernel.
    views.chart._vl_selections = {"brush": {"value": {"time": day2}, "store": []}}
    assert views.browser.filters["since"].value.startswith("2024-03-02T00:00:00")
    assert len(views.browser.frame) == 10
    assert (views.browser.frame["created_at"].dt.day == 2).all()
    assert set(views.located()["uid"]) <= set(views.browser.frame["uid"])
    assert views.last_map.workbench_stats.mapped == len(views.located()) < 40
    views.select(None)
    assert len(views.browser.frame) == 40


def test_table_escapes():
    html = table(pd.DataFrame({"reason": [HOSTILE], "n": [None]}))
    no_raw_markup(html)


def test_entries_return_widgets_without_displaying(river, capsys):
    import ipywidgets

    made = [ww.intake(river), ww.collect(river), ww.items(river), ww.entities(river),
            ww.linked(river, tiles=False)]
    assert all(isinstance(widget, ipywidgets.DOMWidget) for widget in made)
    assert capsys.readouterr().out == ""
