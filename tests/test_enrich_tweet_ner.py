"""The shipped tweet NER: loads from the package offline, is the default English pipeline, and
scores on the corpora's development sets what its build recorded."""

from __future__ import annotations

import importlib.util
import json
import socket
import warnings
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from workbench.case import Case  # noqa: E402
from workbench.enrich import tweet_ner  # noqa: E402
from workbench.enrich.evaluate import bio_spans, micro_f1, read_conll, score_conll  # noqa: E402
from workbench.enrich.pipeline import MissingModelWarning, Pipelines, extract, model_name  # noqa: E402
from workbench.enrich.settings import MODEL_ENV, Settings, model_version  # noqa: E402

NER_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ner"
TWEET = "Just watched Taylor Swift on the Google livestream, thanks @jan_visser! #blessed"
SM_INSTALLED = importlib.util.find_spec("en_core_web_sm") is not None


@pytest.fixture(autouse=True)
def _no_model_override(monkeypatch):
    monkeypatch.delenv(MODEL_ENV, raising=False)


@pytest.fixture(scope="module")
def shipped():
    return spacy.load(tweet_ner.PATH)


def test_shipped_model_loads_offline_from_the_package(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert tweet_ner.PATH.is_relative_to(Path(tweet_ner.__file__).parent)
    nlp = spacy.load(tweet_ner.PATH)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == set(tweet_ner.LABELS)
    doc = nlp(TWEET)
    # Saved with the workbench's social tokenizer: handles and hashtags stay whole.
    assert {"@jan_visser", "#blessed"} <= {t.text for t in doc}
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Taylor Swift", "PERSON") in ents and ("Google", "ORG") in ents


def test_shipped_model_is_small_and_says_where_it_comes_from():
    size = sum(p.stat().st_size for p in tweet_ner.PATH.rglob("*") if p.is_file())
    assert size < 25_000_000
    meta = json.loads((tweet_ner.PATH / "meta.json").read_text(encoding="utf-8"))
    assert (meta["lang"], meta["name"]) == ("en", tweet_ner.NAME)
    sources = {source["name"] for source in meta["sources"]}
    assert {"WNUT-17 Emerging and Rare Entities", "Broad Twitter Corpus"} <= sources
    card = (tweet_ner.PATH / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in card and "Derczynski" in card


@pytest.mark.skipif(SM_INSTALLED, reason="en_core_web_sm is installed: the plan's default is that")
def test_the_plans_default_is_the_shipped_model_without_a_warning():
    settings = Settings.make(models={"en": "en_core_web_sm"})
    assert settings.model_map == {"en": tweet_ner.NAME}
    assert Settings.make().model_map == {"en": tweet_ner.NAME}
    assert model_version(tweet_ner.NAME).startswith(f"{tweet_ner.NAME} 1.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingModelWarning)
        nlp = Pipelines({"en": "en_core_web_sm"}, min_population=100000).for_language("en")
    assert model_name(nlp).startswith("en_tweet_ner ")
    # Only English: other languages get selectors and places, no named entities.
    assert "ner" not in Pipelines({"en": "en_core_web_sm"}).for_language("nl").pipe_names


def test_a_chosen_pipeline_wins(monkeypatch, tiny_ner):
    assert Settings.make(models={"en": str(tiny_ner)}).model_map == {"en": str(tiny_ner)}
    assert Settings.make(models={}).model_map == {}  # no named entities, as asked
    assert Settings.make(models={"en": "en_core_web_sm"}, ner=False).model_map == {}
    monkeypatch.setenv(MODEL_ENV, str(tiny_ner))
    assert Settings.make().model_map == {"en": str(tiny_ner)}
    assert model_name(Pipelines({"en": "en_core_web_sm"}).for_language("en")) == "en_tiny_ner 0.1.0"
    monkeypatch.setenv(MODEL_ENV, tweet_ner.NAME)
    assert model_name(Pipelines({"en": str(tiny_ner)}).for_language("en")).startswith("en_tweet_ner ")


def test_extract_with_the_shipped_model_keeps_selectors_first():
    nlp = Pipelines({"en": tweet_ner.NAME}, min_population=100000).for_language("en")
    [(_, entities)] = extract(nlp, [(TWEET, "t:1")])
    found = {(e.text, e.label, e.method) for e in entities}
    assert {("Taylor Swift", "PERSON", "model"), ("Google", "ORG", "model"),
            ("@jan_visser", "HANDLE", "rule"), ("#blessed", "HASHTAG", "rule")} <= found
    assert not any(e.method == "model" and e.text.startswith(("@", "#")) for e in entities)


@pytest.mark.skipif(SM_INSTALLED, reason="en_core_web_sm is installed: the plan's default is that")
def test_default_enrich_stores_people_and_organisations(tmp_path, write_jsonl):
    case = Case.create(tmp_path / "c", title="Tweets", legal_basis="public interest research",
                       retention_until="2030-01-01")
    rows = [{"id": "1", "created_at": "2024-03-01T10:00:00Z", "author": "a", "lang": "en", "text": TWEET},
            {"id": "2", "created_at": "2024-03-01T11:00:00Z", "author": "b", "lang": "en",
             "text": "Elon Musk says Tesla will open a new factory near Berlin next year"}]
    case.import_file(write_jsonl("tweets.jsonl", rows), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingModelWarning)
        result = case.enrich(progress=False)
    assert result.missing_models == []
    entities = case.entities()
    model = entities[entities.method == "model"]
    assert model.model.str.startswith("en_tweet_ner ").all()
    found = set(zip(model.text, model.label, strict=True))
    assert {("Taylor Swift", "PERSON"), ("Google", "ORG"), ("Elon Musk", "PERSON")} <= found
    case.close()


# --- scoring as the corpora count ------------------------------------------------------------------


def test_bio_spans_count_as_conlleval_and_drop_bare_handles(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("@\tB-PER\njan\tB-PER\nin\tO\nNew\tI-LOC\nYork\tI-LOC\n\nApple\tB-corporation\n"
                    "\tO\n", encoding="utf-8")
    (words, tags), (words2, tags2) = read_conll(path)
    assert bio_spans(tags) == [(0, 1, "PER"), (1, 2, "PER"), (3, 5, "LOC")]
    assert bio_spans(tags, {"PER": "PERSON"}, words) == [(1, 2, "PERSON")]
    assert words2 == ["Apple", " "] and bio_spans(tags2, tweet_ner.WNUT_LABELS) == [(0, 1, "ORG")]
    scores = micro_f1([[(0, 2, "A"), (3, 4, "B")]], [[(0, 2, "A"), (3, 4, "A"), (5, 6, "B")]])
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 2, 1)
    assert scores["f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


@pytest.mark.skipif(not NER_DATA.is_dir(), reason="needs the shared NER corpora (../shared/data/ner)")
def test_development_scores_are_what_the_build_recorded(shipped):
    meta = json.loads((tweet_ner.PATH / "meta.json").read_text(encoding="utf-8"))
    recorded = meta["workbench"]["dev_scores"]
    wnut = score_conll(shipped, NER_DATA / "wnut17" / "emerging.dev.conll", tweet_ner.WNUT_TYPES)
    btc = score_conll(shipped, NER_DATA / "btc" / "h.conll", tweet_ner.BTC_TYPES, btc=True)
    assert wnut["f1"] == pytest.approx(recorded["wnut17_dev"]["f1"], abs=0.005)
    assert btc["f1"] == pytest.approx(recorded["btc_h"]["f1"], abs=0.005)
    # Well above the baseline (a plain CNN: 0.24 on WNUT-17 test, 0.53 on held-back BTC).
    assert wnut["f1"] > 0.40 and btc["f1"] > 0.60
