"""How well the workbench finds places, on labelled real text: the Broad Twitter Corpus and GeoWebNews.

Both corpora live outside the project (``../shared/data``, see its README); nothing of them is
kept here. Counting follows that README and ``benchmarks/quality.py``:

- **BTC** (tweets, token TAB BIO tag): the workbench's PLACE entities against the gold LOC
  entities. Each text is its tokens joined by single spaces, run through the real pipeline (its
  tokenizer, selectors, gazetteer, NER and place evidence) as English. Scores are given for exact
  character spans and for overlapping spans. A gold entity that is a bare ``@`` is ignored.
- **GeoWebNews** (news articles with character offsets): the gold toponyms are the annotated
  spans that carry coordinates (literal, metonymic, mixed, coercion, embedded and modifier uses);
  expressions ("the city"), demonyms and language names without coordinates, homonyms (a band
  called Chicago) and non-toponyms are not gold, so a place predicted there is false. With a
  geocoder, acc@161 km is the share of matched gold toponyms whose predicted name it resolves
  within 161 km (each name on its own, no context: a floor for ``locate``).

Overlap matching pairs each prediction with the first free gold span it overlaps (each span used
once); precision is pairs over predictions, recall pairs over gold spans. Predictions of several
labels (PLACE and LOC, say) that overlap each other count once.

:func:`btc_place_scores` and :func:`gwn_toponym_scores` run everything and return a frame / a dict
that a benchmark prints; :func:`score_spans` scores any spans.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.enrich.evaluate import bio_spans, read_conll

#: The Broad Twitter Corpus sections the shared data holds (f is held back).
BTC_SECTIONS = ("a", "b", "e", "g", "h")
#: Entity labels that name places by default: the workbench's PLACE.
PLACE_LABELS = ("PLACE",)

Span = tuple[int, int]


class Labelled(NamedTuple):
    """One labelled text: its gold spans (character offsets) and, for GeoWebNews, each one's
    coordinates."""

    id: str
    text: str
    gold: list[Span]
    coordinates: list[tuple[float, float]] = []
    section: str = ""


# --- the corpora -------------------------------------------------------------------------------


def btc_texts(folder: str | Path, sections: Iterable[str] = BTC_SECTIONS) -> list[Labelled]:
    """The tweets of the given BTC sections (``<section>.conll`` in ``folder``) with their gold
    LOC spans as character offsets into the rebuilt text."""
    folder = Path(folder)
    texts = []
    for section in sections:
        for number, (words, tags) in enumerate(read_conll(folder / f"{section}.conll")):
            text, offsets = " ".join(words), _offsets(words)
            gold = [(offsets[s][0], offsets[e - 1][1])
                    for s, e, _ in bio_spans(tags, {"LOC": "LOC"}, words)]
            texts.append(Labelled(f"btc:{section}:{number}", text, gold, section=section))
    return texts


def _offsets(words: Sequence[str]) -> list[Span]:
    offsets, at = [], 0
    for word in words:
        offsets.append((at, at + len(word)))
        at += len(word) + 1
    return offsets


def gwn_texts(path: str | Path) -> list[Labelled]:
    """The articles of GeoWebNews (``GWN.xml``) with their gold toponyms (spans with coordinates)."""
    texts = []
    for article in ET.parse(Path(path)).getroot().iter("article"):
        gold, coordinates = [], []
        for node in article.iter("toponym"):
            lat, lon = node.findtext("latitude"), node.findtext("longitude")
            if lat and lon:
                gold.append((int(node.findtext("start")), int(node.findtext("end"))))
                coordinates.append((float(lat), float(lon)))
        texts.append(Labelled(f"gwn:{article.get('file')}", article.findtext("text") or "", gold,
                              coordinates, "gwn"))
    return texts


# --- scoring -----------------------------------------------------------------------------------


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def overlap_pairs(gold: Sequence[Span], predicted: Sequence[Span]) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index) of overlapping spans, each span used once: in order of
    start, a prediction takes the first free gold span it overlaps."""
    order = sorted(range(len(gold)), key=lambda i: gold[i])
    used: set[int] = set()
    pairs = []
    for p in sorted(range(len(predicted)), key=lambda i: predicted[i]):
        for g in order:
            if g not in used and _overlaps(gold[g], predicted[p]):
                used.add(g)
                pairs.append((g, p))
                break
    return pairs


def score_spans(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> dict[str, float]:
    """Exact and overlap scores of predicted spans against gold spans, text by text.

    Returns ``gold``, ``predicted``, ``tp``/``fp``/``fn`` and ``precision``/``recall``/``f1`` for
    exact spans, and ``overlap_tp``, ``overlap_precision``/``overlap_recall``/``overlap_f1``
    (:func:`overlap_pairs`).
    """
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} texts, predicted {len(predicted)}")
    tp = n_gold = n_pred = paired = 0
    for expected, spans in zip(gold, predicted, strict=True):
        tp += sum((Counter(map(tuple, expected)) & Counter(map(tuple, spans))).values())
        n_gold += len(expected)
        n_pred += len(spans)
        paired += len(overlap_pairs(expected, spans))
    precision, recall = _ratio(tp, n_pred), _ratio(tp, n_gold)
    o_precision, o_recall = _ratio(paired, n_pred), _ratio(paired, n_gold)
    return {"gold": n_gold, "predicted": n_pred, "tp": tp, "fp": n_pred - tp, "fn": n_gold - tp,
            "precision": precision, "recall": recall, "f1": _f1(precision, recall),
            "overlap_tp": paired, "overlap_precision": o_precision, "overlap_recall": o_recall,
            "overlap_f1": _f1(o_precision, o_recall)}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# --- running the pipeline ----------------------------------------------------------------------


def predicted_places(texts: Sequence[Labelled], *, pipelines=None, lang: str = "en",
                     labels: Sequence[str] = PLACE_LABELS, batch_size: int = 256) -> list[list]:
    """The entities of ``labels`` the workbench finds in each text (the real pipeline for
    ``lang``: by default the shipped English NER with the gazetteer), overlapping ones once."""
    from workbench.enrich.pipeline import Pipelines, extract
    from workbench.enrich.tweet_ner import NAME

    pipelines = pipelines or Pipelines({"en": NAME}, environment=False)
    nlp = pipelines.for_language(lang)
    wanted = set(labels)
    found = []
    for _, entities in extract(nlp, ((t.text, t.id) for t in texts), batch_size=batch_size):
        kept: list = []
        for entity in sorted((e for e in entities if e.label in wanted),
                             key=lambda e: (e.start, -(e.end - e.start))):
            if not any(_overlaps((entity.start, entity.end), (k.start, k.end)) for k in kept):
                kept.append(entity)
        found.append(kept)
    return found


def btc_place_scores(folder: str | Path, *, sections: Iterable[str] = BTC_SECTIONS,
                     pipelines=None, labels: Sequence[str] = PLACE_LABELS) -> pd.DataFrame:
    """PLACE against gold LOC on the Broad Twitter Corpus: one row per section and one for all
    (index ``section``), columns as :func:`score_spans` gives them.

    Note that the shipped NER was trained on sections a, b, e and g: section h is the fair one.
    """
    texts = btc_texts(folder, sections)
    predicted = [[(e.start, e.end) for e in found]
                 for found in predicted_places(texts, pipelines=pipelines, labels=labels)]
    rows = {}
    for section in [*dict.fromkeys(t.section for t in texts), "all"]:
        pick = [i for i, t in enumerate(texts) if section in ("all", t.section)]
        rows[section] = score_spans([texts[i].gold for i in pick], [predicted[i] for i in pick])
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("section")


def gwn_toponym_scores(path: str | Path, *, pipelines=None, labels: Sequence[str] = PLACE_LABELS,
                       geocoder=None) -> dict[str, float]:
    """Toponym recognition on GeoWebNews (see the module's docstring) as :func:`score_spans`
    gives it, and with a ``geocoder`` (:class:`workbench.geo.gazetteer.OfflineGeocoder` or
    anything with its ``resolve``) ``acc161``: the share of matched gold toponyms whose predicted
    name, resolved on its own, lies within 161 km of them (``located``: how many resolved)."""
    texts = gwn_texts(path)
    found = predicted_places(texts, pipelines=pipelines, labels=labels)
    scores = score_spans([t.gold for t in texts], [[(e.start, e.end) for e in f] for f in found])
    if geocoder is not None:
        scores.update(_accuracy(texts, found, geocoder))
    return scores


def _accuracy(texts: Sequence[Labelled], found: Sequence[list], geocoder) -> dict[str, float]:
    from workbench.geo.gazetteer import haversine_km

    matched = near = located = 0
    for text, entities in zip(texts, found, strict=True):
        pairs = overlap_pairs(text.gold, [(e.start, e.end) for e in entities])
        for g, p in pairs:
            point, entity = text.coordinates[g], entities[p]
            matched += 1
            matches = geocoder.resolve(entity.text)
            if not matches:
                continue
            located += 1
            place = matches[0].place
            if place.lat is not None and not math.isnan(place.lat) and haversine_km(
                    point[0], point[1], place.lat, place.lon) <= 161:
                near += 1
    return {"located": located,
            "acc161": _ratio(near, matched)}
