"""Stop words for terms: spaCy's lists per language, with their clitics and elisions, and time words.

Burst drivers and emerging terms should be words that say what happened; "it's", "the", "heute" and
"today" say nothing. Each item's terms lose the stop words of its own language and of the case's
main languages (:func:`main_languages`); a word in one language can be content in another ("die"
is German for "the", an English verb), so a language's list applies only where it is spoken.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

#: Languages whose stop words (from spaCy's lists) are dropped from terms when the items'
#: languages are not known (not enriched).
STOP_LANGS = ("en", "nl", "de", "fr", "es", "it", "pt", "ar", "uk", "ru", "pl", "tr")
#: A language with at least this share of the items is one of the case's languages: its stop words
#: are dropped from every item (short posts are often detected as another language).
MAIN_LANGUAGE_SHARE = 0.05
#: Words of social media itself, and spoken forms no stop-word list has.
SOCIAL_WORDS = frozenset({"amp", "rt", "via", "y'all", "ya'll", "gonna", "wanna", "gotta"})
#: Words that say when rather than what ("today" drives no burst); spaCy's lists leave most out.
TIME_WORDS = {
    "en": ("today", "tonight", "tomorrow", "yesterday", "tonite", "tmrw", "morning", "afternoon",
           "evening", "ago"),
    "nl": ("vandaag", "vanavond", "vannacht", "vanochtend", "vanmorgen", "morgen", "gisteren"),
    "de": ("heute", "morgen", "gestern", "abend", "heuteabend"),
    "fr": ("aujourd'hui", "demain", "hier", "soir", "matin"),
    "es": ("hoy", "mañana", "ayer", "noche"),
    "it": ("oggi", "domani", "ieri", "stasera", "stamattina"),
    "pt": ("hoje", "amanhã", "ontem"),
    "ru": ("сегодня", "завтра", "вчера", "сейчас"),
    "uk": ("сьогодні", "завтра", "вчора", "зараз"),
    "pl": ("dzisiaj", "dziś", "jutro", "wczoraj"),
    "tr": ("bugün", "yarın", "dün"),
    "ar": ("اليوم", "غدا", "أمس"),
}
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


def stop_words(languages: Iterable[str] | None = None) -> frozenset[str]:
    """Stop words of ``languages`` (ISO 639-1 codes; :data:`STOP_LANGS` when None), lower-cased.

    spaCy's list of each language (with its clitics and elisions: ``'s``, ``n't``, ``l'``), the
    language's :data:`TIME_WORDS` and :data:`SOCIAL_WORDS`. A language spaCy has no list for adds
    only its time words. Apostrophes are the straight kind (``'``), as :func:`terms` writes them.
    """
    codes = STOP_LANGS if languages is None else languages
    return _stop_words(tuple(sorted({c.lower() for c in codes if isinstance(c, str)})))


@lru_cache(maxsize=64)
def _stop_words(codes: tuple[str, ...]) -> frozenset[str]:
    words = set(SOCIAL_WORDS)
    for code in codes:
        if _LANG_CODE.match(code):
            words |= _spacy_stop_words(code) | set(TIME_WORDS.get(code, ()))
    return frozenset(words)


@cache
def _spacy_stop_words(code: str) -> frozenset[str]:
    """spaCy's stop words of one language, read from their file rather than imported: importing
    ``spacy.lang.fr`` builds its tokenizer exceptions and costs seconds, the list milliseconds."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:  # spaCy absent: terms keep their stop words
        return frozenset()
    path = Path(spec.origin).parent / "lang" / code / "stop_words.py"
    if not path.is_file():
        return frozenset()
    file_spec = importlib.util.spec_from_file_location(f"_stop_words_{code}", path)
    module = importlib.util.module_from_spec(file_spec)
    file_spec.loader.exec_module(module)
    return frozenset(w.casefold().replace("’", "'") for w in module.STOP_WORDS)


def unclitic(word: str, stops: frozenset[str]) -> str:
    """``word`` without the elisions before it (l'homme) and the clitic after it (it's, don't)
    that are stop words."""
    if "'" not in word:
        return word
    head, sep, rest = word.partition("'")
    while sep and rest and head + "'" in stops:
        word = rest
        head, sep, rest = word.partition("'")
    if word.endswith("n't") and "n't" in stops:
        return word[:-3]
    stem, sep, tail = word.rpartition("'")
    return stem if sep and "'" + tail in stops else word


def main_languages(languages: pd.Series, share: float = MAIN_LANGUAGE_SHARE) -> set[str]:
    """The languages of at least ``share`` of the items (detected ones only), and the commonest."""
    known = languages.dropna().astype(str).str.lower()
    known = known[known.str.match(_LANG_CODE.pattern) & (known != "und")]
    if known.empty:
        return set()
    counts = known.value_counts()
    return {counts.index[0], *counts.index[counts / len(languages) >= share]}
