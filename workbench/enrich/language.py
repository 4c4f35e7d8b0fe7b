"""Language of a post, offline, with lingua; the author's other posts decide what a short text cannot.

A post's text is judged once links, @handles, #hashtags, a retweet's ``RT @user:``, numbers, HTML
entities and emoji are taken out (:func:`clean`). Each language then gets lingua's confidence.
A text that is long and sure enough decides alone. Where it is not and the author is known, the
author's other posts are a prior: the languages of their posts that the text alone put beyond doubt
(in the same batch, and as earlier runs stored them) weigh each candidate, so that "Made in France"
by an account that writes English is English, and "Уже 5:0..." by one that writes Russian is
Russian. ``und`` is left for texts with no words in any language considered, texts too short to
judge without a prior, and texts whose best language stays below ``min_confidence``.

lingua ships its n-gram models inside the package, so nothing is fetched. Its models are loaded per
language on first need and take memory: about 17 MB a language in high-accuracy mode (all 75: over
1.3 GB), so a detector considers only the case's languages, or :data:`DEFAULT_LANGUAGES`. Low-accuracy
mode loads only trigram models (all 75 fit in about 100 MB) and misjudges short texts more often. In
high-accuracy mode each text is first judged in low-accuracy mode (about five times faster), and only
a text whose best language then has less than :data:`FAST_ENOUGH` is judged again in full: on real
tweets the fast judgement agreed with the full one on 99.9 % of the texts it kept, three in four
were kept, and agreement with the tweets' own language field did not change. lingua keeps one copy
of each model per process, so both modes share them.

lingua's ``*_in_parallel`` calls are not used: their thread pool hangs in a process forked after
the parent used it (as a multiprocessing worker is), and the workbench parallelises by process.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from workbench.errors import EnrichError

#: Languages considered when the case names none: widely posted languages across scripts, kept
#: to 20 so that every model loaded stays well under 1 GB (measured: about 400 MB). Adding
#: Bulgarian, Macedonian and Serbian (or a dozen more European languages) did not raise agreement
#: on real tweets: most of those that their dataset says are in them are written in Russian.
DEFAULT_LANGUAGES = ("en", "es", "pt", "fr", "de", "nl", "it", "pl", "sv", "ru", "uk", "tr", "ar",
                     "fa", "he", "hi", "zh", "ja", "ko", "id")
UNDETERMINED = "und"
#: Changes whenever what decides a language changes (cleaning, thresholds, the prior): a new
#: version re-enriches a case.
RULES_VERSION = "language-2"

#: A text alone this sure of its best language (with at least ``min_chars`` letters) decides, and
#: counts towards its author's prior; a text less sure, or shorter, goes by the prior too.
SURE = 0.9
#: Pseudo-count given to every language in an author's prior: one post in a language is a hint,
#: fifty are near certainty.
PRIOR_PSEUDO_COUNT = 0.5
#: In high-accuracy mode, a fast (low-accuracy) judgement this sure is kept (requiring more letters
#: too, up to 100, changed neither agreement nor undetermined share on real tweets).
FAST_ENOUGH = 0.999
#: Confidences below this are not kept (they never decide anything).
_KEPT = 0.001

# What is not language: a retweet's "RT @user:", links, e-mail addresses, @handles (Mastodon's
# @user@host too), #hashtags, numbers, HTML entities and emoji (with their joiners, variation
# selectors and flag letters).
_RETWEET = re.compile(r"^\s*RT\b(?:\s+@?[\w.]+\s*:)?")
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w.@-]*\w|\d+|&(?:#\d+|[a-zA-Z]+);"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE00-\uFE0F\u200D\u20E3\uFFFD]"
)
_NOT_LETTER = re.compile(r"[\W\d_]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# A word after a word (not after a sentence's end or an opening quote or bracket).
_INNER_WORD = re.compile(r"(?<=[^\s.!?¡¿:;\"'«“‘(…])(\s+)(\w[\w'’-]*)")
#: A few words in each script lingua's languages are written in.
_SCRIPT_SAMPLES = ("the fire is out now", "пожежа вже згасла", "пожар уже потушен",
                   "الحريق انطفأ الآن", "η φωτιά έσβησε", "השריפה כבתה", "火已经灭了",
                   "火事はもう消えた", "불이 꺼졌다", "आग बुझ गई है", "ไฟดับแล้ว", "ხანძარი ჩაქრა",
                   "հրդեհը մարեց", "আগুন নিভে গেছে", "ਅੱਗ ਬੁਝ ਗਈ", "આગ બુઝાઈ ગઈ",
                   "தீ அணைந்தது", "మంట ఆరిపోయింది", "ආ ගින්න නිවී ඇත", "आगी विझली")
#: Distinct texts remembered (about 40 MB at 100,000): reposts and copy-pasted texts repeat
#: across a whole case, not only within a few thousand posts.
CACHE_SIZE = 100_000


class Detected(NamedTuple):
    """A text's language: ISO 639-1 code (or "und"), the confidence in it (0 for "und"), and
    what decided it: ``"text"`` (the text alone), ``"author"`` (the author's other posts: the text
    alone was too short or unsure, or said otherwise) or ``""`` (undetermined)."""

    code: str
    confidence: float
    basis: str = ""


class Judged(NamedTuple):
    """What the text alone says: its letters once cleaned, and lingua's confidence per language
    (best first; languages with next to none left out)."""

    letters: int
    values: tuple[tuple[str, float], ...]

    @property
    def best(self) -> tuple[str, float]:
        return self.values[0] if self.values else (UNDETERMINED, 0.0)


def clean(text: str) -> str:
    """The text without a retweet's ``RT @user:``, links, handles, hashtags, e-mail addresses,
    numbers, HTML entities and emoji."""
    return _NOISE.sub(" ", _RETWEET.sub(" ", text))


def without_names(text: str) -> str:
    """The text without capitalised words inside sentences: mostly names of people and places.

    A name's n-grams say where it comes from, not what language the post is in: one Dutch town in
    an English sentence made lingua call it Dutch. German nouns go too; its other words suffice.
    A headline, where most words are capitalised ("Kim Jong-un Just Backed Down"), is kept whole:
    there the capitals say nothing about names.
    """
    words = _WORD.findall(text)
    if sum(word[0].isupper() for word in words) * 2 >= len(words):
        return text
    return _INNER_WORD.sub(_drop_title, text)


def _drop_title(match: re.Match) -> str:
    return match.group(1) if match.group(2).istitle() else match.group(0)


def _letters(text: str) -> int:
    return len(_NOT_LETTER.sub("", text))


class LanguageDetector:
    """Detects the language of texts among ``languages`` (ISO 639-1), built on first use.

    Each text is judged alone first (:meth:`judge`): lingua's confidences, summing to 1 over the
    languages considered, once the text is cleaned (:func:`clean`) and capitalised words inside
    sentences (names) are left out unless too little would be left or the text is a headline.
    A text with at least ``min_chars`` letters whose best language has :data:`SURE` is decided
    by itself. When :meth:`detect` is given each text's author, those sure texts of an author,
    with ``known`` counts from elsewhere (earlier runs), make the author's prior: for the
    author's other texts, each language's confidence is weighed by its posts (plus
    :data:`PRIOR_PSEUDO_COUNT`) and the result normalised. A text gets "und" when no letters
    are left, when fewer than ``min_chars`` are left and there is no prior, or when its best
    language has less than ``min_confidence``.
    Only the configured languages are answered: a text in another language gets the closest of
    them or "und", and one in a script none of them uses gets "und". Each distinct text is
    judged once per detector (reposts).
    """

    def __init__(self, languages: Sequence[str] = (), *, low_accuracy: bool = False,
                 min_chars: int = 5, min_confidence: float = 0.15):
        from lingua import IsoCode639_1, Language

        known = {lang.iso_code_639_1.name.lower() for lang in Language.all()}
        codes = sorted({c.strip().lower() for c in languages if c.strip()} or set(DEFAULT_LANGUAGES))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise EnrichError(
                f"language detection does not know {', '.join(repr(c) for c in unknown)}",
                hint=f"use ISO 639-1 codes lingua supports: {', '.join(sorted(known))}",
            )
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {min_confidence}")
        self.languages = tuple(codes)
        self.low_accuracy = low_accuracy
        self.min_chars = min_chars
        self.min_confidence = min_confidence
        self._isos = [getattr(IsoCode639_1, c.upper()) for c in codes]
        self._detectors: tuple[Any, Any] | None = None
        self._cache: dict[str, Judged] = {}

    @functools.cached_property
    def method(self) -> str:
        """What made the results, e.g. ``lingua 2.1.1 (high accuracy, 6 languages)``."""
        version = importlib.metadata.version("lingua-language-detector")
        mode = "low" if self.low_accuracy else "high"
        return f"lingua {version} ({mode} accuracy, {len(self.languages)} languages)"

    def detect(self, texts: Sequence[str], authors: Sequence[Hashable | None] | None = None,
               known: Mapping[Hashable, Mapping[str, int]] | None = None) -> list[Detected]:
        """The language of each text, in order.

        ``authors`` (one per text; None where unknown) lets an author's other texts here, and
        ``known`` (author -> language -> posts, e.g. from earlier runs), decide short and unsure
        texts; see the class docstring.
        """
        judged = [self.judge(text) for text in texts]
        if authors is None:
            return [self._decide(one, None) for one in judged]
        if len(authors) != len(judged):
            raise ValueError(f"{len(judged)} texts but {len(authors)} authors")
        priors = self.tally(judged, authors, known)
        return [self._decide(one, priors.get(author) if author is not None else None)
                for one, author in zip(judged, authors, strict=True)]

    def judge(self, text: str) -> Judged:
        """What ``text`` alone says (remembered per distinct cleaned text)."""
        cleaned = clean(text or "")
        hit = self._cache.get(cleaned)
        if hit is None:
            hit = self._judge(cleaned)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[cleaned] = hit
        return hit

    def tally(self, judged: Sequence[Judged], authors: Sequence[Hashable | None],
              known: Mapping[Hashable, Mapping[str, int]] | None = None) -> dict[Hashable, Counter]:
        """Per author, the languages of their texts that the text alone decided (with ``known``
        counts added)."""
        priors: dict[Hashable, Counter] = {}
        for one, author in zip(judged, authors, strict=True):
            if author is None or one.letters < self.min_chars:
                continue
            code, value = one.best
            if value >= SURE:
                priors.setdefault(author, Counter())[code] += 1
        for author, counts in (known or {}).items():
            mine = priors.setdefault(author, Counter())
            for code, count in counts.items():
                if code in self.languages and count > 0:
                    mine[code] += count
        return {author: counts for author, counts in priors.items() if counts}

    def _decide(self, judged: Judged, prior: Counter | None) -> Detected:
        if not judged.values:
            return Detected(UNDETERMINED, 0.0)
        alone, confidence = judged.best
        judgeable = judged.letters >= self.min_chars
        if not prior or (judgeable and confidence >= SURE):
            if not judgeable or confidence < self.min_confidence:
                return Detected(UNDETERMINED, 0.0)
            return Detected(alone, confidence, "text")
        weighed = {code: value * (prior.get(code, 0) + PRIOR_PSEUDO_COUNT)
                   for code, value in judged.values}
        total = sum(weighed.values())
        code = max(weighed, key=weighed.__getitem__)
        confidence = weighed[code] / total
        if confidence < self.min_confidence:
            return Detected(UNDETERMINED, 0.0)
        by_text = code == alone and judgeable and judged.best[1] >= self.min_confidence
        return Detected(code, confidence, "text" if by_text else "author")

    def load(self) -> None:
        """Load the models of every language considered now, not at the first text that needs
        them (for a process that others are forked from). One sentence is judged in each
        script: lingua loads the models of the languages written in the scripts it meets."""
        fast, full = self._detectors or self._build()
        for sample in _SCRIPT_SAMPLES:
            (full or fast).compute_language_confidence_values(sample)

    def _judge(self, cleaned: str) -> Judged:
        letters = _letters(cleaned)
        if not letters:
            return Judged(0, ())
        unnamed = without_names(cleaned)
        if _letters(unnamed) >= self.min_chars:
            cleaned = unnamed
        fast, full = self._detectors or self._build()
        values = fast.compute_language_confidence_values(cleaned)
        if full is not None and (not values or values[0].value < FAST_ENOUGH):
            values = full.compute_language_confidence_values(cleaned)
        return Judged(letters, tuple((v.language.iso_code_639_1.name.lower(), v.value)
                                     for v in values if v.value >= _KEPT))

    def _build(self) -> tuple[Any, Any]:
        from lingua import LanguageDetectorBuilder

        def builder() -> Any:
            return LanguageDetectorBuilder.from_iso_codes_639_1(*self._isos)

        fast = builder().with_low_accuracy_mode().build()
        self._detectors = (fast, None if self.low_accuracy else builder().build())
        return self._detectors

    def __getstate__(self) -> dict:
        # Sent to worker processes unbuilt: each builds its own detector on first use.
        return {**self.__dict__, "_detectors": None, "_cache": {}, "_isos": None}

    def __setstate__(self, state: dict) -> None:
        from lingua import IsoCode639_1

        self.__dict__.update(state)
        self._isos = [getattr(IsoCode639_1, c.upper()) for c in self.languages]
