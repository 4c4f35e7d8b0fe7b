"""Gazetteer places in a tokenized text: every place name of :func:`workbench.geo.names.place_names`.

Why not spaCy's PhraseMatcher: its patterns are Docs, and every token of the ~270,000 names (cities
with their alternate names) becomes a Lexeme in the pipeline's vocabulary: measured 20-40 s and
0.4-1.7 GB per language. Here the names are looked up as strings instead: only tokens that can
start a name (their LOWER hash is in a set) are tried; from such a token the text up to each
following token end is looked up, as long as some name starting with that word is that long, and
the longest hit wins. Built once per process (about 1 s over the cached names) and shared by every
language's pipeline, whatever its tokenizer. Not covered: names in scripts written without spaces
(Chinese, Japanese, Thai) inside running text, where a token is not a word.

Names are matched case-insensitively, except names that are also common words: those must be
written as in the gazetteer ("Nice", not "nice"), not start a sentence and not stand in a text
that capitalises most of its words, as headlines do ("Trump Slams Iran Deal"). Where one written form
names several places, the case's countries win, then a country over a state over a city, then the
larger population.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from spacy.attrs import IDX, LENGTH, LOWER
from spacy.strings import get_string_id

from workbench.geo import diskcache
from workbench.geo.names import PlaceName, place_names

_WORD = re.compile(r"\W*(\w+)")
_KIND_RANK = {"country": 2, "state": 1, "city": 0}
#: What a token before a capitalised word may be for that word to start a sentence.
_SENTENCE_BREAK = frozenset(".!?…:;\"“”«»()[]-–—•|/")


class _Tables(NamedTuple):
    lower: dict[str, PlaceName | list]  # lower-cased name -> place (its fields, from the cache)
    cased: dict[str, PlaceName | list]  # name as written -> place (names that are common words)
    lengths: dict[str, tuple[int, ...]]  # first word (lower case) -> name lengths, longest first
    # spaCy's LOWER hashes of every token a name can start with (its first word, or the whole
    # first chunk when a tokenizer keeps "saint-denis" together): most tokens are skipped on these.
    first: frozenset[int]


class PlaceMatcher:
    """Finds gazetteer places in a spaCy Doc: ``(start token, end token, place)``, left to right."""

    def __init__(self, countries: Sequence[str] = (), min_population: int = 15000,
                 local_min_population: int = 5000):
        self.settings = (tuple(sorted({c.strip().upper() for c in countries if c.strip()})),
                         int(min_population), int(local_min_population))
        self.tables = _tables(*self.settings)

    def __call__(self, doc) -> list[tuple[int, int, PlaceName]]:
        by_lower, by_cased, lengths, first = self.tables
        candidates = [i for i, h in enumerate(doc.to_array(LOWER).tolist()) if h in first]
        if not candidates:
            return []
        text = doc.text
        lower = _lower(text)
        # Offsets from the token arrays: iterating the Doc would make a Token object per token.
        starts = doc.to_array(IDX).tolist()
        ends = [start + length for start, length in zip(starts, doc.to_array(LENGTH).tolist(), strict=True)]
        out = []
        free = 0  # the first token not in a place found already
        headline = None  # whether capitals say nothing in this text: asked at the first cased name
        for i in candidates:
            if i < free:
                continue
            idx = starts[i]
            m = _WORD.match(lower, idx)
            if m is None or m.start(1) != idx + _lead(lower, idx):
                continue
            sizes = lengths.get(m.group(1))
            if sizes is None:
                continue
            longest = sizes[0]
            hit = None
            for j in range(i, len(ends)):  # the names may end where token j ends: keep the longest
                size = ends[j] - idx
                if size > longest:
                    break
                if size not in sizes:
                    continue
                place = by_lower.get(lower[idx:idx + size])
                if place is None:
                    place = by_cased.get(text[idx:idx + size])
                    if place is None or starts_sentence(doc, i):
                        continue
                    if headline is None:
                        headline = title_case(text)
                    if headline:
                        continue
                hit = (i, j + 1, place if type(place) is PlaceName else PlaceName(*place))
            if hit:
                out.append(hit)
                free = hit[1]
        return out

    def __reduce__(self):
        # Rebuilt from the settings in a worker process (the names are cached there too).
        return (PlaceMatcher, self.settings)


def _lower(text: str) -> str:
    """Lower case with every character kept in place ('İ' would lower to two characters)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower


def _lead(text: str, idx: int) -> int:
    """How many non-word characters a token starts with (names may start with an apostrophe only)."""
    return 1 if text[idx] in "'’" else 0


_LONG_WORD = re.compile(r"(?<![\w@#/.])[^\W\d_]{4,}")


def title_case(text: str) -> bool:
    """Whether a text capitalises most of its words, as headlines do ("Trump's Iran Deal Is A
    Disaster"): there a capital letter no more says "a name" than at a sentence start."""
    words = _LONG_WORD.findall(text)
    capitals = sum(word[0].isupper() for word in words)
    return len(words) >= 3 and capitals >= 0.7 * len(words)


def starts_sentence(doc, index: int) -> bool:
    """Whether token ``index`` may start a sentence, so that its capital letter says nothing."""
    i = index - 1
    while i >= 0 and doc[i].is_space:
        if "\n" in doc[i].text:
            return True
        i -= 1
    if i < 0:
        return True
    before = doc[i]
    text = before.text
    return (text[-1] in _SENTENCE_BREAK or text[0] in "@#"
            or not (before.is_alpha or before.like_num or text == ","))


@functools.lru_cache(maxsize=4)
def _tables(countries: tuple[str, ...], min_population: int, local_min_population: int) -> _Tables:
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects and no cycles among them
    try:
        cache = _cache_file((countries, min_population, local_min_population))
        tables = _read_cache(cache) if cache else None
        if tables is None:
            names = place_names(countries, min_population, local_min_population)
            tables = _build(names, set(countries))
            if cache:
                _write_cache(cache, tables)
        return tables
    finally:
        if enabled:
            gc.enable()


# --- the tables are kept on disk (workbench.geo.diskcache): every worker process and every
# --- command would otherwise spend seconds building the same tables from the same data.

CACHE_ENV = diskcache.CACHE_ENV


def _cache_file(settings: tuple) -> Path:
    """The cache file for these settings and the code and stop lists that filter the names."""
    here = Path(__file__).resolve()
    geo = here.parent.parent / "geo"
    return diskcache.cache_file("places", settings, [here, geo / "names.py", geo / "stoplist.py"])


def _read_cache(path: Path) -> _Tables | None:
    data = diskcache.read(path)
    try:
        # Places stay lists of PlaceName's fields until matched: making 270,000 named tuples here
        # would cost as much as reading the file.
        lengths = {k: tuple(v) for k, v in data["lengths"].items()}
        return _Tables(data["lower"], data["cased"], lengths, frozenset(data["first"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache yet, or one from elsewhere: build the tables


def _write_cache(path: Path, tables: _Tables) -> None:
    diskcache.write(path, {"lower": {k: list(v) for k, v in tables.lower.items()},
                           "cased": {k: list(v) for k, v in tables.cased.items()},
                           "lengths": tables.lengths, "first": sorted(tables.first)})


def _build(names: list[PlaceName], wanted: set[str]) -> _Tables:

    def rank(place: PlaceName) -> tuple:
        return (place.country in wanted, _KIND_RANK[place.kind], place.population,
                place.name == place.canonical)

    lower: dict[str, PlaceName] = {}
    cased: dict[str, PlaceName] = {}
    lengths: dict[str, set[int]] = {}
    first: set[int] = set()
    for place in names:
        name = place.name
        folded = _lower(name)
        m = _WORD.match(folded)
        if not m or m.start(1) != _lead(folded, 0):
            continue  # a name must start with a word (or an apostrophe: 's-Hertogenbosch)
        key, table = (name, cased) if place.cased else (folded, lower)
        best = table.get(key)
        if best is None or rank(place) > rank(best):
            table[key] = place
        if m.group(1) not in lengths:
            first.add(get_string_id(m.group(1)))
        lengths.setdefault(m.group(1), set()).add(len(name))
        first.add(get_string_id(folded.split(" ", 1)[0]))
        if folded[0] in "'’":
            # 's-Hertogenbosch: "'s", or the apostrophe alone, can be a token of its own
            first.update((get_string_id(folded[:2]), get_string_id(folded[0])))
    return _Tables(lower, cased, {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()},
                   frozenset(first))
