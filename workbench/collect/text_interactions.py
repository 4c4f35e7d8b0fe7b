"""Interactions read from a post's text, for records whose source gives none as data.

A table exported by some tool often keeps only the text: a retweet is ``RT @x: ...``, a reply starts
with ``@x``, a mention is ``@x`` anywhere. These rules read them, the way Twitter's own text rules
(twitter-text) find a mention:

- ``RT @x:`` at the start (``RT``/``rt``, with or without the colon, ``RT: @x`` too) is a repost of
  a post by x. Nested ``RT @x: RT @y: ...`` is a repost of x's post (which itself reposted y).
- otherwise ``@x`` at the start is a reply to a post by x (``.@x`` or ``"@x`` is not: that is how
  people mention someone at the start without replying);
- ``@x`` anywhere is a mention of x, as the platform's own mention list holds it (a retweet's and a
  reply's target included). Not when a letter, digit or ``_!#$%&*@`` stands right before the ``@``
  (``a@b.com`` is an e-mail address), nor when the handle runs on past the platform's length or
  into another ``@`` or ``://``. Handles are compared without case and kept once each, as first
  written.

Which post was reposted or replied to is unknown, so the item points at a made-up uid that names
the account, ``platform:from-text:@x/...``; no platform id looks like that. A repost points at
``@x/<digest of the reposted text>``, the same for every account that reposts the same text of
the same author, so that co-reposts are found as with platform data. A reply points at
``@x/re-<the reply's own id>``: nothing says two replies answer the same post, so they never match
each other. :func:`pointer_author` gives the account back, which is how the interaction network
draws an edge to x. Items with anything read this way carry the caveat
:data:`INTERACTIONS_FROM_TEXT`; those whose mentions were read this way also :data:`MENTIONS_FROM_TEXT`.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from workbench.models import Item, make_uid

#: The caveat of an item with any interaction (mention, reply, repost) read from its text.
INTERACTIONS_FROM_TEXT = "interactions-from-text"
#: The caveat of an item whose mentions were read from its text.
MENTIONS_FROM_TEXT = "mentions-from-text"
#: Marks the id part of a uid made up for a post known only from another post's text.
POINTER_MARK = "from-text:@"

#: A handle's characters and length on each platform; ``strip`` are characters a handle may hold
#: but not end with (a sentence's full stop after ``@anna.k.``).
_HANDLES = {
    "twitter": (r"[A-Za-z0-9_]{1,15}", ""),
    "instagram": (r"[A-Za-z0-9._]{1,30}", "."),
    "threads": (r"[A-Za-z0-9._]{1,30}", "."),
    "tiktok": (r"[A-Za-z0-9._]{2,24}", "."),
    "telegram": (r"[A-Za-z][A-Za-z0-9_]{3,31}", ""),
    "youtube": (r"[A-Za-z0-9._-]{3,30}", ".-"),
    "mastodon": (r"[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?", ""),
    "bluesky": (r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", ""),
}
_ALIASES = {"x": "twitter", "fediverse": "mastodon", "bsky": "bluesky"}
_DEFAULT = (r"[A-Za-z0-9_]{1,30}", "")
# twitter-text's rules, with accented Latin letters added before the @ (josé@example.org).
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_BEFORE = rf"(?<![A-Za-z0-9_!#$%&*@\uff20{_LATIN}])"
_AT = "[@\uff20]"


@dataclass(frozen=True)
class _Rules:
    mention: re.Pattern
    reply: re.Pattern
    repost: re.Pattern
    strip: str


@dataclass(frozen=True)
class Found:
    """What a text says: the handles it mentions, and whom it reposts or replies to."""

    mentions: list[str]
    repost_of: str | None = None
    reposted_text: str | None = None
    reply_to: str | None = None


@cache
def _rules(platform: str) -> _Rules:
    handle, strip = _HANDLES.get(_ALIASES.get(platform, platform), _DEFAULT)
    after = rf"(?![A-Za-z0-9_@\uff20{_LATIN}{re.escape(strip)}]|://)"
    return _Rules(
        mention=re.compile(rf"{_BEFORE}{_AT}({handle}){after}"),
        reply=re.compile(rf"\s*{_AT}({handle}){after}"),
        repost=re.compile(rf"\s*[Rr][Tt]\s*:?\s*{_AT}({handle}){after}\s*:?\s*"),
        strip=strip,
    )


def read_text(text: str, platform: str) -> Found:
    """The mentions, repost and reply that ``text`` shows on ``platform`` (see the module's rules)."""
    if "@" not in text and "\uff20" not in text:
        return Found([])
    rules = _rules(platform)
    mentions = _unique(rules.mention.findall(text), rules.strip)
    start = text.lstrip()[:1]
    if start in "Rr":
        repost = rules.repost.match(text)
        if repost:
            author = _clean(repost.group(1), rules.strip)
            if author.casefold() not in {m.casefold() for m in mentions}:  # "RT@x:"
                mentions.insert(0, author)
            return Found(mentions, repost_of=author, reposted_text=text[repost.end():])
    elif start in "@\uff20":
        reply = rules.reply.match(text)
        if reply:
            return Found(mentions, reply_to=_clean(reply.group(1), rules.strip))
    return Found(mentions)


class Derived(NamedTuple):
    """What :func:`interactions` read for one item: the values to set (None: leave it) and the
    caveats to add, in order."""

    mentions: list[str] | None
    repost_of: str | None
    reply_to: str | None
    caveats: tuple[str, ...]


def interactions(text: str, platform: str, ident: str, *, mentions: list[str],
                 repost_of: str | None, reply_to: str | None,
                 fields: frozenset[str] = frozenset({"mentions", "reply_to", "repost_of"}),
                 ) -> Derived | None:
    """The ``fields`` (of mentions, reply_to, repost_of) that the text of item ``ident`` shows,
    where the item has none; None when nothing is read. A repost (by the platform's word or the
    text's) is never also read as a reply."""
    if not text or ("@" not in text and "\uff20" not in text):
        return None
    found = read_text(text, platform)
    new_mentions = new_repost = new_reply = None
    caveats: tuple[str, ...] = ()
    if found.mentions and "mentions" in fields and not mentions:
        new_mentions = found.mentions
        caveats = (MENTIONS_FROM_TEXT,)
    if found.repost_of and "repost_of" in fields and not repost_of:
        new_repost = repost_pointer(platform, found.repost_of, found.reposted_text or "")
    elif found.reply_to and "reply_to" in fields and not reply_to and not repost_of:
        new_reply = reply_pointer(platform, found.reply_to, ident)
    if new_mentions is None and new_repost is None and new_reply is None:
        return None
    return Derived(new_mentions, new_repost, new_reply, (*caveats, INTERACTIONS_FROM_TEXT))


def derive(item: Item, fields: frozenset[str] = frozenset({"mentions", "reply_to", "repost_of"}),
           ) -> bool:
    """Fill the item's ``fields`` (of mentions, reply_to, repost_of) that its text shows, and flag
    it; returns whether anything was read. Fields that already hold a value are left alone, and a
    repost (by the platform's word or the text's) is never also read as a reply.

    A derived repost or reply makes a ``post`` of kind ``repost`` or ``reply``.
    """
    found = interactions(item.text, item.platform, item.id, mentions=item.mentions,
                         repost_of=item.repost_of, reply_to=item.reply_to, fields=fields)
    if found is None:
        return False
    if found.mentions is not None:
        item.mentions = found.mentions
    if found.repost_of is not None:
        item.repost_of = found.repost_of
        if item.kind == "post":
            item.kind = "repost"
    elif found.reply_to is not None:
        item.reply_to = found.reply_to
        if item.kind == "post":
            item.kind = "reply"
    item.caveats.extend(found.caveats)
    return True


def repost_pointer(platform: str, handle: str, reposted_text: str) -> str:
    """The uid standing for the post by ``handle`` whose text is ``reposted_text``: the same for
    every repost of it (case, runs of spaces and HTML entities aside)."""
    if "&" in reposted_text:
        reposted_text = html.unescape(reposted_text)
    norm = " ".join(reposted_text.casefold().split())
    digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()
    return make_uid(platform, f"{POINTER_MARK}{handle.casefold()}/{digest}")


def reply_pointer(platform: str, handle: str, reply_id: str) -> str:
    """The uid standing for the unknown post by ``handle`` that the item ``reply_id`` answers."""
    return make_uid(platform, f"{POINTER_MARK}{handle.casefold()}/re-{reply_id}")


def pointer_author(uid: object) -> str | None:
    """The handle (lower case) of the account a made-up ``from-text`` uid names, else None."""
    if not isinstance(uid, str):
        return None
    _, mark, rest = uid.partition(":" + POINTER_MARK)
    if not mark:
        return None
    return rest.partition("/")[0] or None


def is_pointer(uid: object) -> bool:
    """Whether ``uid`` was made up from a post's text rather than given by a platform."""
    return pointer_author(uid) is not None


def _clean(handle: str, strip: str) -> str:
    return handle.rstrip(strip) if strip else handle


def _unique(handles: list[str], strip: str) -> list[str]:
    seen: dict[str, str] = {}
    for handle in handles:
        handle = _clean(handle, strip)
        if handle:
            seen.setdefault(handle.casefold(), handle)
    return list(seen.values())
