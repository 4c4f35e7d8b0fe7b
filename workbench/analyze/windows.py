"""Pairs of entries on the same target within a time window of each other, found by sorting
rather than comparing everything: the sweep under every coordination network."""

from __future__ import annotations

import numpy as np
import pandas as pd


def window_pairs(target: np.ndarray, t: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` of every pair of entries with the same ``target`` and ``|t_i - t_j| <=
    window``, each unordered pair once. ``target`` is any array pandas can factorize, ``t`` int64.

    Sorts by (target, t), then walks offsets k = 1, 2, ...: an entry stays in play only while the
    entry k places after it still shares its target and lies inside the window.
    """
    order, i, j = sorted_window_pairs(np.asarray(target), np.asarray(t, np.int64), window)
    return order[i], order[j]


def stable_argsort(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for integer keys."""
    return sort_with_order(key)[1]


def sort_with_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted integer keys and the stable order that sorts them. numpy sorts plain integers
    several times faster than it argsorts them, so when key and position fit in 63 bits together
    the positions ride in the low bits of the values sorted (one buffer, reused throughout)."""
    n = len(key)
    shift = max((n - 1).bit_length(), 1)
    low = int(key.min()) if n else 0
    if n and key.dtype.kind in "iu" and int(key.max()) - low < (1 << (63 - shift)):
        packed = key.astype(np.int64)  # a copy: the caller's array stays as it was
        packed -= low
        packed <<= shift
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        order = (packed & ((1 << shift) - 1)).astype(positions(n))
        packed >>= shift
        packed += low
        return packed, order
    order = np.argsort(key, kind="stable")
    return key[order], order


def sorted_window_pairs(target: np.ndarray, t: np.ndarray,
                         window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``window_pairs`` before translation: ``order`` sorts the entries by (target, t) and each
    pair is ``(i, j)``, positions in that order with ``i < j``."""
    n = len(t)
    empty = np.empty(0, positions(n))
    if n < 2:
        return np.arange(n), empty, empty
    # lexsort((t, target)) as two stable sorts: by time, then by target (as dense codes)
    by_time = stable_argsort(t - t.min())
    codes = pd.factorize(target[by_time])[0]
    by_target = stable_argsort(codes)
    order = by_time[by_target]
    tgt, ts = codes[by_target], t[order]
    active = np.arange(n - 1, dtype=positions(n))
    lefts, rights = [empty], [empty]
    k = 1
    while active.size:
        other = active + k
        keep = other < n
        active, other = active[keep], other[keep]
        keep = (tgt[other] == tgt[active]) & (ts[other] - ts[active] <= window)
        active, other = active[keep], other[keep]
        lefts.append(active)
        rights.append(other)
        k += 1
    return order, np.concatenate(lefts), np.concatenate(rights)


def positions(n: int) -> type:
    """The narrowest index type for ``n`` things: half the memory of int64 for any real corpus
    (on big corpora, touching fresh memory costs more than the arithmetic)."""
    return np.int32 if n < 2**31 else np.int64
