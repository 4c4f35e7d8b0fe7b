"""X/Twitter web API (GraphQL) responses (``x-web``), as browser-capture tools save them.

The x.com web app reads its timelines from GraphQL endpoints (SearchTimeline, UserTweets,
TweetDetail, community timelines, ...). Three ways of saving them are read:

- one response per file (``{"data": {... "instructions": [...]}}``), as twscrape and a
  browser's "save response" keep it;
- several responses, one per line (JSON Lines);
- Zeeschuimer's NDJSON export (the file 4CAT imports): one captured item per line,
  ``{"nav_index", "item_id", "timestamp_collected", "source_platform", "source_platform_url",
  "source_url", "user_agent", "data", ...}``, whose ``data`` is one tweet result (Zeeschuimer
  unwraps ``TweetWithVisibilityResults``; its older "adaptive" items hold a v1.1 ``legacy``
  status and ``user``).

Every tweet result is read wherever it sits: timeline entries, modules (conversation threads),
``TweetWithVisibilityResults`` wrappers, quoted tweets (``quoted_status_result``) and retweeted
ones (``legacy.retweeted_status_result``), each once per file (the first place of a ``rest_id``
wins), and mapped by :mod:`workbench.collect.x_web_tweet`. A promoted tweet (an ad in the
timeline) is flagged ``promoted``, a profile's pinned tweet ``pinned``. A tombstone or
``TweetUnavailable`` is quarantined with X's reason.

Spans are characters of the whole decoded file. A timeline entry's tweet is cut out with its
entry (whose ``entryId`` names it), a Zeeschuimer item with its whole line, a quoted or retweeted
tweet alone (its span lies inside the tweet that holds it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, skip_ws, value_at, walk_array, walk_object
from workbench.collect.readers import decode, excerpt
from workbench.collect.twitter_common import PLATFORM, bad_json, ident, is_jsonl, text_lines
from workbench.collect.x_web_tweet import WRAPPER, is_gone, is_tweet, map_web
from workbench.models import Mapped

_ENTRY_TWEET = re.compile(r"(?:^|-)tweet-(\d+)$")
_RESPONSE = re.compile(r'^[\[\s]*\{\s*"(?:data|errors)"\s*:')
_TWEET_START = re.compile(r'^[\[\s]*\{\s*"(?:__typename|rest_id)"\s*:')
_MARKER = re.compile(
    r'"(?:tweet_results|tweetResult|quoted_status_result|retweeted_status_result)"\s*:'
    r'|"__typename"\s*:\s*"(?:Tweet|TweetWithVisibilityResults|TweetTombstone|TimelineTweet)"')
_ZEESCHUIMER = re.compile(r'"source_platform"\s*:\s*"(?:www\.)?(?:twitter|x)\.com"')


def _sniff(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    start = text[:4096]
    if _ZEESCHUIMER.search(start) and '"timestamp_collected"' in start:
        return True
    return bool((_RESPONSE.match(text) or _TWEET_START.match(text)) and _MARKER.search(text))


# -- finding the tweet results of a response -----------------------------------------------


@dataclass
class _Found:
    """A tweet result: where it is, what its span covers, and what its record carries."""

    path: tuple
    span_path: tuple
    tweet: dict
    context: dict


def _find(node: Any, path: tuple, found: list[_Found], entry: tuple | None = None,
          marks: tuple = (), hint: str | None = None) -> None:
    """Append every tweet result under ``node`` in document order (a tweet before the tweets
    it holds). ``entry`` is the nearest timeline entry (its path and entryId) not yet claimed by
    a tweet, ``marks`` the caveats its timeline gives it (promoted, pinned), ``hint`` the id a
    quoting tweet gives the tweet it quotes."""
    if isinstance(node, list):
        for index, value in enumerate(node):
            _find(value, (*path, index), found, entry, marks)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("entryId"), str):
        entry = (path, node["entryId"])
    if "promotedMetadata" in node:
        marks = (*marks, "promoted")
    if node.get("type") == "TimelinePinEntry":
        marks = (*marks, "pinned")
    kind = node.get("__typename")
    tweet, tweet_path = node, path
    wrapped = kind == WRAPPER or (kind is None and path[-1:] == ("result",)
                                  and isinstance(node.get("tweet"), dict))
    if wrapped and isinstance(node.get("tweet"), dict):
        tweet, tweet_path = node["tweet"], (*path, "tweet")
    if wrapped or is_tweet(tweet) or is_gone(tweet):
        context: dict = {"caveats": list(marks)} if marks else {}
        if tweet is node and not is_tweet(node):  # a tombstone, or a wrapper without a tweet
            named = _ENTRY_TWEET.search(entry[1]) if entry and entry[1] else None
            if named or hint:
                context["id"] = named.group(1) if named else hint
        found.append(_Found(tweet_path, entry[0] if entry else path, tweet, context))
        legacy = tweet.get("legacy") if isinstance(tweet.get("legacy"), dict) else {}
        quoted = ident(legacy, "quoted_status_id_str")
        for key, value in tweet.items():
            if key == "core":
                continue  # the author, never a tweet
            _find(value, (*tweet_path, key), found,
                  hint=quoted if key == "quoted_status_result" else None)
        return
    for key, value in node.items():
        _find(value, (*path, key), found, entry, marks, hint if key == "result" else None)


def _spans(text: str, start: int, paths: set[tuple]) -> dict[tuple, tuple[int, int]]:
    """The character span of the value at each path (keys and indexes) of the JSON value at
    ``start``; only the way down to them is walked member by member."""
    trie: dict = {}
    for path in paths:
        node = trie
        for step in path:
            node = node.setdefault(step, {})
        node[None] = True
    spans: dict[tuple, tuple[int, int]] = {}

    def walk(pos: int, node: dict, path: tuple) -> Walk:
        below = {k: v for k, v in node.items() if k is not None}
        if not below:
            end = value_at(text, pos)[1]
        elif text[pos : pos + 1] == "{":
            end = yield from walk_object(text, pos, lambda key, at: walk(
                at, below[key], (*path, key)) if key in below else None)
        else:
            end = yield from walk_array(text, pos, lambda i, at: walk(
                at, below[i], (*path, i)) if i in below else None)
        if None in node:
            spans[path] = (pos, end)
        return end

    for _ in walk(skip_ws(text, start), trie, ()):
        pass
    return spans


def _pointer(path: tuple) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


class _Reader:
    """Cuts one file into records, one per tweet result, each rest_id once."""

    def __init__(self, text: str, context: dict):
        self.text = text
        self.context = context
        self.seen: set[str] = set()

    def value(self, value: Any, start: int, where: str = "", item: bool = False
              ) -> Iterator[Record]:
        """The records of one JSON value (a response, or a Zeeschuimer item when ``item``)."""
        found: list[_Found] = []
        if item:
            _find(value.get("data"), ("data",), found, entry=((), None))
        else:
            _find(value, (), found)
        spans = _spans(self.text, start, {f.span_path for f in found}) if found else {}
        for f in found:
            tweet_id = ident(f.tweet, "rest_id") or ident(f.tweet.get("legacy"), "id_str")
            if tweet_id and not is_gone(f.tweet):
                if tweet_id in self.seen:
                    continue
                self.seen.add(tweet_id)
            begin, end = spans[f.span_path]
            yield Record(f"{where}{_pointer(f.path)}", f"C{begin}:{end}", data=f.tweet,
                         context={**self.context, **f.context})
        if item and not found:
            begin, end = _spans(self.text, start, {()})[()]
            yield Record(where.strip() or "$", f"C{begin}:{end}",
                         error="a Zeeschuimer item without a tweet result in its data",
                         excerpt=excerpt(self.text[begin:end]))

    def lines(self) -> Iterator[Record]:
        for number, start, end in text_lines(self.text):
            line = self.text[start:end]
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield bad_json(f"line {number}", f"C{start}:{end}", line, exc)
                continue
            except RecursionError:
                yield _too_deep(f"line {number}", start, end, line)
                continue
            item = isinstance(obj, dict) and isinstance(obj.get("data"), dict) and (
                "timestamp_collected" in obj or "item_id" in obj)
            try:
                found = list(self.value(obj, start, f"line {number} ", item=item))
            except RecursionError:
                found = [_too_deep(f"line {number}", start, end, line)]
            yield from found

    def document(self) -> Iterator[Record]:
        text = self.text
        try:
            doc = json.loads(text)
            found = list(self.value(doc, 0))
        except json.JSONDecodeError as exc:
            yield bad_json("$", f"C0:{len(text)}", text, exc)
            return
        except RecursionError:
            yield _too_deep("$", 0, len(text), text)
            return
        yield from found


def _too_deep(locator: str, start: int, end: int, text: str) -> Record:
    return Record(locator, f"C{start}:{end}", error="nested too deep to read",
                  excerpt=excerpt(text))


@register
class XWeb(FileFormat):
    """X's web API (GraphQL) responses, one per file or per line, or Zeeschuimer's NDJSON."""

    name = "x-web"
    title = "X/Twitter web API (GraphQL) responses, as twscrape and Zeeschuimer save them"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        return sample.members is None and _sniff(sample.head)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, encoding = decode(payload.read_bytes(), name=payload.name)
        context = {} if encoding in ("utf-8", "utf-8-bom") else {"encoding": encoding}
        reader = _Reader(text, context)
        first = next((text[s:e].strip() for _, s, e in text_lines(text) if text[s:e].strip()), "")
        if is_jsonl(first):
            yield from reader.lines()
        elif text.strip():
            yield from reader.document()

    def map(self, record: Record) -> Mapped:
        return map_web(record.data, record.context)
