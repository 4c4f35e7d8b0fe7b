"""A spaCy tokenizer for social media: #hashtags, @handles, URLs and emoji stay whole."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokenizer import Tokenizer

#: Changes whenever the social tokenizer's rules change.
TOKENIZER_VERSION = "social-1"

# Emoji: Extended_Pictographic approximated by blocks (the stdlib ``re`` has no \p{...}); regional
# indicators and skin tones are left out of the base so that they only join a sequence.
_EMOJI_BASE = ("\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299"
               "\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff")
_EMOJI_ONE = f"[{_EMOJI_BASE}][\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?"
EMOJI = (
    "(?:\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # subdivision flags (England, Scotland)
    "|[\U0001f1e6-\U0001f1ff]{2}"  # country flags: a pair of regional indicators
    "|[0-9#*]\ufe0f?\u20e3"  # keycaps
    f"|{_EMOJI_ONE}(?:\u200d{_EMOJI_ONE})*)"  # one emoji with its skin tone, or a ZWJ sequence
)
# Letters, digits and _ plus the combining marks of scripts whose words need them (Devanagari to
# Sinhala, Thai, Arabic harakat), so that #हिन्दी stays whole.
_TAG_CHAR = ("[\\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff"
             "\u0e00-\u0e7f\u200c]")
HASHTAG = f"#{_TAG_CHAR}+"
# @user (Twitter, Telegram), @user.name (Instagram, TikTok), @alice.bsky.social (Bluesky),
# @user@instance.tld (Mastodon and the fediverse); never ending in '.' or '-'.
HANDLE = r"@\w(?:[\w.-]*\w)?(?:@\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)+)?"
_SOCIAL_TOKEN = re.compile(f"(?:{HASHTAG}|{HANDLE}|{EMOJI})\\Z")


def social_tokenizer(nlp: Language) -> Language:
    """Give ``nlp`` a tokenizer that keeps social media tokens whole; returns ``nlp``.

    Hashtags (``#tag``), handles (``@user``, ``@user@instance.tld``) and emoji (skin tones, ZWJ
    sequences, flags, keycaps) become single tokens (``token_match``), and emoji are split off the
    words they touch (prefix, suffix and infix rules, tried before the language's own). URLs and
    e-mail addresses already are single tokens (spaCy's ``url_match``). Languages whose tokenizer is
    not spaCy's rule-based one (Chinese, Japanese, ...) are left as they are.
    """
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):
        return nlp
    if _pattern(tokenizer.token_match) == _SOCIAL_TOKEN.pattern:
        return nlp  # saved with it already (the shipped pipeline): wrapping its rules again adds nothing
    prefix, suffix, infix = (_pattern(getattr(tokenizer, attr)) for attr in
                             ("prefix_search", "suffix_search", "infix_finditer"))
    # A new tokenizer rather than setting each rule: every setter re-tokenizes the special cases
    # (seconds for Dutch). '#' is a prefix in every language, but not where it starts a hashtag:
    # the lookahead vetoes every prefix rule there.
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules=tokenizer.rules,
        prefix_search=re.compile(f"^{EMOJI}|(?!{HASHTAG})(?:{prefix})" if prefix else f"^{EMOJI}").search,
        suffix_search=re.compile(f"{EMOJI}$|{suffix}" if suffix else f"{EMOJI}$").search,
        infix_finditer=re.compile(f"{EMOJI}|{infix}" if infix else EMOJI).finditer,
        token_match=_SOCIAL_TOKEN.match,
        url_match=tokenizer.url_match,
        faster_heuristics=tokenizer.faster_heuristics,
    )
    return nlp


def _pattern(bound_method) -> str | None:
    """The regular expression behind one of the tokenizer's callables (a compiled pattern's method)."""
    owner = getattr(bound_method, "__self__", None)
    return getattr(owner, "pattern", None)
