"""Named entities on WNUT-17 dev and the Broad Twitter Corpus, and PLACE against BTC's LOC.

NER: the shipped pipeline (``tweet_ner``) and, as the baseline, ``en_core_web_sm`` when it is
installed, scored by :func:`workbench.enrich.evaluate.score_conll` as the data's README counts
(exact span and type, micro-averaged; for BTC only PER/LOC/ORG, a bare ``@`` ignored) over the
files' own tokens, as the model card's figures were. BTC sections a, b, e and g trained the shipped
model: only section h (and WNUT-17 dev) are development figures.

PLACE: the BTC tweets (tokens joined by spaces) are imported into a new case with language
``en`` and enriched with the default plan, as a user would; the case's PLACE entities are compared
with the gold LOC spans by character overlap (each used once) and exactly.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from quality_rows import Row, Skipped, case_of, overlap_match, prf

from workbench.enrich import tweet_ner
from workbench.enrich.evaluate import bio_spans, read_conll, score_conll

BASELINE = "en_core_web_sm"
SECTIONS = ("a", "b", "e", "g", "h")
TRAINED = frozenset({"a", "b", "e", "g"})
WNUT_DEV = "wnut17/emerging.dev.conll"


def _pipelines() -> dict[str, object]:
    import spacy

    loaded = {"tweet_ner": spacy.load(tweet_ner.model_path(tweet_ner.NAME))}
    if importlib.util.find_spec(BASELINE) is not None:
        loaded[BASELINE] = spacy.load(BASELINE, exclude=["parser", "lemmatizer", "tagger",
                                                         "attribute_ruler", "senter"])
    return loaded


def ner_rows(data: Path, sections: tuple[str, ...] = SECTIONS) -> list[Row]:
    """Typed F1 of the shipped pipeline and the baseline on WNUT-17 dev and the BTC sections."""
    folder = data / "ner"
    if not (folder / WNUT_DEV).is_file():
        raise Skipped(f"{folder / WNUT_DEV} is absent")
    pipelines = _pipelines()
    have_baseline = BASELINE in pipelines
    missing = f"{BASELINE} not installed"
    files = [("WNUT-17 dev", folder / WNUT_DEV, False, ">= 0.30", "")]
    files += [(f"BTC {s}", folder / "btc" / f"{s}.conll", True,
               ">= 0.55" if s not in TRAINED else "",
               "trained on: not a development figure" if s in TRAINED else "development section")
              for s in sections if (folder / "btc" / f"{s}.conll").is_file()]
    rows = []
    for name, path, btc, target, note in files:
        types = tweet_ner.BTC_TYPES if btc else tweet_ner.WNUT_TYPES
        texts = len(read_conll(path))
        ours = score_conll(pipelines["tweet_ner"], path, types, btc=btc)
        base = score_conll(pipelines[BASELINE], path, types, btc=btc) if have_baseline else None
        detail = f"{texts} texts; P {ours['precision']:.3f} R {ours['recall']:.3f}"
        rows.append(Row(f"NER typed F1, {name}", ours["f1"], base["f1"] if base else missing,
                        target, "; ".join(part for part in (detail, note) if part)))
    return rows


def _btc_records(path: Path, section: str) -> tuple[list[dict], dict[str, list[tuple[int, int]]]]:
    """A section's tweets as records, and the gold LOC character spans of each, by record id."""
    records, gold = [], {}
    for number, (words, tags) in enumerate(read_conll(path)):
        starts, offset = [], 0
        for word in words:
            starts.append(offset)
            offset += len(word) + 1
        text = " ".join(words)
        ident = f"btc-{section}-{number}"
        gold[ident] = [(starts[s], starts[e - 1] + len(words[e - 1]))
                       for s, e, _ in bio_spans(tags, {"LOC": "LOC"}, words)]
        records.append({"id": ident, "text": text, "lang": "en", "created_at": "2014-01-01T00:00:00Z"})
    return records, gold


def place_rows(data: Path, sections: tuple[str, ...] = SECTIONS) -> list[Row]:
    """Precision and recall of the case's PLACE entities against BTC's LOC, per kind of section."""
    folder = data / "ner" / "btc"
    present = [s for s in sections if (folder / f"{s}.conll").is_file()]
    if not present:
        raise Skipped(f"no BTC section in {folder}")
    records, gold = [], {}
    for section in present:
        more, spans = _btc_records(folder / f"{section}.conll", section)
        records += more
        gold.update(spans)
    with tempfile.TemporaryDirectory(prefix="quality-btc-") as work:
        case = case_of(Path(work), "btc", records)
        case.enrich(progress=False)
        ids = dict(case.db.execute("SELECT uid, id FROM items").fetchall())
        found: dict[str, list[tuple[int, int]]] = {}
        for uid, start, end in case.db.execute(
                "SELECT uid, start, \"end\" FROM entities WHERE label = 'PLACE' AND start IS NOT NULL"):
            found.setdefault(ids[uid], []).append((start, end))
        case.close()
    groups = [("BTC h (dev)", ["h"]), ("BTC a, b, e, g (trained the NER)", sorted(TRAINED))]
    rows = []
    for name, chosen in groups:
        keys = [k for k in gold if k.split("-")[1] in chosen]
        if not keys:
            continue
        n_gold = sum(len(gold[k]) for k in keys)
        n_pred = sum(len(found.get(k, [])) for k in keys)
        overlap = sum(len(overlap_match(gold[k], found.get(k, []))) for k in keys)
        exact = sum(len(set(gold[k]) & set(found.get(k, []))) for k in keys)
        p, r, _ = prf(overlap, n_pred, n_gold)
        pe, re_, _ = prf(exact, n_pred, n_gold)
        size = f"{len(keys)} tweets, {n_gold} gold LOC, {n_pred} PLACE"
        rows += [Row(f"PLACE precision vs LOC, {name}", p, target=">= 0.75" if "dev" in name else "",
                     note=f"overlap; exact span {pe:.3f}; {size}"),
                 Row(f"PLACE recall vs LOC, {name}", r, note=f"overlap; exact span {re_:.3f}")]
    return rows
