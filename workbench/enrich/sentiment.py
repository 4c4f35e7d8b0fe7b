"""Sentiment of a post with VADER, which was made for social media text (slang, caps, "!!!", emoji).

Only languages VADER has a lexicon for are scored; any other text gets ``None`` ("not scored"),
never a neutral score it did not earn. Emoji are scored through VADER's own emoji lexicon, which
reads each emoji as its name ("crying face" is negative, "smiling face with heart-eyes" positive);
emoji whose names carry no sentiment word ("pouting face", "red heart") count as neutral.
"""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache
from typing import Any, NamedTuple

#: VADER's lexicon, booster words, negations and idioms are English; scoring another language with
#: them would call most posts neutral, which is a wrong answer rather than no answer.
SUPPORTED = frozenset({"en"})

# A link's words ("fire" in a slug) and a handle's ("@happyfarmer") are not what the author says.
_NOT_SAID = re.compile(r"https?://\S+|www\.\S+|(?<![\w@])@[\w.@-]*\w")


class Sentiment(NamedTuple):
    """VADER's scores: ``compound`` in -1..1; ``pos``, ``neu``, ``neg`` the shares of the text."""

    compound: float
    pos: float
    neu: float
    neg: float


def score(text: str, lang: str | None) -> Sentiment | None:
    """The sentiment of ``text`` in language ``lang`` (ISO 639-1), or None when not scored.

    None when the language is unsupported, unknown (``None``, ``"und"``), or when nothing is left
    to score once links and @handles are taken out.
    """
    if not lang or lang.split("-")[0].lower() not in SUPPORTED:
        return None
    said = _NOT_SAID.sub(" ", text or "")
    if not said.strip():
        return None
    found = _analyzer().polarity_scores(said)
    return Sentiment(found["compound"], found["pos"], found["neu"], found["neg"])


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@cache
def _method() -> str:
    return f"vader {importlib.metadata.version('vaderSentiment')}"


def __getattr__(name: str) -> str:
    # METHOD is looked up on first use, so importing this module reads no package metadata.
    if name == "METHOD":
        return _method()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
