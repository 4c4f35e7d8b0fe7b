"""Watch terms: the plan's keywords, hashtags and accounts, and weighted watch lists, with a risk score.

Matching ignores case and accents (Latin, Greek and Cyrillic diacritics: "cafe" finds "Café"),
and terms and phrases match whole words only ("art" does not hit "party"); a phrase's words may be
separated by any whitespace. Regular expressions run over the text folded the same way (lower
case, accents removed), with ``re.IGNORECASE``. Offsets in hits always refer to the original text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from workbench.plan import CasePlan

Kind = Literal["term", "phrase", "regex", "hashtag", "account"]
KINDS: tuple[str, ...] = get_args(Kind)
FIELDS = ("term", "kind", "category", "weight", "note")

# Texts a regular expression is tried on to see whether it can match nothing at all.
_EMPTY_PROBES = ("", " ", "a", "a b", "1", "a.b\n")
# A quantified group that itself holds a quantifier, as in (a+)+ or (\w*)*: such patterns can take
# exponential time on a near-miss. An atomic group (?>...) is allowed, as it cannot backtrack.
_NESTED = re.compile(r"\((?!\?>)(?:[^()\\]|\\.)*(?<!\\)[+*](?:[^()\\]|\\.)*\)[+*{]")
_MARKS = re.compile("[\u0300-\u036f]")
# Characters that fold into fewer: an accent written apart from its letter, Hangul written as jamo.
_SHRINKS = re.compile("[\u0300-\u036f\u1100-\u11ff]")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
_HANDLE = re.compile(r"(?<![\w@])@(\w(?:[\w.@-]*\w)?)")


class WatchTerm(BaseModel):
    """A term to watch for, what it indicates (``category``) and how much it weighs (0..10).

    ``kind`` is inferred when not given: a term with spaces is a ``phrase``. A hashtag is kept
    without its ``#`` and an account without its ``@``. A ``regex`` must compile and must not
    match empty text or nest quantifiers; its error names the term.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    term: str = Field(min_length=1)
    kind: Kind = "term"
    category: str = Field(default="watch", min_length=1)
    weight: float = Field(default=1.0, ge=0.0, le=10.0)
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("term"), str):
            return data
        data = dict(data)
        term = data["term"].strip()
        kind = data.get("kind") or "term"
        if kind == "term" and any(c.isspace() for c in term):
            kind = "phrase"
        elif kind == "hashtag":
            term = term.lstrip("#")
        elif kind == "account":
            term = term.lstrip("@")
        data.update(term=term, kind=kind)
        if data.get("note") is None:
            data["note"] = ""
        return data

    @model_validator(mode="after")
    def _valid_pattern(self) -> WatchTerm:
        if self.kind in ("hashtag", "account") and any(c.isspace() for c in self.term):
            raise ValueError(f"{self.kind} {self.term!r} has a space in it")
        if self.kind == "regex":
            _check_regex(self.term)
        return self

    def shown(self) -> str:
        """The term as a reader would write it: ``#tag``, ``@handle``, ``/regex/``, or the words."""
        return shown(self.kind, self.term)


class Hit(NamedTuple):
    """A watch term found in an item; ``start``/``end`` are None when found in the item's lists."""

    term: str
    kind: str
    category: str
    weight: float
    start: int | None
    end: int | None


def shown(kind: str, term: str) -> str:
    """A term as a reader would write it: ``#tag``, ``@handle``, ``/regex/``, or the words."""
    if kind == "regex":
        return f"/{term}/"
    return {"hashtag": "#", "account": "@"}.get(kind, "") + term


def _check_regex(pattern: str) -> None:
    try:
        compiled = re.compile(fold_pattern(pattern), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"regex {pattern!r} does not compile: {exc}") from None
    if any(m.start() == m.end() for probe in _EMPTY_PROBES for m in compiled.finditer(probe)):
        raise ValueError(f"regex {pattern!r} can match empty text; it would hit every post")
    if _NESTED.search(pattern):
        raise ValueError(
            f"regex {pattern!r} nests quantifiers, which can take forever on some texts; "
            "rewrite it, or make the inner group atomic with (?>...)"
        )


@cache
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFKD", char))).casefold()


def fold(text: str) -> str:
    """``text`` in lower case without accents, as terms and texts are compared."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFKD", text))).casefold()


def fold_pattern(pattern: str) -> str:
    """A regular expression without accents; case is left alone, as ``\\S`` is not ``\\s``."""
    return pattern if pattern.isascii() else unicodedata.normalize(
        "NFC", _MARKS.sub("", unicodedata.normalize("NFKD", pattern)))


def _fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when folding changed lengths, each folded character's original index."""
    folded = fold(text)
    if len(folded) == len(text) and not _SHRINKS.search(text):
        return folded, None
    # Some character folded to more or fewer ("ß" to "ss", "ﬁ" to "fi", a lone accent to nothing).
    parts = list(map(_fold_char, text))
    return "".join(parts), [i for i, part in enumerate(parts) for _ in part]


def _phrase_key(term: str) -> str:
    return " ".join(fold(term).split())


def _handle_key(handle: str) -> str:
    return fold(handle.strip().lstrip("@").rstrip("."))


class WatchList:
    """Watch terms compiled once for matching many texts.

    Terms and phrases are matched by one regular expression shaped as a prefix tree of them all
    (a term that begins another, like "burn" and "burn it down", goes in a second one so that
    both are found); hashtags and accounts by looking up each ``#tag`` and ``@handle`` of the
    text; each regex on its own.
    """

    def __init__(self, terms: Iterable[WatchTerm]):
        self.terms = tuple(dict.fromkeys(terms))
        self._words: dict[str, list[WatchTerm]] = {}
        self._tags: dict[str, list[WatchTerm]] = {}
        self._accounts: dict[str, list[WatchTerm]] = {}
        self._regexes: list[tuple[re.Pattern, WatchTerm]] = []
        for term in self.terms:
            if term.kind in ("term", "phrase"):
                self._words.setdefault(_phrase_key(term.term), []).append(term)
            elif term.kind == "hashtag":
                self._tags.setdefault(fold(term.term), []).append(term)
            elif term.kind == "account":
                self._accounts.setdefault(_handle_key(term.term), []).append(term)
            else:
                self._regexes.append((re.compile(fold_pattern(term.term), re.IGNORECASE), term))
        self._layers = [_alternation(keys) for keys in _layers(self._words)]

    def __len__(self) -> int:
        return len(self.terms)

    def match(self, text: str, *, hashtags: Sequence[str] = (), mentions: Sequence[str] = (),
              author_handle: str | None = None) -> list[Hit]:
        """Every hit in ``text`` (in order), then those found only in the item's lists.

        ``hashtags`` and ``mentions`` are the item's own lists (with or without ``#``/``@``);
        ``author_handle`` is who posted it. A term found in the text is not reported again
        from a list.
        """
        if not self.terms:
            return []
        folded, where = _fold_with_offsets(text or "")
        spans: list[tuple[int, int, WatchTerm]] = []
        for layer in self._layers:
            for m in layer.finditer(folded):
                found = m.group(1)
                for term in self._words.get(" ".join(found.split()), ()):
                    spans.append((m.start(1), m.end(1), term))
        if self._tags and "#" in folded:
            for m in _HASHTAG.finditer(folded):
                for term in self._tags.get(m.group(1), ()):
                    spans.append((m.start(), m.end(), term))
        if self._accounts and "@" in folded:
            for m in _HANDLE.finditer(folded):
                for term in self._accounts.get(m.group(1), ()):
                    spans.append((m.start(), m.end(), term))
        for pattern, term in self._regexes:
            spans += [(m.start(), m.end(), term) for m in pattern.finditer(folded) if m.end() > m.start()]
        spans.sort(key=lambda s: (s[0], s[1], s[2].term))
        hits = [_hit(term, *_original(text, start, end, where)) for start, end, term in spans]
        seen = {term for _, _, term in spans if term.kind in ("hashtag", "account")}
        listed = [(self._tags, fold(tag.lstrip("#"))) for tag in hashtags]
        listed += [(self._accounts, _handle_key(handle)) for handle in mentions]
        if author_handle:
            listed.append((self._accounts, _handle_key(author_handle)))
        for table, key in listed:
            for term in table.get(key, ()):
                if term not in seen:
                    seen.add(term)
                    hits.append(_hit(term, None, None))
        return hits


def _hit(term: WatchTerm, start: int | None, end: int | None) -> Hit:
    return Hit(term.term, term.kind, term.category, term.weight, start, end)


def _original(text: str, start: int, end: int, where: list[int] | None) -> tuple[int, int]:
    if where is None:
        return start, end
    start, end = where[start], where[end - 1] + 1
    while end < len(text) and unicodedata.combining(text[end]):  # the accents of the last letter
        end += 1
    return start, end


def _layers(words: dict[str, list[WatchTerm]]) -> list[list[str]]:
    """Keys in groups where none begins another, so one alternation can find each group's keys."""
    layer_of: dict[str, int] = {}
    for key in sorted(words, key=len):
        below = [layer_of[key[:i]] for i in range(1, len(key)) if key[:i] in layer_of]
        layer_of[key] = max(below) + 1 if below else 0
    layers: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for key, layer in layer_of.items():
        layers[layer].append(key)
    return layers


def _alternation(keys: list[str]) -> re.Pattern:
    # Inside a lookahead, so that overlapping terms ("burn it" and "it down") are all found.
    return re.compile(rf"(?=(?<!\w)({_trie(keys)})(?!\w))")


def _trie(keys: Iterable[str]) -> str:
    """One regular expression for all ``keys``, sharing their prefixes: 3x faster than ``a|b|c``.

    A space in a key stands for any run of whitespace.
    """
    root: dict[str, dict] = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [(r"\s+" if char == " " else re.escape(char)) + emit(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def risk(hits: Iterable[Hit]) -> tuple[float, list[str]]:
    """A risk score from 0 to 100 and the reasons for it, heaviest first.

    ``score = 100 * (1 - prod(1 - weight / 10))`` over the distinct terms hit (a term hit again
    counts once; its reason says how often). One term of weight 5 gives 50, two give 75, any
    term of weight 10 gives 100; terms of weight 0 (such as the plan's own) add nothing and give
    no reason. Reasons read ``"threat: 'burn it down' (weight 5)"``.
    """
    if not hits:
        return 0.0, []
    counts: dict[tuple[str, str, str, float], int] = {}
    for hit in hits:
        key = (hit.category, hit.kind, hit.term, hit.weight)
        counts[key] = counts.get(key, 0) + 1
    weighed = [(key, n) for key, n in counts.items() if key[3] > 0]
    score = 100.0 * (1.0 - prod(1.0 - key[3] / 10.0 for key, _ in weighed))
    weighed.sort(key=lambda kn: (-kn[0][3], kn[0][0], kn[0][2]))
    reasons = []
    for (category, kind, term, weight), n in weighed:
        times = f", {n} hits" if n > 1 else ""
        reasons.append(f"{category}: '{shown(kind, term)}' (weight {weight:g}{times})")
    return round(score, 2), reasons


def fingerprint(terms: Iterable[WatchTerm]) -> str:
    """A sha256 of the terms, their kinds, categories and weights, in any order: what matching uses.

    Notes are left out: changing one does not change any hit or score.
    """
    rows = sorted({(t.kind, t.term, t.category, t.weight) for t in terms})
    return hashlib.sha256(orjson.dumps(rows)).hexdigest()


def plan_terms(plan: CasePlan, *, category: str = "plan", weight: float = 0.0) -> list[WatchTerm]:
    """The plan's keywords (as terms or phrases), hashtags and accounts, as watch terms.

    They weigh 0 by default: they say an item is relevant to the case, not that it is a risk.
    """
    made = [WatchTerm(term=k, category=category, weight=weight) for k in plan.keywords if k.strip()]
    made += [WatchTerm(term=h, kind="hashtag", category=category, weight=weight)
             for h in plan.hashtags if h.strip("# ")]
    made += [WatchTerm(term=a, kind="account", category=category, weight=weight)
             for a in plan.accounts if a.strip("@ ")]
    return list(dict.fromkeys(made))
