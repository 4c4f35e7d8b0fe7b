"""Language on real tweets (``ira-dev``) and VADER sentiment against human ratings.

Language: a fixed-seed sample of the IRA tweets is imported into a new case with the default plan
(text, time, account; not the dataset's language), enriched without NER, and each tweet's
language compared with the dataset's ``language`` column (its names read as ISO 639-1 codes by
:func:`workbench.enrich.language_eval.iso_code`, as the product's own measure reads them; Norwegian
counts as ``no``, ``nb`` or ``nn``). Agreement and the ``und`` share are over the tweets whose
language the dataset records. The baseline is lingua alone on the raw text, among the 20
languages the workbench's detector considered when this benchmark was written, no cleaning.

Sentiment: each file of VADER's human ratings (id TAB mean TAB text) is imported as English items
and enriched; Pearson r between the stored compound score and the human mean. The baseline is
vaderSentiment's own compound on the raw text.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from quality_rows import Row, Skipped, case_of

from workbench.enrich.language_eval import UNDEFINED, iso_code

#: The detector's languages when this benchmark was written (the baseline's).
BASELINE_LANGUAGES = ("en", "es", "pt", "fr", "de", "nl", "it", "pl", "sv", "ru", "uk", "tr", "ar",
                      "fa", "he", "hi", "zh", "ja", "ko", "id")


def ira_sample(path: Path, size: int, seed: int) -> pd.DataFrame:
    """``size`` tweets drawn with ``seed`` (all when fewer), in file order."""
    frame = pd.read_csv(path, usecols=["author_id", "content", "language", "publish_date"],
                        dtype=str, keep_default_na=False)
    frame = frame[frame["content"].str.strip() != ""]
    if size < len(frame):
        frame = frame.sample(n=size, random_state=seed).sort_index()
    return frame.reset_index(drop=True)


def _lingua(texts: list[str]) -> list[str]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in BASELINE_LANGUAGES]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
    found = [detector.detect_language_of(text) for text in texts]
    return [lang.iso_code_639_1.name.lower() if lang is not None else "und" for lang in found]


def language_rows(data: Path, size: int = 20000, seed: int = 14, baseline: bool = True) -> list[Row]:
    """Agreement with the dataset's language and the ``und`` share, with the lingua baseline."""
    path = data / "ira-dev" / "tweets.csv.gz"
    if not path.is_file():
        raise Skipped(f"{path} is absent")
    sample = ira_sample(path, size, seed)
    records = [{"id": f"ira-{n}", "text": row.content, "created_at": row.publish_date + "Z",
                "author_handle": row.author_id, "author_id": row.author_id, "platform": "twitter"}
               for n, row in enumerate(sample.itertuples())]
    with tempfile.TemporaryDirectory(prefix="quality-ira-") as work:
        case = case_of(Path(work), "ira", records)
        case.enrich(ner=False, progress=False)
        items = case.items()
        method = Counter(items["language_method"].dropna()).most_common(1)
        case.close()
    found = dict(zip(items["id"], items["language"].map(lambda code: iso_code(code) or "und"), strict=True))
    ours = [found[f"ira-{n}"] for n in range(len(sample))]
    truth = sample["language"].map(iso_code)
    recorded = truth.notna()
    undefined = sample["language"].str.strip().str.lower().isin(UNDEFINED)
    unmapped = sorted(set(sample.loc[~undefined & ~recorded, "language"]))
    if unmapped:
        raise RuntimeError(f"language names with no ISO 639-1 code here: {unmapped}")
    mask = recorded.to_numpy()
    gold = truth[recorded].to_numpy()
    mine = np.array(ours)[mask]
    agree, und = float(np.mean(mine == gold)), float(np.mean(mine == "und"))
    base_agree = base_und = None
    if baseline:
        theirs = np.array(_lingua(sample.loc[recorded, "content"].tolist()))
        base_agree, base_und = float(np.mean(theirs == gold)), float(np.mean(theirs == "und"))
    per = {code: float(np.mean(mine[gold == code] == code)) for code in ("en", "ru", "de")
           if (gold == code).any()}
    size_note = (f"{len(sample)} tweets drawn (seed {seed}), {int(mask.sum())} with a recorded "
                 f"language; {method[0][0] if method else 'no method'}")
    by_language = ", ".join(f"{code} {share:.1%}" for code, share in per.items())
    return [Row("language agreement (ira-dev)", agree, base_agree, ">= 90 %",
                f"{size_note}; baseline: lingua on the raw text", percent=True),
            Row("language und share (ira-dev)", und, base_und, "<= 8 %",
                f"agreement by language: {by_language}", percent=True)]


def _ratings(path: Path) -> list[tuple[str, float, str]]:
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as lines:
        for fields in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(fields) >= 3 and fields[2].strip():
                rows.append((fields[0], float(fields[1]), "\t".join(fields[2:])))
    return rows


def sentiment_rows(data: Path) -> list[Row]:
    """Pearson r of the stored compound score and of plain VADER against the human means."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    folder = data / "sentiment"
    files = sorted(folder.glob("*_GroundTruth.txt")) if folder.is_dir() else []
    if not files:
        raise Skipped(f"no *_GroundTruth.txt in {folder}")
    vader = SentimentIntensityAnalyzer()
    rows = []
    with tempfile.TemporaryDirectory(prefix="quality-vader-") as work:
        for number, path in enumerate(files):
            ratings = _ratings(path)
            records = [{"id": f"r{n}", "text": text, "lang": "en", "created_at": "2014-01-01T00:00:00Z"}
                       for n, (_, _, text) in enumerate(ratings)]
            case = case_of(Path(work), f"vader{number}", records)
            case.enrich(ner=False, progress=False)
            stored = case.items().set_index("id")["sentiment"]
            case.close()
            human = pd.Series([mean for _, mean, _ in ratings], index=[r["id"] for r in records])
            scored = stored.reindex(human.index).astype(float)
            kept = scored.notna()
            plain = pd.Series([vader.polarity_scores(text)["compound"] for _, _, text in ratings],
                              index=human.index)
            r = float(np.corrcoef(scored[kept], human[kept])[0, 1]) if kept.sum() > 2 else float("nan")
            base = float(np.corrcoef(plain, human)[0, 1])
            name = path.name.removesuffix("_GroundTruth.txt")
            rows.append(Row(f"VADER r, {name}", r, base, "tweets: not below 0.87",
                            f"{len(ratings)} snippets, {int(kept.sum())} scored; non-tweet ratings"))
    return rows
