"""Text from posts and profiles made safe to show: HTML-escaped and bidi-isolated.

A right-to-left override (U+202E) or an unclosed embedding in post text would otherwise reverse
whatever is shown after it (the next column, the rest of the report). Every such value is shown
inside an isolate, with the embeddings, overrides and isolates it opened closed first. Only the
display changes: stored text is never altered.
"""

from __future__ import annotations

import html
import re

# LRE RLE LRO RLO open an embedding/override closed by PDF; LRI RLI FSI open an isolate closed by PDI.
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"
_PDI = "\u2069"
FSI, PDI = "\u2068", "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds any explicit bidirectional formatting character."""
    return _BIDI.search(text) is not None


def close_bidi(text: str) -> str:
    """``text`` with the embeddings, overrides and isolates it leaves open closed at its end.

    Follows the Unicode bidi algorithm's matching: a PDI closes the innermost open isolate and
    every embedding opened inside it; a PDF closes the innermost embedding inside the current
    isolate. Unmatched closers are left as they are (they do nothing).
    """
    if not has_bidi_controls(text):
        return text
    stack: list[str] = []  # "e" for an embedding/override, "i" for an isolate
    for char in text:
        if char in _EMBEDDINGS:
            stack.append("e")
        elif char in _ISOLATES:
            stack.append("i")
        elif char == _PDF:
            if stack and stack[-1] == "e":
                stack.pop()
        elif char == _PDI and "i" in stack:
            while stack.pop() != "i":
                pass
    return text + "".join(_PDF if kind == "e" else _PDI for kind in reversed(stack))


def isolate(value: object) -> str:
    """Plain text for a terminal or a DOM text node: ``value`` closed and wrapped in FSI ... PDI.

    Values without bidi controls are returned unchanged (as ``str``), so ordinary text is not
    padded with invisible characters.
    """
    text = str(value)
    if not has_bidi_controls(text):
        return text
    return FSI + close_bidi(text) + PDI


def html_isolated(value: object) -> str:
    """``value`` HTML-escaped and closed inside ``<bdi>...</bdi>``: markup safe to paste into a page."""
    return f"<bdi>{html.escape(close_bidi(str(value)))}</bdi>"
