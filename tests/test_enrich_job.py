"""Enrichment runs over a real case: what they store, incremental re-runs, processes and Dask."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.case import Case
from workbench.enrich.batch import BY_AUTHOR
from workbench.enrich.job import enrich
from workbench.enrich.language import DEFAULT_LANGUAGES
from workbench.enrich.pipeline import MissingModelWarning
from workbench.enrich.watch import WatchTerm

DATA = Path(__file__).parent / "data" / "enrich"


def _case(tmp_path: Path, name: str = "c", **plan) -> Case:
    plan = {"keywords": ["Botlek"], "hashtags": ["botlekbrand"], "countries": ["NL"],
            "languages": ["en", "nl", "de", "fr"], **plan}
    case = Case.create(tmp_path / name, title="Botlek fire", legal_basis="public interest research",
                       retention_until="2030-01-01", **plan)
    case.import_file(DATA / "items.jsonl", progress=False)
    case.add_watch_terms([WatchTerm(term="burn it down", kind="phrase", category="threat", weight=5),
                          WatchTerm(term="leak their addresses", kind="phrase", category="doxxing",
                                    weight=6)])
    return case


def _no_model(case: Case) -> None:
    case.update_plan(spacy_models={})


def test_enrich_fills_language_sentiment_watch_and_entities(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    result = enrich(case, progress=False)
    assert result.enriched == 12 and result.unchanged == 0
    df = case.items().set_index("id")
    # The platform's language is kept; the rest is detected, too-short text is "und".
    assert df.loc["1", "language"] == "en" and df.loc["1", "language_method"] == "platform"
    assert df.loc["2", "language"] == "nl" and df.loc["2", "language_method"].startswith("lingua")
    assert df.loc["11", "language"] == "und"
    # VADER scores English only; other languages are not scored, never neutral.
    assert df.loc["9", "sentiment"] > 0.5
    assert pd.isna(df.loc["2", "sentiment"])
    assert df.loc["2", "sentiment_method"] == "not scored: language nl"
    # The watch list's weighted terms make the risk, which explains itself; the plan's keywords
    # and hashtags are hits that say an item is on topic, with no weight.
    assert df.loc["8", "risk"] == pytest.approx(100 * (1 - 0.5 * 0.4))
    assert df.loc["8", "risk_reasons"][0].startswith("doxxing: 'leak their addresses'")
    assert [h["term"] for h in df.loc["2", "watch_hits"]] == ["botlekbrand"]
    assert df.loc["2", "risk"] == 0 and df.loc["9", "risk"] == 0
    entities = case.entities()
    found = {(row.uid, row.label, row.norm) for row in entities.itertuples()}
    assert ("generic:3", "PHONE", "+31104468899") in found
    assert ("generic:3", "EMAIL", "info@rijnmond-safety.nl") in found
    assert ("generic:4", "BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") in found
    assert ("generic:4", "ETH", "0x52908400098527886E0F7030069857D2E4169EE7") in found
    assert ("generic:5", "COORD", "51.889300,4.298700") in found
    assert ("generic:10", "IP", "192.0.2.44") in found
    assert ("generic:10", "HANDLE", "@safety@rdam.social") in found
    assert ("generic:1", "DOMAIN", "rijnmond.nl") in found
    assert not entities[entities.uid == "generic:12"].label.isin(["IP", "HASHTAG", "COORD"]).any()
    # The platform's own entities are used, with offsets into the text.
    platform = entities[entities.method == "platform"]
    assert set(platform[platform.uid == "generic:1"].label) >= {"HASHTAG", "HANDLE", "URL"}
    tag = platform[(platform.uid == "generic:1") & (platform.label == "HASHTAG")].iloc[0]
    text = df.loc["1", "text"]
    assert text[tag.start:tag.end] == "#botlekbrand"
    # Places by gazetteer, without a trained model.
    places = set(entities[entities.label == "PLACE"].text)
    assert {"Rotterdam", "Dordrecht"} <= places
    # Every entity's offsets point at its text.
    for row in entities.dropna(subset=["start"]).itertuples():
        assert df.loc[row.uid.split(":")[1], "text"][row.start:row.end] == row.text


def test_queries_by_entity_language_sentiment_and_risk(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    enrich(case, progress=False)
    assert set(case.items(language="nl").id) == {"2"}
    assert "9" in set(case.items(sentiment="positive").id)
    assert "2" in set(case.items(sentiment="unscored").id)
    assert set(case.items(min_risk=1).id) == {"8"}
    assert set(case.items(entity="#BotlekBrand").id) == {"1", "2"}
    assert set(case.items(entity="HANDLE:@VRRotterdam").id) == {"1"}
    assert set(case.items(entity="+31 10 446 8899").id) == {"3"}
    with pytest.raises(workbench.WorkbenchError, match="unknown sentiment"):
        case.items(sentiment="happy")


def test_rerun_touches_only_new_and_changed_items(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    enrich(case, progress=False)
    before = case.entities()
    again = enrich(case, progress=False)
    assert (again.enriched, again.rewatched, again.unchanged) == (0, 0, 12)
    pd.testing.assert_frame_equal(case.entities(), before)
    # A new item is enriched alone.
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps({"id": "13", "created_at": "2024-03-09T10:00:00Z",
                                 "author": "z", "text": "Smoke still over Schiedam #botlekbrand",
                                 "lang": "en"}) + "\n", encoding="utf-8")
    case.import_file(extra, progress=False)
    third = enrich(case, progress=False)
    assert (third.enriched, third.unchanged) == (1, 12)
    # A changed watch list re-checks the watch hits only; entities are left as they were.
    case.add_watch_terms([WatchTerm(term="chemicals", kind="term", category="threat", weight=4)])
    fourth = enrich(case, progress=False)
    assert (fourth.enriched, fourth.rewatched) == (0, 13)
    assert "chemicals" in [h["term"] for h in case.items(entity=None).set_index("id")
                           .loc["8", "watch_hits"]]
    assert len(case.entities()) == len(before) + len(case.entities(uid="generic:13"))
    # Changed settings (another language set) enrich everything again, without duplicates.
    case.update_plan(languages=["en", "nl"])
    fifth = enrich(case, progress=False)
    assert fifth.enriched == 13
    assert not case.entities().duplicated(["uid", "label", "start", "end", "method"]).any()
    audit = case.db.execute("SELECT action FROM audit WHERE action LIKE 'enrich.%'").fetchall()
    assert ("enrich.batch",) in audit and ("enrich.finished",) in audit
    assert case.verify().ok


def test_a_run_that_finds_items_enriched_since_it_chose_them_does_not_double_them(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    enrich(case, progress=False)
    (entities,) = case.db.execute("SELECT count(*) FROM entities").fetchone()
    assert entities > 0
    # As when a second run chose these items before the first had written them: the items look
    # new to it, but their entities are stored already.
    case.db.execute("DELETE FROM enrichment")
    assert enrich(case, progress=False).enriched == 12
    assert case.db.execute("SELECT count(*) FROM entities").fetchone() == (entities,)


def test_missing_model_is_said_once_and_selectors_still_run(tmp_path):
    case = _case(tmp_path, spacy_models={"en": "en_core_web_notinstalled"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = enrich(case, progress=False)
    said = [w for w in caught if issubclass(w.category, MissingModelWarning)]
    assert len(said) == 1
    assert "python -m spacy download en_core_web_notinstalled" in str(said[0].message)
    assert result.missing_models == ["en_core_web_notinstalled"]
    labels = set(case.entities().label)
    assert {"PHONE", "EMAIL", "PLACE"} <= labels


def test_trained_pipeline_adds_named_entities(tmp_path, tiny_ner):
    case = _case(tmp_path, spacy_models={"en": str(tiny_ner)})
    enrich(case, progress=False)
    model = case.entities()
    model = model[model.method == "model"]
    assert len(model) > 0
    assert model.model.str.contains("tiny").all()


def test_two_processes_and_dask_give_the_same_results(tmp_path):
    one = _case(tmp_path, "one")
    _no_model(one)
    enrich(one, progress=False)
    two = _case(tmp_path, "two")
    _no_model(two)
    enrich(two, n_process=2, batch_size=4, progress=False)
    dask = _case(tmp_path, "dask")
    _no_model(dask)
    result = enrich(dask, scheduler="local", n_process=2, batch_size=4, progress=False)
    assert result.enriched == 12

    def view(case):
        columns = ["uid", "label", "norm", "start", "end", "method"]
        return case.entities()[columns].sort_values(columns).reset_index(drop=True)

    pd.testing.assert_frame_equal(view(one), view(two))
    pd.testing.assert_frame_equal(view(one), view(dask))
    columns = ["uid", "language", "sentiment", "risk"]
    pd.testing.assert_frame_equal(one.items()[columns], dask.items()[columns])


def test_purge_removes_what_was_derived(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    enrich(case, progress=False)
    case.purge(items=["generic:3"])
    assert case.entities(uid="generic:3").empty
    assert case.db.execute("SELECT count(*) FROM enrichment WHERE uid = 'generic:3'").fetchone() \
        == (0,)
    assert case.verify().ok


def test_callable_package_and_exports(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    result = workbench.enrich(case.path, progress=False)
    assert result.enriched == 12
    from workbench.export import export

    assert export(case, "entities", "csv", tmp_path / "entities.csv") == len(case.entities())
    exported = pd.read_csv(tmp_path / "entities.csv")
    assert {"uid", "label", "text", "norm", "start", "end", "method"} <= set(exported.columns)
    export(case, "items", "jsonl", tmp_path / "items.jsonl")
    first = json.loads((tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert {"language", "sentiment", "risk", "risk_reasons"} <= set(first)


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True,
                          text=True, timeout=300, **kw)


def test_cli_enrich_terms_entities_and_item_filters(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    watch = tmp_path / "watch.csv"
    watch.write_text("term,kind,category,weight\nchemicals,term,threat,4\n", encoding="utf-8")
    done = _cli("terms", str(case.path), "--add", str(watch))
    assert done.returncode == 0, done.stderr
    assert "chemicals" in done.stdout and "botlekbrand" in done.stdout
    done = _cli("enrich", str(case.path), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "12 items enriched" in done.stdout
    done = _cli("entities", str(case.path), "--label", "HASHTAG", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "#botlekbrand" in done.stdout
    done = _cli("items", str(case.path), "--language", "nl", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["2"]
    done = _cli("items", str(case.path), "--min-risk", "1", "--entity", "#botlekbrand",
                "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert list(pd.read_csv(io.StringIO(done.stdout)).id) == []
    done = _cli("items", str(case.path), "--min-risk", "30", "--format", "csv")
    assert list(pd.read_csv(io.StringIO(done.stdout)).id) == [8]


def test_interrupted_run_resumes_without_duplicates(tmp_path):
    case = _case(tmp_path)
    _no_model(case)
    rows = "".join(json.dumps({"id": f"n{i}", "created_at": "2024-03-09T10:00:00Z",
                               "author": f"a{i % 50}", "lang": "en",
                               "text": f"Post {i}: smoke over Schiedam, call +31 10 446 88{i % 100:02d}"
                                       " #botlekbrand"}) + "\n" for i in range(6000))
    (tmp_path / "many.jsonl").write_text(rows, encoding="utf-8")
    case.import_file(tmp_path / "many.jsonl", progress=False)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen([sys.executable, "-m", "workbench.cli", "enrich", str(case.path),
                            "--no-progress"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = case.db.execute("SELECT count(*) FROM enrichment").fetchone()[0]
        if done >= 500 or run.poll() is not None:
            break
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
    run.wait(timeout=60)
    partial = case.db.execute("SELECT count(*) FROM enrichment").fetchone()[0]
    status = case.db.execute("SELECT status FROM runs WHERE kind = 'enrich'").fetchone()[0]
    assert 0 < partial < 6012 and status == "interrupted", (partial, status, run.stderr.read())
    result = enrich(case, progress=False)
    assert result.enriched == 6012 - partial and result.unchanged == partial
    assert case.db.execute("SELECT count(*) FROM enrichment").fetchone()[0] == 6012
    assert not case.entities().duplicated(["uid", "label", "start", "end", "method"]).any()


def _posts(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "created_at": "2016-10-01T12:00:00Z", "author": a,
                                        "text": t}) + "\n" for i, a, t in rows), encoding="utf-8")
    return path


def test_short_posts_go_by_their_authors_other_posts_now_and_in_later_runs(tmp_path):
    # Real tweets from ira-dev (CC BY 4.0, FiveThirtyEight; Linvill & Warren): the text alone
    # calls "Made in France" French and "Islam?" Indonesian; their account writes English.
    english = ["Donald Trump Tops GOP Poll as Des Moines Register Says He Should Drop Out",
               "Protesters gather outside circus in Farmington https://t.co/CDaYb3Yfj8",
               "There's just no way we can trust them! #AntiPoliceBrutalityDay",
               "Bikers Rumble Into DC for 30th Year for Memorial Day https://t.co/aFnyRmCmcB"]
    case = Case.create(tmp_path / "c", title="IRA", legal_basis="research", retention_until="2030-01-01",
                       languages=list(DEFAULT_LANGUAGES))
    _no_model(case)
    rows = [(str(i), "ten_gop", text) for i, text in enumerate(english)]
    rows += [("m", "ten_gop", "Made in France  #RejectedStatueOfLibertySigns"),
             ("f", "someone_else", "Made in France  #RejectedStatueOfLibertySigns")]
    case.import_file(_posts(tmp_path / "a.jsonl", rows), progress=False)
    enrich(case, progress=False)
    df = case.items().set_index("id")
    assert df.loc["m", "language"] == "en" and df.loc["m", "language_method"].endswith(BY_AUTHOR)
    assert df.loc["m", "sentiment_method"].startswith("vader")  # English now, so scored
    assert df.loc["f", "language"] == "fr" and not df.loc["f", "language_method"].endswith(BY_AUTHOR)
    assert df.loc["0", "language"] == "en"
    assert df.loc["0", "language_method"] == df.loc["f", "language_method"]
    # A later post is enriched alone: its author's earlier posts, as stored, are the prior.
    case.import_file(_posts(tmp_path / "b.jsonl", [("i", "TEN_GOP", "Islam? https://t.co/gW5QqcEgWM")]),
                     progress=False)
    assert enrich(case, progress=False).enriched == 1
    later = case.items().set_index("id").loc["i"]
    assert later["language"] == "en" and later["language_method"].endswith(BY_AUTHOR)
