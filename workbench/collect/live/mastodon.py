"""Live Mastodon collection with Mastodon.py: a hashtag, an account's statuses, a public timeline,
or a full-text search of statuses.

Any instance (``instance`` is its base URL); a token is optional and read from the environment
(``WORKBENCH_MASTODON_TOKEN``), never stored in the case. The exact bytes of each response are
taken from the HTTP layer through a hook on the ``requests`` session Mastodon.py is given, so what
is kept is what the server sent, not Mastodon.py's reading of it. Pages follow the ``Link``
header's ``max_id`` (older) and ``min_id`` (newer).

Search (``/api/v2/search?type=statuses``) answers ``{"accounts": [], "statuses": [...],
"hashtags": []}`` with no ``Link`` header, and most instances serve it only with a token. Its
pages are cut by ``offset``; newer results are found by reading again from the top (the collector
says ``pages_up = False``), so a result pushed down a page by newer posts is a duplicate, never a
gap.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import requests

from workbench.collect.live import CollectError, Page, RateLimited, missing_library, retry_after_seconds
from workbench.collect.mastodon_common import host_of

TOKEN_ENV = "WORKBENCH_MASTODON_TOKEN"
PAGE_SIZE = 40  # the most a Mastodon timeline page holds
TIMELINES = ("public", "local")
TIMEOUT_S = 30


class MastodonCollector:
    """One query against one instance: ``hashtag``, ``account`` or ``timeline`` (public|local)."""

    format = "mastodon"
    collector = "live:mastodon"
    version = "1"

    def __init__(self, instance: str, *, hashtag: str | None = None, account: str | None = None,
                 timeline: str | None = None, search: str | None = None,
                 token: str | None = None, page_size: int = PAGE_SIZE):
        given = [x for x in (hashtag, account, timeline, search) if x]
        if len(given) != 1:
            raise CollectError("mastodon: name exactly one of a hashtag, an account, a timeline "
                               "or a search",
                               hint="e.g. --hashtag osint, --account someone@mastodon.social, "
                               "--timeline public or --search 'flood warning'")
        if timeline and timeline not in TIMELINES:
            raise CollectError(f"mastodon: unknown timeline {timeline!r}",
                               hint=f"choose one of {', '.join(TIMELINES)}")
        if "://" not in instance:
            instance = f"https://{instance}"
        self.instance = instance.rstrip("/")
        self.host = host_of(self.instance) or self.instance
        self.hashtag = hashtag.lstrip("#") if hashtag else None
        self.account = account.lstrip("@") if account else None
        self.timeline = timeline
        self.search = search.strip() if search else None
        self.pages_up = self.search is None  # search results carry no min_id link to page up by
        self.page_size = page_size
        self.source = f"mastodon:{self.host}"
        if self.hashtag:
            self.query = f"hashtag:{self.hashtag.lower()}"
        elif self.account:
            self.query = f"account:{self.account.lower()}"
        elif self.search:
            self.query = f"search:{self.search.lower()}"
        else:
            self.query = f"timeline:{timeline}"
        self._token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        self._last: requests.Response | None = None
        self._api = None
        self._account_id: str | None = None

    def _client(self):
        if self._api is None:
            try:
                from mastodon import Mastodon
            except ImportError as error:
                raise missing_library("Mastodon", "Mastodon.py") from error

            session = requests.Session()
            session.hooks["response"].append(self._keep)
            # Mastodon.py allows search's offset only once it knows the instance's version.
            self._api = Mastodon(api_base_url=self.instance, access_token=self._token,
                                 session=session, ratelimit_method="throw",
                                 version_check_mode="created" if self.search else "none",
                                 request_timeout=TIMEOUT_S)
        return self._api

    def _keep(self, response: requests.Response, *args, **kwargs) -> None:
        self._last = response

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One page of statuses: the newest, those just older than ``older``, or just newer
        than ``newer``."""
        from mastodon import errors

        api = self._client()
        where = {"max_id": older, "min_id": newer, "limit": self.page_size}
        self._last = None
        try:
            if self.search:
                api.search_v2(self.search, resolve=False, result_type="statuses",
                              offset=int(older) if older else None, limit=self.page_size)
            elif self.hashtag:
                api.timeline_hashtag(self.hashtag, **where)
            elif self.account:
                api.account_statuses(self._lookup(), **where)
            else:
                api.timeline_public(local=self.timeline == "local", **where)
        except errors.MastodonRatelimitError:
            raise RateLimited(_retry_after(self._last)) from None
        except errors.MastodonUnauthorizedError as exc:
            if self.search and not self._token:
                raise CollectError(
                    f"{self.instance}: the instance serves search only with an access token "
                    f"({_said(exc)})",
                    hint=f"set {TOKEN_ENV} to a token of an account on this instance (read "
                    "scope is enough), or collect a hashtag instead") from None
            raise CollectError(
                f"{self.instance}: the instance refused the access token ({_said(exc)})",
                hint=f"set {TOKEN_ENV} to a valid token of this instance, or unset it for "
                "public timelines the instance serves without one") from None
        except errors.MastodonNotFoundError as exc:
            what = f"hashtag #{self.hashtag}" if self.hashtag else (
                f"account {self.account}" if self.account else
                "search endpoint" if self.search else f"{self.timeline} timeline")
            raise CollectError(f"{self.instance}: no such {what} ({_said(exc)})",
                               hint="check the spelling, and that this instance knows it") from None
        except errors.MastodonVersionError as exc:
            raise CollectError(f"{self.instance}: {exc} (the instance did not say its version, "
                               "or it is too old)",
                               hint="check the instance URL; search needs Mastodon 2.8 or later"
                               ) from None
        except errors.MastodonNetworkError as exc:
            raise CollectError(f"{self.instance}: the instance cannot be reached: {exc}",
                               hint="check the network and the instance URL; running the same "
                               "command again resumes where this run stopped") from None
        except errors.MastodonAPIError as exc:
            raise CollectError(f"{self.instance}: the instance answered with an error: "
                               f"{_said(exc)}", hint="try again later") from None
        return self._page(self._last, offset=int(older) if self.search and older else 0)

    def _lookup(self) -> str:
        """The instance's id of the account named by ``user`` or ``user@domain``."""
        if self._account_id is None:
            account = self._client().account_lookup(self.account)
            self._account_id = str(account["id"])
        return self._account_id

    def _page(self, response: requests.Response, offset: int = 0) -> Page:
        body = response.content
        try:
            statuses = response.json()
        except ValueError:
            statuses = None
        if self.search and isinstance(statuses, dict):
            statuses = statuses.get("statuses")
        statuses = statuses if isinstance(statuses, list) else []
        ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and s.get("id") is not None]
        dates = [s["created_at"] for s in statuses
                 if isinstance(s, dict) and isinstance(s.get("created_at"), str)]
        newest_id = max(ids, key=_id_order) if ids else None
        if self.search:  # no Link header: a full page may have more below it
            older = str(offset + len(statuses)) if len(statuses) >= self.page_size else None
            newest_at = max((s["created_at"] for s in statuses if isinstance(s, dict)
                             and str(s.get("id")) == newest_id), default=None)
            return Page(body=body, url=response.url, count=len(statuses), older=older,
                        oldest_at=min(dates) if dates else None, newest_id=newest_id,
                        newest_at=newest_at, ids=tuple(ids), wait=_quota_wait(response))
        links = response.links
        return Page(
            body=body, url=response.url, count=len(statuses),
            older=_param(links.get("next"), "max_id"), newer=_param(links.get("prev"), "min_id"),
            oldest_at=min(dates) if dates else None,
            newest_id=newest_id,
            wait=_quota_wait(response),
        )


def _id_order(value: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings (snowflakes): order by length, then lexically."""
    return len(value), value


def _param(link: dict | None, name: str) -> str | None:
    if not link or "url" not in link:
        return None
    values = parse_qs(urlsplit(link["url"]).query).get(name)
    return values[0] if values else None


def _said(exc: Exception) -> str:
    """The instance's own error text, from a Mastodon.py error's arguments."""
    args = [a for a in getattr(exc, "args", ()) if a not in (None, "Mastodon API returned error")]
    return " ".join(str(a) for a in args) or type(exc).__name__


def _reset_in(value: str | None) -> float | None:
    """Seconds until an X-RateLimit-Reset time (ISO 8601), or None."""
    if not value:
        return None
    try:
        reset = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if reset.tzinfo is None:
        reset = reset.replace(tzinfo=UTC)
    return max(0.0, (reset - datetime.now(UTC)).total_seconds())


def _retry_after(response: requests.Response | None) -> float | None:
    """How long a 429 asks to wait: Retry-After (seconds or an HTTP date), else the reset time."""
    if response is None:
        return None
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if wait is not None:
        return wait
    return _reset_in(response.headers.get("X-RateLimit-Reset"))


def _quota_wait(response: requests.Response) -> float:
    """Seconds to wait before the next request when the quota is used up (else 0)."""
    if response.headers.get("X-RateLimit-Remaining", "").strip() != "0":
        return 0.0
    return _reset_in(response.headers.get("X-RateLimit-Reset")) or 0.0


def plan_collectors(plan, instance: str, *, token: str | None = None) -> list[MastodonCollector]:
    """One collector per hashtag and per account of the case plan, on ``instance``, and a search
    per keyword when there is a token (``token``, else the environment's) to search with."""
    collectors = [MastodonCollector(instance, hashtag=tag) for tag in plan.hashtags]
    collectors += [MastodonCollector(instance, account=name) for name in plan.accounts]
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    if token:
        collectors += [MastodonCollector(instance, search=word, token=token)
                       for word in plan.keywords]
    if not collectors:
        searchable = " (its keywords are searched only with a token)" if plan.keywords else ""
        raise CollectError(f"mastodon: the plan names no hashtags or accounts to collect"
                           f"{searchable}",
                           hint="pass --hashtag, --account, --timeline or --search, add hashtags "
                           f"or accounts to the plan, or set {TOKEN_ENV} to search its keywords")
    return collectors
