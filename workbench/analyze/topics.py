"""What the case's posts talk about: NMF topics, terms that travel with a keyword, keyword in context.

Texts are lower-cased and stripped of links and @handles before they are cut into words (letters
only, two or more; a #hashtag counts as its word). Stop words come from spaCy's lists for English
and for the languages of the items (their ``language`` or ``lang`` column).
"""

from __future__ import annotations

import importlib.util
import math
import re
import runpy
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.analyze.frames import require_columns
from workbench.errors import WorkbenchError

_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.-]+(?:@[\w.-]+)?")
_TAG = re.compile(r"(?<!\w)#\w+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Topics:
    """The topics found in a set of items.

    ``summary``: topic, label (its three top terms), items (how many items have it as their main
    topic). ``terms``: topic, rank, term, weight. ``items``: topic, rank, uid, weight, text, the
    items most typical of each topic (texts differing only in links, handles and hashtags shown
    once). ``assignments``: uid, topic, weight, each item's main topic (-1 when none of its words
    are in the vocabulary).
    """

    summary: pd.DataFrame
    terms: pd.DataFrame
    items: pd.DataFrame
    assignments: pd.DataFrame


def topics(
    items: pd.DataFrame,
    n_topics: int = 8,
    *,
    n_terms: int = 10,
    n_items: int = 5,
    min_df: int | float = 2,
    max_df: int | float = 0.95,
    stop_words: str | Iterable[str] = "auto",
    reposts: bool = False,
    seed: int = 0,
) -> Topics:
    """Topics by TF-IDF and non-negative matrix factorisation (scikit-learn), repeatable by ``seed``.

    ``min_df``/``max_df`` drop words in fewer/more items than that (a count, or a share of items).
    ``stop_words`` is "auto" (English and the items' languages), or your own words. Reposts are left
    out unless ``reposts`` (they repeat their original's text).
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    require_columns(items, ["uid", "text"])
    if not reposts and "kind" in items.columns:
        items = items[items["kind"] != "repost"]
    texts = items["text"].fillna("").astype(str)
    stop = _stop_words(items, stop_words)
    vectorizer = TfidfVectorizer(analyzer=lambda text: _tokens(text, stop), min_df=min_df, max_df=max_df,
                                 sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError as error:  # sklearn: empty vocabulary, or min_df/max_df leave no word
        raise WorkbenchError(f"no words to find topics in ({error})",
                             hint="use more items, or lower min_df / raise max_df") from error
    n_docs, n_words = matrix.shape
    if not 1 <= n_topics <= min(n_docs, n_words):
        raise WorkbenchError(f"cannot find {n_topics} topics in {n_docs} items with {n_words} distinct words",
                             hint=f"ask for 1 to {min(n_docs, n_words)} topics")
    model = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    uids = items["uid"].to_numpy()

    term_rows = []
    for topic, row in enumerate(model.components_):
        for rank, index in enumerate(np.argsort(-row, kind="stable")[:n_terms], start=1):
            if row[index] > 0:
                term_rows.append((topic, rank, vocabulary[index], float(row[index])))
    terms = pd.DataFrame(term_rows, columns=["topic", "rank", "term", "weight"])

    main = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    assignments = pd.DataFrame({"uid": uids, "topic": main, "weight": weights.max(axis=1)})

    item_rows = []
    for topic in range(n_topics):
        seen: set[str] = set()
        for index in np.argsort(-weights[:, topic], kind="stable"):
            if len(seen) >= n_items or weights[index, topic] <= 0:
                break
            key = _gist(texts.iloc[index])
            if key in seen:
                continue
            seen.add(key)
            item_rows.append((topic, len(seen), uids[index], float(weights[index, topic]), texts.iloc[index]))
    typical = pd.DataFrame(item_rows, columns=["topic", "rank", "uid", "weight", "text"])

    sizes = assignments["topic"].value_counts()
    summary = pd.DataFrame({
        "topic": range(n_topics),
        "label": [", ".join(terms.loc[terms["topic"] == t, "term"].head(3)) for t in range(n_topics)],
        "items": [int(sizes.get(t, 0)) for t in range(n_topics)],
    })
    return Topics(summary=summary, terms=terms, items=typical, assignments=assignments)


def cooccurring_terms(
    items: pd.DataFrame,
    keyword: str,
    *,
    top: int = 20,
    min_count: int = 2,
    by: str = "lift",
    stop_words: str | Iterable[str] = "auto",
) -> pd.DataFrame:
    """What else people talk about when they mention ``keyword``: terms ranked by lift or PMI.

    Counts are of items: ``together`` (items with the keyword and the term), ``term_items``,
    ``keyword_items`` and ``total``. ``share`` is together / keyword_items; ``lift`` how many
    times likelier the term is with the keyword than overall; ``pmi`` is log2(lift). The keyword is
    matched as whole words, any case, as :func:`kwic` does. Terms in fewer than ``min_count`` items
    with the keyword are left out; ``by`` is lift, pmi or together.
    """
    if by not in ("lift", "pmi", "together"):
        raise WorkbenchError(f"cannot rank co-occurring terms by {by!r}", hint="use lift, pmi or together")
    require_columns(items, ["uid", "text"])
    pattern = _keyword_pattern(keyword)
    stop = _stop_words(items, stop_words) | set(_tokens(keyword, frozenset()))
    with_term: Counter[str] = Counter()
    together: Counter[str] = Counter()
    total = hits = 0
    for text in items["text"]:
        if not isinstance(text, str) or not text.strip():
            continue
        total += 1
        words = set(_tokens(text, stop))
        with_term.update(words)
        if pattern.search(text):
            hits += 1
            together.update(words)
    rows = []
    for term, both in together.items():
        if both < min_count:
            continue
        lift = both * total / (hits * with_term[term])
        rows.append((term, both, with_term[term], hits, total, both / hits, lift, math.log2(lift)))
    columns = ["term", "together", "term_items", "keyword_items", "total", "share", "lift", "pmi"]
    frame = pd.DataFrame(rows, columns=columns)
    key = "lift" if by == "pmi" else by  # same order
    second = "together" if key == "lift" else "lift"
    frame = frame.sort_values([key, second, "term"], ascending=[False, False, True], ignore_index=True)
    return frame.head(top)


def kwic(items: pd.DataFrame, keyword: str, *, width: int = 40) -> pd.DataFrame:
    """Keyword in context: one row per occurrence, ``uid``, ``left``, ``keyword``, ``right``.

    The keyword (a word or a phrase; a #hashtag works too) is matched as whole words, any case;
    ``keyword`` holds it as written in the item. Runs of white space count as one space, and
    ``left``/``right`` are the ``width`` characters either side, trimmed of spaces at their ends.
    """
    require_columns(items, ["uid", "text"])
    pattern = _keyword_pattern(keyword)
    rows = []
    for uid, text in zip(items["uid"], items["text"], strict=True):
        if not isinstance(text, str):
            continue
        text = _SPACE.sub(" ", text)
        for match in pattern.finditer(text):
            start, end = match.span()
            rows.append((uid, text[max(0, start - width):start].strip(), match.group(),
                         text[end:end + width].strip()))
    return pd.DataFrame(rows, columns=["uid", "left", "keyword", "right"])


def _gist(text: str) -> str:
    """A text's words without links, handles and hashtags: what near-copies have in common."""
    return " ".join(_WORD.findall(_TAG.sub(" ", _HANDLE.sub(" ", _LINK.sub(" ", text))).lower()))


def _keyword_pattern(keyword: str) -> re.Pattern:
    words = keyword.split() if isinstance(keyword, str) else []
    if not words:
        raise WorkbenchError("the keyword is empty", hint="give a word or a phrase")
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def _tokens(text, stop: frozenset[str] | set[str]) -> list[str]:
    if not isinstance(text, str):
        return []
    text = _HANDLE.sub(" ", _LINK.sub(" ", text)).lower()
    return [word for word in _WORD.findall(text) if word not in stop]


def _stop_words(items: pd.DataFrame, stop_words: str | Iterable[str]) -> frozenset[str]:
    if stop_words != "auto":
        if isinstance(stop_words, str):
            raise WorkbenchError(f"stop_words must be 'auto' or a list of words, not {stop_words!r}")
        return frozenset(w.lower() for w in stop_words)
    codes = {"en"}
    for column in ("language", "lang"):
        if column in items.columns:
            codes |= {c.split("-")[0].lower() for c in items[column].dropna().unique() if isinstance(c, str)}
    words: set[str] = set()
    for code in sorted(codes):
        words |= _spacy_stop_words(code)
    return frozenset(words)


@cache
def _spacy_stop_words(code: str) -> frozenset[str]:
    # Read the list's own file: importing spacy.lang.<code> would load the whole language
    # (seconds for French) just to get a set of words.
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations or not re.fullmatch(r"[a-z]{2,3}", code):
        return frozenset()
    path = Path(spec.submodule_search_locations[0]) / "lang" / code / "stop_words.py"
    if not path.is_file():
        return frozenset()
    return frozenset(w.lower() for w in runpy.run_path(str(path)).get("STOP_WORDS", ()))
