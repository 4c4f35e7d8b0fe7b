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
