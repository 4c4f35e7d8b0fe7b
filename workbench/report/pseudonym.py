"""Pseudonyms for sharing a report: accounts and items named by keyed hashes.

Each :class:`Pseudonymiser` draws a random key when it is made and never stores it, so a pseudonym
is stable within one report (the same account is ``account-3f9a1c0b`` in every table, figure and
map of that report) and cannot be linked to the same account in another report. The key is an
HMAC-SHA256 key: without it a pseudonym cannot be recomputed from a guessed handle.

What changes: authors' ids, handles and names; @mentions and known handles, ids and names inside
text; item uids (a post id leads back to its author on the platform); links (they name accounts in
their paths, so they are dropped). What stays: times, platforms, text otherwise, the raw payload's
SHA-256 (which ties an item to the case's evidence for those who hold the case).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading

import numpy as np
import pandas as pd

from workbench.collect.text_interactions import POINTER_MARK, pointer_author
from workbench.models import make_uid

#: An @mention: @user, @user@instance.social (fediverse), @user.bsky.social.
MENTION = re.compile(r"(?<![\w@])@([\w][\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)", re.UNICODE)
#: A word, or a handle-like run (user.bsky.social, user@instance, did:plc:...).
TOKEN = re.compile(r"[\w](?:[\w.@:-]*[\w])?")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
WITHHELD = "[link withheld]"
#: Known names shorter than this are not searched for inside text (too many false hits).
MIN_NAME_CHARS = 4
DIGITS = 8


def _canonical(value: str) -> str:
    return value.strip().lstrip("@").casefold().rstrip(".")


class Pseudonymiser:
    """Keyed-hash pseudonyms with a key of its own (random, never stored)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._aliases: dict[str, str] = {}  # canonical id/handle/name -> pseudonym
        self._pattern: re.Pattern | bool | None = None
        self._lock = threading.RLock()

    def _hash(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return digest[:DIGITS]

    def account(self, value: object) -> str | None:
        """The pseudonym of an account given by its handle, id or name (None stays None)."""
        if not isinstance(value, str) or not value.strip():
            return None
        key = _canonical(value)
        with self._lock:  # the report's figures are drawn in threads
            if key not in self._aliases:
                self._aliases[key] = f"account-{self._hash('account', key)}"
                if not TOKEN.fullmatch(key):
                    self._pattern = None  # a name of several words: the names pattern must know it
            return self._aliases[key]

    def item(self, uid: object) -> str | None:
        """The pseudonym of an item uid."""
        if not isinstance(uid, str) or not uid:
            return None
        named = pointer_author(uid)
        if named:  # a post known only from another's text: keep whose it is, as a pseudonym
            platform = uid.partition(":")[0]
            return make_uid(platform, f"{POINTER_MARK}{self.account(named)}/item-{self._hash('item', uid)}")
        return f"item-{self._hash('item', uid)}"

    def learn(self, items: pd.DataFrame) -> None:
        """Register every author of ``items`` so their id, handle and name share one pseudonym."""
        columns = [c for c in ("author_handle", "author_id", "author_name") if c in items.columns]
        if not columns:
            return
        for handle, ident, name in items[columns].reindex(
                columns=["author_handle", "author_id", "author_name"]).drop_duplicates().itertuples(
                    index=False):
            first = next((v for v in (handle, ident, name) if isinstance(v, str) and v.strip()), None)
            if first is None:
                continue
            pseudonym = self.account(first)
            for alias in (handle, ident, name):
                if isinstance(alias, str) and alias.strip():
                    self._aliases.setdefault(_canonical(alias), pseudonym)
        self._pattern = None

    def text(self, value: object) -> object:
        """``value`` with links withheld (their paths name accounts) and @mentions and the known
        handles, ids and names replaced by pseudonyms."""
        if not isinstance(value, str) or not value:
            return value
        value = URL.sub(WITHHELD, value)
        value = MENTION.sub(lambda m: "@" + self.account(m.group(1)), value)
        pattern = self._names()  # names of several words first: "Alice Smith" before "alice"
        if pattern:
            value = pattern.sub(lambda m: self._aliases[_canonical(m.group(0))], value)
        return TOKEN.sub(lambda m: self._aliases.get(_canonical(m.group(0)), m.group(0))
                         if len(m.group(0)) >= MIN_NAME_CHARS else m.group(0), value)

    def _names(self) -> re.Pattern | None:
        """The known names of more than one word (single words are found token by token)."""
        with self._lock:
            return self._names_pattern()

    def _names_pattern(self) -> re.Pattern | None:
        if self._pattern is None:
            names = sorted((a for a in self._aliases if len(a) >= MIN_NAME_CHARS and
                            not TOKEN.fullmatch(a)), key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])",
                re.IGNORECASE) if names else False
        return self._pattern or None

    def items(self, items: pd.DataFrame) -> pd.DataFrame:
        """A copy of an items frame with authors, mentions, uids and text pseudonymised and links
        dropped; what every figure, table and map of a pseudonymised report is drawn from."""
        self.learn(items)
        out = items.copy()
        for column in ("author_handle", "author_id", "author_name"):
            if column in out.columns:
                out[column] = out[column].map(self.account)
        for column in ("uid", "reply_to", "repost_of", "quote_of", "conversation_id"):
            if column in out.columns:
                out[column] = out[column].map(self.item)
        if "mentions" in out.columns:
            out["mentions"] = out["mentions"].map(
                lambda v: [self.account(m) for m in _as_list(v) if isinstance(m, str)])
        for column in ("text", "title", "place"):
            if column in out.columns:
                out[column] = out[column].map(self.text)
        if "url" in out.columns:
            out["url"] = None
        if "links" in out.columns:
            out["links"] = [[] for _ in range(len(out))]
        return out


def _as_list(value: object) -> list:
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    return []
