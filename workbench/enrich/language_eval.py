"""How often detected languages agree with a dataset's own language field, and how many are ``und``.

The measure behind the language figures of ``benchmarks/quality.py`` and the tests, on real posts
such as ``ira-dev/tweets.csv.gz``::

    from workbench.enrich.language_eval import language_agreement, read_tweets
    sample = read_tweets(path, size=20_000)
    result = language_agreement(sample["text"], sample["language"], sample["author"])
    result.agreement, result.undetermined

Texts are detected as an enrichment run detects them: grouped by author, in batches, each batch's
authors' other posts serving as the prior for short texts. Rows whose dataset language is missing
or undefined ("LANGUAGE UNDEFINED") are left out of both shares and counted in ``excluded``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.enrich.language import UNDETERMINED, LanguageDetector

#: Language names as datasets spell them (the IRA tweets' among them) -> ISO 639-1.
NAMES = {
    "albanian": "sq", "arabic": "ar", "bengali": "bn", "bulgarian": "bg", "catalan": "ca",
    "croatian": "hr", "czech": "cs", "danish": "da", "dutch": "nl", "english": "en",
    "estonian": "et", "farsi (persian)": "fa", "farsi": "fa", "persian": "fa", "finnish": "fi",
    "french": "fr", "german": "de", "greek": "el", "hebrew": "he", "hindi": "hi",
    "hungarian": "hu", "icelandic": "is", "indonesian": "id", "italian": "it", "japanese": "ja",
    "korean": "ko", "kurdish": "ku", "latvian": "lv", "lithuanian": "lt", "macedonian": "mk",
    "malay": "ms", "norwegian": "no", "polish": "pl", "portuguese": "pt", "pushto": "ps",
    "pashto": "ps", "romanian": "ro", "russian": "ru", "serbian": "sr", "simplified chinese": "zh",
    "traditional chinese": "zh", "chinese": "zh", "slovak": "sk", "slovenian": "sl",
    "somali": "so", "spanish": "es", "swedish": "sv", "tagalog (filipino)": "tl", "tagalog": "tl",
    "thai": "th", "turkish": "tr", "ukrainian": "uk", "urdu": "ur", "uzbek": "uz",
    "vietnamese": "vi",
}
#: Codes that name one language for this measure (lingua tells Norwegian's two written forms).
SAME = {"nb": "no", "nn": "no", "iw": "he", "in": "id"}
#: What a dataset writes for "no language known".
UNDEFINED = {"", "und", "language undefined", "unknown", "undefined", "zxx", "none"}


@dataclass(frozen=True)
class Agreement:
    """The result of :func:`language_agreement`.

    ``agreement``: share of rows with a known dataset language whose detected language is the same
    (an ``und`` counts as not agreeing); ``undetermined``: share of those rows detected ``und``;
    ``items``: how many rows that is; ``excluded``: rows left out (no known dataset language);
    ``by_author``: share of the rows decided by the author's other posts; ``per_language``: the
    same per dataset language (``items``, ``agreement``, ``undetermined``), largest first;
    ``detected``: one row per input row (``gold``, ``code``, ``confidence``, ``basis``).
    """

    agreement: float
    undetermined: float
    items: int
    excluded: int
    by_author: float
    per_language: pd.DataFrame
    detected: pd.DataFrame


def iso_code(name: object) -> str | None:
    """The ISO 639-1 code of a dataset's language name or code; None when undefined or unknown."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return None
    key = str(name).strip().lower()
    if key in UNDEFINED:
        return None
    if key in NAMES:
        return NAMES[key]
    code = key.replace("_", "-").split("-")[0]
    return SAME.get(code, code) if len(code) == 2 and code.isalpha() else None


def language_agreement(texts: Iterable[str], gold: Iterable[object],
                       authors: Iterable[Hashable] | None = None, *,
                       detector: LanguageDetector | None = None,
                       batch_size: int = 500) -> Agreement:
    """Detect the language of ``texts`` and compare it with ``gold`` (names or codes, see
    :func:`iso_code`). With ``authors``, texts are grouped by author and detected in batches of
    ``batch_size``, as an enrichment run does; without, each text is judged alone."""
    frame = pd.DataFrame({"text": list(texts), "gold": [iso_code(g) for g in gold]})
    frame["text"] = [t if isinstance(t, str) else "" for t in frame["text"]]
    detector = detector or LanguageDetector()
    if authors is None:
        found = detector.detect(frame["text"].tolist())
        order = list(range(len(frame)))
    else:
        frame["author"] = [None if a is None or (not isinstance(a, str) and pd.isna(a)) else a
                           for a in authors]
        order = sorted(range(len(frame)), key=lambda i: (str(frame.at[i, "author"]), frame.at[i, "text"]))
        found = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            found += detector.detect([frame.at[i, "text"] for i in batch],
                                     [frame.at[i, "author"] for i in batch])
    detected = pd.DataFrame(found, columns=["code", "confidence", "basis"], index=order).sort_index()
    detected.insert(0, "gold", frame["gold"])
    known = detected[detected["gold"].notna()]
    same = known["code"].map(lambda c: SAME.get(c, c)) == known["gold"]
    und = known["code"] == UNDETERMINED
    per = pd.DataFrame({"gold": known["gold"], "same": same, "und": und}).groupby("gold").agg(
        items=("same", "size"), agreement=("same", "mean"), undetermined=("und", "mean"))
    return Agreement(
        agreement=_share(same), undetermined=_share(und), items=len(known),
        excluded=len(detected) - len(known), by_author=_share(known["basis"] == "author"),
        per_language=per.sort_values("items", ascending=False), detected=detected)


def _share(flags: pd.Series) -> float:
    """The share of true values (0 for none)."""
    return float(flags.mean()) if len(flags) else 0.0


def read_tweets(path: str | Path, *, size: int | None = None, half: int | None = None,
                seed: int = 14, nrows: int | None = None) -> pd.DataFrame:
    """Rows of a tweets CSV like ``ira-dev/tweets.csv.gz`` as ``text``, ``author``, ``language``.

    ``size``: a sample of about that many rows, the same share of each author's (stratified by
    author); ``half`` (0 or 1): only the authors whose name hashes to that half, so that tuning
    on one half and measuring on the other never sees an author twice; ``nrows``: read only the
    file's first rows (a quick look: the IRA file is ordered by author).
    """
    frame = pd.read_csv(path, usecols=["author_id", "content", "language"], dtype=str, nrows=nrows)
    frame = frame.rename(columns={"author_id": "author", "content": "text"})
    frame = frame[frame["text"].notna()]
    if half is not None:
        halves = frame["author"].map(lambda a: int(hashlib.sha256(str(a).encode()).hexdigest(), 16) % 2)
        frame = frame[halves == half]
    if size is not None and size < len(frame):
        frame = frame.groupby("author", group_keys=False).sample(frac=size / len(frame),
                                                                  random_state=seed)
    return frame.reset_index(drop=True)
