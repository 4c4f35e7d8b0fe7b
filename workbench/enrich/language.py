"""Language of a post, offline, with lingua; "und" rather than a guess for short or mixed texts.

lingua ships its n-gram models inside the package, so nothing is fetched. Its models are loaded
per language on first need and take memory: about 17 MB a language in high-accuracy mode (all 75:
over 1.3 GB), so a detector considers only the case's languages, or :data:`DEFAULT_LANGUAGES`.
Low-accuracy mode loads only trigram models: all 75 fit in about 100 MB, but short texts are
often misjudged.

lingua's ``*_in_parallel`` calls are not used: their thread pool hangs in a process forked after
the parent used it (as a multiprocessing worker is), and the workbench parallelises by process.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from workbench.errors import EnrichError

#: Languages considered when the case names none: widely posted languages across scripts, kept
#: to 20 so that every model loaded stays well under 1 GB (measured: about 500 MB).
DEFAULT_LANGUAGES = ("en", "es", "pt", "fr", "de", "nl", "it", "pl", "sv", "ru", "uk", "tr", "ar",
                     "fa", "he", "hi", "zh", "ja", "ko", "id")
UNDETERMINED = "und"

# What is not language: links, e-mail addresses, @handles (Mastodon's @user@host too), #hashtags,
# numbers and emoji (with their joiners, variation selectors and flag letters).
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w.@-]*\w|\d+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE00-\uFE0F\u200D\u20E3]"
)
_NOT_LETTER = re.compile(r"[\W\d_]+")
# A word after a word (not after a sentence's end or an opening quote or bracket).
_INNER_WORD = re.compile(r"(?<=[^\s.!?¡¿:;\"'«“‘(…])(\s+)(\w[\w'’-]*)")
#: A few words in each script lingua's languages are written in.
_SCRIPT_SAMPLES = ("the fire is out now", "пожежа вже згасла", "пожар уже потушен",
                   "الحريق انطفأ الآن", "η φωτιά έσβησε", "השריפה כבתה", "火已经灭了",
                   "火事はもう消えた", "불이 꺼졌다", "आग बुझ गई है", "ไฟดับแล้ว", "ხანძარი ჩაქრა",
                   "հրդեհը մարեց", "আগুন নিভে গেছে", "ਅੱਗ ਬੁਝ ਗਈ", "આગ બુઝાઈ ગઈ",
                   "தீ அணைந்தது", "మంట ఆరిపోయింది", "ආ ගින්න නිවී ඇත", "आगी विझली")
#: Distinct texts remembered (about 30 MB at 100,000): reposts and copy-pasted texts repeat
#: across a whole case, not only within a few thousand posts.
CACHE_SIZE = 100_000


class Detected(NamedTuple):
    """A text's language: ISO 639-1 code (or "und") and lingua's confidence in it (0 for "und")."""

    code: str
    confidence: float


def clean(text: str) -> str:
    """The text without links, handles, hashtags, e-mail addresses, numbers and emoji."""
    return _NOISE.sub(" ", text)


def without_names(text: str) -> str:
    """The text without capitalised words inside sentences: mostly names of people and places.

    A name's n-grams say where it comes from, not what language the post is in: one Dutch town in
    an English sentence made lingua call it Dutch. German nouns go too; its other words suffice.
    """
    return _INNER_WORD.sub(_drop_title, text)


def _drop_title(match: re.Match) -> str:
    return match.group(1) if match.group(2).istitle() else match.group(0)


def _letters(text: str) -> int:
    return len(_NOT_LETTER.sub("", text))


class LanguageDetector:
    """Detects the language of texts among ``languages`` (ISO 639-1), built on first use.

    A text gets "und" when fewer than ``min_chars`` letters are left once links, handles,
    hashtags, numbers and emoji are taken out, or when lingua's confidence in its best guess is
    below ``min_confidence`` (so a text mixing two languages, whose confidence is split between
    them, is "und" too: at 0.7 the runner-up has at most 0.3). Confidences are lingua's, summing
    to 1 over the languages considered. Capitalised words inside sentences (names) are left out
    of the judgement unless too little would be left. Only the configured languages are
    answered: a text in another language gets the closest of them or "und", and one in a script
    none of them uses gets "und". Each distinct text is judged once per detector (reposts).
    """

    def __init__(self, languages: Sequence[str] = (), *, low_accuracy: bool = False,
                 min_chars: int = 10, min_confidence: float = 0.7):
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
        self._detector: Any = None
        self._cache: dict[str, Detected] = {}

    @functools.cached_property
    def method(self) -> str:
        """What made the results, e.g. ``lingua 2.1.1 (high accuracy, 6 languages)``."""
        version = importlib.metadata.version("lingua-language-detector")
        mode = "low" if self.low_accuracy else "high"
        return f"lingua {version} ({mode} accuracy, {len(self.languages)} languages)"

    def detect(self, texts: Sequence[str]) -> list[Detected]:
        """The language of each text, in order."""
        detector = self._detector or self._build()
        cache = self._cache
        found = []
        for text in texts:
            cleaned = clean(text or "")
            hit = cache.get(cleaned)
            if hit is None:
                hit = self._one(detector, cleaned)
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                # Reposts and copy-pasted texts repeat: each distinct text is judged once.
                cache[cleaned] = hit
            found.append(hit)
        return found

    def load(self) -> None:
        """Load the models of every language considered now, not at the first text that needs
        them (for a process that others are forked from). One sentence is judged in each
        script: lingua loads the models of the languages written in the scripts it meets."""
        detector = self._detector or self._build()
        for sample in _SCRIPT_SAMPLES:
            detector.compute_language_confidence_values(sample)

    def _one(self, detector: Any, cleaned: str) -> Detected:
        if _letters(cleaned) < self.min_chars:
            return Detected(UNDETERMINED, 0.0)
        unnamed = without_names(cleaned)
        if _letters(unnamed) >= self.min_chars:
            cleaned = unnamed
        values = detector.compute_language_confidence_values(cleaned)
        best = values[0] if values else None
        if best is None or best.value <= 0.0 or best.value < self.min_confidence:
            return Detected(UNDETERMINED, 0.0)
        return Detected(best.language.iso_code_639_1.name.lower(), best.value)

    def _build(self) -> Any:
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*self._isos)
        if self.low_accuracy:
            builder = builder.with_low_accuracy_mode()
        self._detector = builder.build()
        return self._detector

    def __getstate__(self) -> dict:
        # Sent to worker processes unbuilt: each builds its own detector on first use.
        return {**self.__dict__, "_detector": None, "_cache": {}, "_isos": None}

    def __setstate__(self, state: dict) -> None:
        from lingua import IsoCode639_1

        self.__dict__.update(state)
        self._isos = [getattr(IsoCode639_1, c.upper()) for c in self.languages]
