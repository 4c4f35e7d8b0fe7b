"""The hashtag rule, as twitter-text has it: what import reads from a text that came without its
hashtags, and what enrichment finds as HASHTAG entities."""

from __future__ import annotations

import re

# Letters, digits, underscore, plus the combining marks that \w leaves out (é as e + U+0301, Indic
# vowel signs), and the joiners that Persian and Indic scripts write inside words.
TAG_CHARS = (r"\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0963\u0966-\u0dff"
             r"\u0e31-\u0e3a\u0e47-\u0e4e\u200c\u200d")
#: A hashtag; group 1 is the tag without its ``#``. A tag glued to the next one (#a#b) is none.
HASHTAG = re.compile(rf"#(?<![\w&#/]#)([{TAG_CHARS}]++)(?!#)")


def is_tag(tag: str) -> bool:
    """Whether a match is a hashtag: not only digits or underscores (``#1`` is a number)."""
    bare = tag.strip("_")
    return bool(bare) and not bare.isdigit()


def hashtags_in(text: str) -> list[str]:
    """The text's hashtags without their ``#``, once each (compared without case), as first
    written."""
    if "#" not in text:
        return []
    seen: dict[str, str] = {}
    for tag in HASHTAG.findall(text):
        if is_tag(tag):
            seen.setdefault(tag.casefold(), tag)
    return list(seen.values())
