"""Live Bluesky collection with the atproto client: a search, an author's feed, a thread.

Login is with an app password read from the environment (``WORKBENCH_BLUESKY_HANDLE`` and
``WORKBENCH_BLUESKY_APP_PASSWORD``; ``com.atproto.server.createSession``), kept in memory only and
never stored in the case. Without them the public AppView is asked, which serves feeds and threads
(and, where it allows, searches) without an account.

Queries go through the client's ``invoke_query`` so a page is not read into atproto's models: a
malformed post reaches the file format and is quarantined there instead of failing the page. The
exact bytes of each answer are taken from httpx through a response event hook on the client's
HTTP session. The XRPC ``cursor`` is opaque and pages only older, so the collector says
``pages_up = False`` and the run reads newer posts again from the top.
"""

from __future__ import annotations

import os
import time
from typing import Any

from workbench.collect.live import CollectError, Page, RateLimited, missing_library, retry_after_seconds

HANDLE_ENV = "WORKBENCH_BLUESKY_HANDLE"
PASSWORD_ENV = "WORKBENCH_BLUESKY_APP_PASSWORD"
PDS_URL = "https://bsky.social"  # where an account logs in (its PDS proxies app.bsky queries)
PUBLIC_URL = "https://public.api.bsky.app"  # the AppView that answers without an account
PAGE_SIZE = 100  # the most searchPosts and getAuthorFeed return at once
TIMEOUT_S = 30


class BlueskyCollector:
    """One query: a search (``query``), an author's feed (``author``) or a thread (``thread``)."""

    format = "bluesky"
    collector = "live:bluesky"
    version = "1"
    pages_up = False

    def __init__(self, *, query: str | None = None, author: str | None = None,
                 thread: str | None = None, base_url: str | None = None,
                 handle: str | None = None, password: str | None = None,
                 page_size: int = PAGE_SIZE):
        given = [x for x in (query, author, thread) if x]
        if len(given) != 1:
            raise CollectError("bluesky: name exactly one of a search query, an author or a thread",
                               hint="e.g. --query flood, --author someone.bsky.social or "
                               "--thread at://did:plc:.../app.bsky.feed.post/...")
        if thread and not thread.startswith("at://"):
            raise CollectError(f"bluesky: a thread is named by its at:// uri, not {thread!r}",
                               hint="copy the post's at:// uri (at://did:plc:.../app.bsky.feed.post/"
                               "<rkey>)")
        self._handle = handle if handle is not None else os.environ.get(HANDLE_ENV) or None
        self._password = password if password is not None else os.environ.get(PASSWORD_ENV) or None
        if bool(self._handle) != bool(self._password):
            raise CollectError("bluesky: a login needs both a handle and an app password",
                               hint=f"set both {HANDLE_ENV} and {PASSWORD_ENV}, or neither")
        self.base_url = (base_url or (PDS_URL if self._handle else PUBLIC_URL)).rstrip("/")
        self.search = query.strip() if query else None
        self.author = author.lstrip("@").strip() if author else None
        self.thread = thread
        self.page_size = page_size
        self.source = "bluesky"
        if self.search:
            self.query = f"search:{self.search}"
        elif self.author:
            self.query = f"author:{self.author.lower()}"
        else:
            self.query = f"thread:{thread}"
        self._client = None
        self._last = None  # the last httpx.Response

    def _api(self):
        if self._client is None:
            try:
                from atproto import Client
                from atproto_client.request import Request
            except ImportError as error:
                raise missing_library("Bluesky", "atproto") from error
            request = Request(timeout=TIMEOUT_S, event_hooks={"response": [self._keep]})
            client = Client(base_url=self.base_url, request=request)
            if self._handle:
                self._call(lambda: client.login(self._handle, self._password,
                                                fetch_bsky_profile=False), "log in")
            self._client = client
        return self._client

    def _keep(self, response) -> None:
        response.read()
        self._last = response

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One page: the newest posts, or those below the cursor ``older``. (``newer`` is not
        asked for: ``pages_up`` is False.)"""
        from atproto import models

        client = self._api()
        cursor = older if older and not self.thread else None
        if self.search:
            nsid = "app.bsky.feed.searchPosts"
            params = models.AppBskyFeedSearchPosts.Params(q=self.search, sort="latest",
                                                          limit=self.page_size, cursor=cursor)
        elif self.author:
            nsid = "app.bsky.feed.getAuthorFeed"
            params = models.AppBskyFeedGetAuthorFeed.Params(actor=self.author, limit=self.page_size,
                                                            cursor=cursor)
        else:
            nsid = "app.bsky.feed.getPostThread"
            params = models.AppBskyFeedGetPostThread.Params(uri=self.thread, depth=1000,
                                                            parent_height=1000)
        self._last = None
        self._call(lambda: client.invoke_query(nsid, params=params), nsid, retry_login=True)
        return self._page(self._last)

    def _call(self, call, what: str, retry_login: bool = False) -> Any:
        """Run a client call, turning atproto's errors into a rate limit or a clear error."""
        from atproto_client import exceptions

        try:
            return call()
        except exceptions.RateLimitExceededError as exc:
            raise RateLimited(_retry_after(_headers(exc))) from None
        except exceptions.UnauthorizedError as exc:
            error, message = _xrpc_error(exc)
            if error == "ExpiredToken" and retry_login and self._handle:
                # an access token expired during a long run: log in again once, then retry
                self._call(lambda: self._client.login(self._handle, self._password,
                                                      fetch_bsky_profile=False), "log in")
                return self._call(call, what)
            if self._handle:
                hint = (f"check {HANDLE_ENV} and {PASSWORD_ENV}: use an app password "
                        "(Settings > Privacy and security > App passwords)")
            else:
                hint = f"this needs an account: set {HANDLE_ENV} and {PASSWORD_ENV}"
            raise CollectError(f"{self.base_url}: {what} was refused ({error}: {message})",
                               hint=hint) from None
        except exceptions.BadRequestError as exc:
            error, message = _xrpc_error(exc)
            what_of = (f"author {self.author}" if self.author else
                       f"thread {self.thread}" if self.thread else f"search {self.search!r}")
            raise CollectError(f"{self.base_url}: {what} for {what_of} failed ({error}: {message})",
                               hint="check the handle or uri exists and is spelled right") from None
        except exceptions.NetworkError as exc:
            raise CollectError(f"{self.base_url}: Bluesky cannot be reached ({exc!r})",
                               hint="check the network and --base-url; running the same command "
                               "again resumes where this run stopped") from None
        except exceptions.AtProtocolError as exc:
            error, message = _xrpc_error(exc)
            raise CollectError(f"{self.base_url}: {what} answered with an error ({error}: "
                               f"{message})", hint="try again later") from None

    def _page(self, response) -> Page:
        body = response.content
        try:
            data = response.json()
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        if self.search:
            entries = [(p, None) for p in data.get("posts") or []]
        elif self.author:
            entries = [(e.get("post"), e.get("reason")) if isinstance(e, dict) else (None, None)
                       for e in data.get("feed") or []]
        else:
            entries = [(data.get("thread", {}).get("post") if isinstance(data.get("thread"), dict)
                        else None, None)]
        ids, times = [], []
        for post, reason in entries:
            if not isinstance(post, dict):
                continue
            if isinstance(post.get("uri"), str):
                ids.append(post["uri"])
            when = (reason.get("indexedAt") if isinstance(reason, dict) else None) or post.get(
                "indexedAt")
            if isinstance(when, str):
                times.append(when)
        cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
        count = len(entries) if not self.thread else (1 if ids else 0)
        return Page(
            body=body, url=str(response.url), count=count,
            older=None if self.thread or not entries else cursor,
            oldest_at=min(times) if times else None, newest_at=max(times) if times else None,
            newest_id=ids[0] if ids else None, ids=tuple(ids), wait=_quota_wait(response.headers),
        )


def _headers(exc) -> dict:
    response = exc.args[0] if exc.args else None
    return dict(getattr(response, "headers", None) or {})


def _xrpc_error(exc) -> tuple[str, str]:
    """The XRPC ``error`` and ``message`` of a failed call, as the server sent them."""
    response = exc.args[0] if exc.args else None
    content = getattr(response, "content", None)
    error = getattr(content, "error", None) or type(exc).__name__
    message = getattr(content, "message", None) or ""
    return str(error), str(message)


def _reset_in(value: str | None) -> float | None:
    """Seconds until a RateLimit-Reset time (Unix seconds), or None."""
    try:
        return max(0.0, float(value) - time.time()) if value else None
    except ValueError:
        return None


def _retry_after(headers: dict) -> float | None:
    """How long a 429 asks to wait: Retry-After (seconds or an HTTP date), else the reset time."""
    headers = {k.lower(): v for k, v in headers.items()}
    wait = retry_after_seconds(headers.get("retry-after"))
    if wait is not None:
        return wait
    return _reset_in(headers.get("ratelimit-reset"))


def _quota_wait(headers) -> float:
    """Seconds to wait before the next request when the quota is used up (else 0)."""
    if str(headers.get("ratelimit-remaining", "")).strip() != "0":
        return 0.0
    return _reset_in(headers.get("ratelimit-reset")) or 0.0


def plan_collectors(plan, **options) -> list[BlueskyCollector]:
    """One search per keyword and hashtag of the case plan, and one feed per account."""
    collectors = [BlueskyCollector(query=word, **options) for word in plan.keywords]
    collectors += [BlueskyCollector(query=f"#{tag.lstrip('#')}", **options) for tag in plan.hashtags]
    # Mastodon's user@domain accounts are not Bluesky handles (those are domain names)
    handles = [name.lstrip("@") for name in plan.accounts if "@" not in name.lstrip("@")]
    collectors += [BlueskyCollector(author=name, **options) for name in handles]
    if not collectors:
        raise CollectError("bluesky: the plan names no keywords, hashtags or accounts to collect",
                           hint="pass --query, --author or --thread, or add them to the plan")
    return collectors
