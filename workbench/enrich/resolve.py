"""Entity resolution: the same handle, hashtag, domain or name written differently counts as one.

``entity_key`` gives the key that entities are grouped by; ``resolve`` groups a case's entities
by (label, key), keeping every variant as written. Accents are dropped in keys, so ``#Brand``,
``#brand`` and ``#brånd`` are one hashtag (their norms still differ: a norm keeps what was
written, case-folded), and ``@Alice``, ``@alice`` and ``Alice.`` are one handle.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from workbench.urls import is_shortener

if TYPE_CHECKING:
    import pandas

#: Selectors whose norm is already canonical and case- or accent-sensitive in meaning.
_KEY_IS_NORM = frozenset({"PHONE", "BTC", "ETH", "IP", "COORD", "URL"})
#: Selectors that get the plain key (case, accents, @/#, punctuation) but no name rules.
_SELECTORS = frozenset({"HANDLE", "HASHTAG", "DOMAIN", "EMAIL"})

_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _strip_trailing_punctuation(text: str) -> str:
    end = len(text)
    while end and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[:end]


def entity_key(label: str, norm: str) -> str:
    """The key entities are resolved by.

    Phones, wallets, IPs, coordinates and URLs: the norm itself (URL paths are case-sensitive).
    Everything else: case-folded, accents stripped (NFKD), whitespace collapsed, leading @/# and
    trailing punctuation stripped; named entities (PERSON, ORG, places, ...) also lose a leading
    "the " and a possessive "'s".
    """
    if label in _KEY_IS_NORM:
        return norm
    key = _SPACE.sub(" ", _strip_accents(norm).casefold()).strip()
    key = _strip_trailing_punctuation(key.lstrip("@#")).strip()
    if label not in _SELECTORS:
        key = _strip_trailing_punctuation(_POSSESSIVE.sub("", key.removeprefix("the "))).strip()
    return key


def _most_frequent(values: pandas.Series) -> str:
    counts = values.value_counts()
    top = counts[counts == counts.iloc[0]].index  # ties: the first in sort order, for stable output
    return sorted(top)[0]


def resolve(entities: pandas.DataFrame) -> pandas.DataFrame:
    """Group entities (columns label, text, norm, key, uid) by (label, key).

    Returns label, key, value (the most frequent norm), items (how many distinct uids), mentions
    (how many rows), variants (the distinct texts as written, sorted); most items first, a link
    shortener's DOMAIN (t.co, bit.ly: :data:`workbench.urls.SHORTENERS`) after all the others. A
    missing or empty key is computed with :func:`entity_key`.
    """
    import pandas as pd

    columns = ["label", "key", "value", "items", "mentions", "variants"]
    if entities.empty:
        return pd.DataFrame(columns=columns)
    frame = entities[["label", "text", "norm", "uid"]].copy()
    keys = entities["key"] if "key" in entities else pd.Series("", index=entities.index)
    missing = keys.isna() | (keys == "")
    frame["key"] = keys.where(~missing, [entity_key(lab, norm) for lab, norm in
                                         zip(frame["label"], frame["norm"], strict=True)])
    grouped = frame.groupby(["label", "key"], sort=False)
    result = pd.DataFrame({
        "value": grouped["norm"].agg(_most_frequent),
        "items": grouped["uid"].nunique(),
        "mentions": grouped.size(),
        "variants": grouped["text"].agg(lambda texts: sorted(set(texts))),
    }).reset_index()
    # A shortener's domain (its links' expansions unknown) says nothing of where they lead.
    result["shortener"] = (result["label"] == "DOMAIN") & result["key"].map(is_shortener).astype(bool)
    result = result.sort_values(["shortener", "items", "mentions", "label", "key"],
                                ascending=[True, False, False, True, True])
    return result[columns].reset_index(drop=True)


def query_keys(entity: str) -> tuple[str | None, list[str]]:
    """The label (if the query names one) and the resolution keys an entity query matches.

    A value that is itself a selector (a phone number as written, a URL, a wallet) is normalised
    as enrichment normalises it, so ``+31 10 446 8899`` finds ``+31104468899``.
    """
    from workbench.enrich.selectors import find_selectors

    label, _, value = entity.partition(":")
    if not (value and label.isupper() and label.isalpha()):
        label, value = None, entity
    value = value.strip()
    keys = {entity_key(label, value)} if label else {
        entity_key(kind, value) for kind in ("HANDLE", "HASHTAG", "PERSON", "DOMAIN")}
    for found in find_selectors(value):
        if found.start == 0 and found.end == len(value) and label in (None, found.label):
            keys.add(entity_key(found.label, found.norm))
    return label, sorted(keys)
