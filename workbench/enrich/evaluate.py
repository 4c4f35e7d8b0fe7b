"""Precision and recall of entities against a labelled set (exact span and label)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import orjson
import pandas as pd


def _spans(entities: Iterable) -> Counter:
    """(start, end, label) of each entity: a Found/Entity (attributes) or a [start, end, label, ...] list."""
    spans: Counter = Counter()
    for entity in entities:
        if isinstance(entity, Sequence) and not hasattr(entity, "label"):
            start, end, label = entity[0], entity[1], entity[2]
        else:
            start, end, label = entity.start, entity.end, entity.label
        spans[(start, end, label)] += 1
    return spans


def score(gold: list[list], predicted: list[list], labels: Iterable[str] | None = None) -> pd.DataFrame:
    """Per-label tp, fp, fn, precision, recall, f1 over texts (exact span and label match).

    ``gold`` and ``predicted`` hold one list of entities per text, in the same order; an entity is
    anything with ``start``, ``end``, ``label`` attributes (Found, Entity) or a labelled-set row
    ``[start, end, label, norm]``. ``labels`` limits (and orders) the rows; by default every label
    seen. A label with nothing to find and nothing found scores 1.0.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} texts, predicted {len(predicted)}")
    counts: dict[str, Counter] = {}
    for gold_text, predicted_text in zip(gold, predicted, strict=True):
        expected, found = _spans(gold_text), _spans(predicted_text)
        for span in expected | found:
            tally = counts.setdefault(span[2], Counter())
            hits = min(expected[span], found[span])
            tally["tp"] += hits
            tally["fn"] += expected[span] - hits
            tally["fp"] += found[span] - hits
    rows = []
    for label in labels if labels is not None else sorted(counts):
        tally = counts.get(label, Counter())
        tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"label": label, "tp": tp, "fp": fp, "fn": fn,
                     "precision": precision, "recall": recall, "f1": f1})
    columns = ["label", "tp", "fp", "fn", "precision", "recall", "f1"]
    return pd.DataFrame(rows, columns=columns).set_index("label")


def load_labelled(path: str | Path) -> list[dict]:
    """The labelled set: one dict per JSON line (id, text, lang, entities, and regions if any)."""
    path = Path(path)
    examples = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                examples.append(orjson.loads(line))
            except orjson.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON: {err}") from err
    return examples


# --- token TAB tag corpora (WNUT-17, the Broad Twitter Corpus) --------------------------------------


def read_conll(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """The texts of a CoNLL-style file (``token TAB tag`` a line, a blank line between texts):
    ``(words, tags)`` per text. A line without a tab is an error naming the file and line; an empty
    token (the Broad Twitter Corpus has a few) reads as a space, as spaCy has no empty tokens."""
    path = Path(path)
    texts: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if words:
                    texts.append((words, tags))
                    words, tags = [], []
                continue
            word, tab, tag = line.rpartition("\t")
            if not tab:
                raise ValueError(f"{path}:{number}: expected 'token<TAB>tag', got {line!r}")
            words.append(word or " ")
            tags.append(tag.strip())
    if words:
        texts.append((words, tags))
    return texts


def bio_spans(tags: Sequence[str], labels: dict[str, str] | None = None,
              words: Sequence[str] | None = None) -> list[tuple[int, int, str]]:
    """The entities of a BIO tag sequence as ``(first token, end token, type)``, counted as conlleval
    does: an ``I-`` after ``O`` or after another type starts an entity. ``labels`` maps types
    (others are dropped); with ``words``, an entity that is a bare ``@`` is dropped (a Broad Twitter
    Corpus quirk)."""
    spans = []
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and name == kind and start is not None
        if start is not None and not continues:
            spans.append((start, i, kind))
            start, kind = None, None
        if prefix in ("B", "I") and not continues:
            start, kind = i, name
    if labels is not None:
        spans = [(s, e, labels[k]) for s, e, k in spans if k in labels]
    if words is not None:
        spans = [(s, e, k) for s, e, k in spans if not (e - s == 1 and words[s] == "@")]
    return spans


def micro_f1(gold: list[list], predicted: list[list]) -> dict[str, float]:
    """Micro-averaged exact span-and-type scores over all labels (tp, fp, fn, precision, recall,
    f1); entities as :func:`score` takes them."""
    table = score(gold, predicted)
    tp, fp, fn = (int(table[c].sum()) for c in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def score_conll(nlp, path: str | Path, types: dict[str, str], *, btc: bool = False,
                batch_size: int = 256) -> dict[str, float]:
    """Micro-averaged exact span-and-type scores of spaCy pipeline ``nlp`` on a CoNLL file, run over
    the file's own tokens. ``types`` maps the pipeline's labels to the file's types (entities of
    other labels are not counted); gold entities of types that no label maps to are not counted
    either. ``btc``: entities that are a bare ``@`` are ignored, on both sides, as the Broad Twitter
    Corpus is scored."""
    from spacy.tokens import Doc

    texts = read_conll(path)
    kept = set(types.values())
    gold = [bio_spans(tags, {t: t for t in kept}, words if btc else None) for words, tags in texts]
    docs = (Doc(nlp.vocab, words=words) for words, _ in texts)
    predicted = []
    for doc in nlp.pipe(docs, batch_size=batch_size):
        spans = [(e.start, e.end, types[e.label_]) for e in doc.ents if e.label_ in types]
        if btc:
            spans = [s for s in spans if not (s[1] - s[0] == 1 and doc[s[0]].text == "@")]
        predicted.append(spans)
    return micro_f1(gold, predicted)
