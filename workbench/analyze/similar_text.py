"""Near-identical texts: MinHash signatures of each text's word set, LSH bands swept with the time
window, and the exact Jaccard similarity of every candidate pair (co-similar text)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.analyze.windows import window_pairs

MENTION = re.compile(r"@\S*")
URL = re.compile(r"https?://\S+")
WORD = r"\w+"


def similar_pairs(frame: pd.DataFrame, window: np.int64, threshold: float, num_perm: int,
                  min_tokens: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs from MinHash LSH buckets swept with the time window, kept when their exact
    Jaccard similarity reaches ``threshold``. ``frame`` has ``text`` and ``t`` (an integer time);
    rows flagged in ``exclude`` (reposts) are left out. Returns positions in ``frame``."""
    if not 0 < threshold <= 1:
        raise ValueError(f"similarity must be in (0, 1], got {threshold!r}")
    mask = frame["text"].notna().to_numpy().copy()
    if exclude is not None:
        mask &= ~exclude
    rows = np.flatnonzero(mask)
    words = (frame["text"].iloc[rows].astype(str).str.lower()
             .str.replace(MENTION, " ", regex=True).str.replace(URL, " ", regex=True)
             .str.findall(WORD))
    table = pd.DataFrame({"doc": np.arange(len(rows)), "word": words.to_numpy()}).explode("word")
    table = table.dropna().drop_duplicates()
    sizes = np.bincount(table["doc"].to_numpy(np.int64), minlength=len(rows))
    table = table[sizes[table["doc"].to_numpy(np.int64)] >= min_tokens]
    empty = np.empty(0, np.int64)
    if table.empty:
        return empty, empty
    doc = table["doc"].to_numpy(np.int64)
    word_hash = pd.util.hash_array(table["word"].to_numpy(dtype=object))
    order = np.argsort(doc, kind="stable")
    doc, word_hash = doc[order], word_hash[order]
    docs, starts = np.unique(doc, return_index=True)
    keys = np.random.default_rng(1).integers(0, 2**63, num_perm, dtype=np.int64).astype(np.uint64)
    signature = np.empty((len(docs), num_perm), np.uint64)
    for p in range(num_perm):  # one keyed bijective mix of the word hash per permutation
        signature[:, p] = np.minimum.reduceat(mix(word_hash ^ keys[p]), starts)
    bands, band_rows = lsh_banding(threshold, num_perm)
    t = frame["t"].to_numpy()[rows[docs]]
    lefts, rights = [], []
    for band in range(bands):
        bucket = np.zeros(len(docs), np.uint64)
        for column in range(band * band_rows, (band + 1) * band_rows):
            bucket = mix(bucket ^ signature[:, column])
        i, j = window_pairs(bucket, t, window)
        lefts.append(i)
        rights.append(j)
    i, j = np.concatenate(lefts), np.concatenate(rights)
    many = np.int64(len(docs))
    key = np.unique(np.minimum(i, j) * many + np.maximum(i, j))  # a pair met in several bands
    if not len(key):
        return empty, empty
    cand = np.stack([key // many, key % many], axis=1)
    # exact Jaccard on the word sets of the candidate documents only
    needed = np.unique(cand)
    ends = np.append(starts[1:], len(word_hash))
    sets = {d: frozenset(word_hash[starts[d]:ends[d]].tolist()) for d in needed.tolist()}
    keep = np.fromiter((len(sets[i] & sets[j]) >= threshold * len(sets[i] | sets[j])
                        for i, j in cand.tolist()), bool, len(cand))
    cand = cand[keep]
    doc_row = rows[docs]
    return doc_row[cand[:, 0]], doc_row[cand[:, 1]]


def lsh_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """The LSH banding (bands, rows per band) whose S-curve passes 0.5 well below ``threshold``,
    so near-duplicates almost never slip through; the exact check then removes false candidates."""
    best = (num_perm, 1)
    for rows_per_band in range(1, num_perm + 1):
        bands = num_perm // rows_per_band
        if 1 - (1 - threshold ** rows_per_band) ** bands >= 0.995:
            best = (bands, rows_per_band)
    return best


def mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective, well-scrambled map of uint64 (wraps on purpose)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
