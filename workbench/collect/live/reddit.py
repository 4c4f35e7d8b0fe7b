"""Live Reddit collection with PRAW: a subreddit's new or top posts, a search, a comment tree.

A read-only "script" app: the client id, secret and user agent come from the environment
(``WORKBENCH_REDDIT_CLIENT_ID``, ``WORKBENCH_REDDIT_CLIENT_SECRET``,
``WORKBENCH_REDDIT_USER_AGENT``) and are never stored in the case. PRAW is given our own
``requests`` session, whose response hook keeps the exact bytes of each listing page, so what is
kept is what Reddit sent. PRAW always asks for ``raw_json=1`` (text not HTML-escaped), so the pages
are mapped by the ``reddit-api`` file format. Listings page older by ``after`` only, so newer posts
are found by reading again from the top (``pages_up = False``).

A comment tree comes in one page with "more comments" stubs (``kind: "more"``) where Reddit did not
load everything. Each stub is expanded as PRAW's ``replace_more`` does, by PRAW's ``MoreComments``
(``/api/morechildren`` for up to 100 comment ids at a time; a "continue this thread" stub reads
the thread below its parent), one request per page so each answer is kept as received. The stubs
still to expand are the cursor, so an interrupted run resumes there; at most ``more_limit`` are
expanded per tree (None: all).

Rate limits: Reddit's ``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset`` (seconds) headers set the
wait before the next page, and a 429 is handed to the run, which waits it out or stops cleanly.
prawcore would otherwise sleep on its own; its delay is cleared after each page so that the run's
maximum wait is what governs.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import requests

from workbench.collect.live import CollectError, Page, RateLimited, missing_library, retry_after_seconds

ID_ENV = "WORKBENCH_REDDIT_CLIENT_ID"
SECRET_ENV = "WORKBENCH_REDDIT_CLIENT_SECRET"
AGENT_ENV = "WORKBENCH_REDDIT_USER_AGENT"
PAGE_SIZE = 100  # the most a Reddit listing page holds
MORE_LIMIT = 32  # "more comments" stubs expanded per comment tree (PRAW's replace_more default)
MORE_BATCH = 100  # the most comment ids /api/morechildren answers at once
LISTINGS = ("new", "top")
TIMEOUT_S = 30
OAUTH_URL = "https://oauth.reddit.com"
REDDIT_URL = "https://www.reddit.com"  # the token endpoint is {reddit_url}/api/v1/access_token


class RedditCollector:
    """One query: a ``subreddit`` listing (``new`` or ``top``), a ``search`` (in ``subreddit``
    when given, else all of Reddit), or a ``submission``'s comment tree."""

    format = "reddit-api"
    collector = "live:reddit"
    version = "2"
    pages_up = False

    def __init__(self, *, subreddit: str | None = None, search: str | None = None,
                 submission: str | None = None, listing: str = "new",
                 client_id: str | None = None, client_secret: str | None = None,
                 user_agent: str | None = None, oauth_url: str = OAUTH_URL,
                 reddit_url: str = REDDIT_URL, page_size: int = PAGE_SIZE,
                 more_limit: int | None = MORE_LIMIT):
        if not (subreddit or search or submission) or (submission and (subreddit or search)):
            raise CollectError("reddit: name a subreddit, a search or a submission",
                               hint="e.g. --subreddit osint, --search 'flood warning' "
                               "(with --subreddit to search in one) or --submission 1abcde")
        if listing not in LISTINGS:
            raise CollectError(f"reddit: unknown listing {listing!r}",
                               hint=f"choose one of {', '.join(LISTINGS)}")
        self.subreddit = _strip(subreddit, ("/r/", "r/")) if subreddit else None
        self.search = search
        self.submission = _strip(submission, ("t3_",)) if submission else None
        self.listing = listing
        self.page_size = page_size
        self.more_limit = more_limit
        self.oauth_url, self.reddit_url = oauth_url.rstrip("/"), reddit_url.rstrip("/")
        self.source = "reddit"
        if self.submission:
            self.query = f"submission:{self.submission}"
        elif self.search:
            where = f"r/{self.subreddit.lower()}:" if self.subreddit else ""
            self.query = f"search:{where}{self.search}"
        else:
            self.query = f"r/{self.subreddit.lower()}:{listing}"
        self._credentials = (client_id if client_id is not None else os.environ.get(ID_ENV),
                             client_secret if client_secret is not None else os.environ.get(SECRET_ENV),
                             user_agent if user_agent is not None else os.environ.get(AGENT_ENV))
        self._last: requests.Response | None = None
        self._api = None

    def _client(self):
        if self._api is None:
            try:
                import praw
            except ImportError as error:
                raise missing_library("Reddit", "PRAW") from error
            client_id, secret, agent = self._credentials
            if not client_id or not secret or not agent:
                raise CollectError("reddit: no API credentials",
                                   hint=f"create a 'script' app at reddit.com/prefs/apps and set "
                                   f"{ID_ENV}, {SECRET_ENV} and {AGENT_ENV}")
            session = requests.Session()
            session.hooks["response"].append(self._keep)
            self._api = praw.Reddit(client_id=client_id, client_secret=secret, user_agent=agent,
                                    oauth_url=self.oauth_url, reddit_url=self.reddit_url,
                                    check_for_updates=False, timeout=TIMEOUT_S,
                                    requestor_kwargs={"session": session})
            self._api.read_only = True
        return self._api

    def _keep(self, response: requests.Response, *args, **kwargs) -> None:
        self._last = response

    def _path(self) -> tuple[str, dict]:
        params: dict = {"limit": self.page_size}
        if self.submission:
            return f"/comments/{self.submission}", {"limit": 500}
        if self.search:
            params.update(q=self.search, sort="new")
            if self.subreddit:
                params["restrict_sr"] = "1"
                return f"/r/{self.subreddit}/search", params
            return "/search", params
        if self.listing == "top":
            params["t"] = "all"
        return f"/r/{self.subreddit}/{self.listing}", params

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One listing page: the top one, or the one after ``older`` (Reddit's ``after``); for a
        submission, its comment tree, then (``older``: the stubs left) a stub's comments."""
        from prawcore import exceptions as errors

        api = self._client()
        path, params = self._path()
        stubs = _stubs(older) if self.submission else None
        self._last = None
        try:
            if stubs:
                self._expand(api, stubs["more"][0])
            else:
                if older and not self.submission:
                    params["after"] = older
                api.request(method="GET", path=path, params=params)
        except errors.TooManyRequests as exc:
            raise RateLimited(_retry_after(exc.response)) from None
        except (errors.OAuthException, errors.InvalidToken) as exc:
            raise self._refused(exc) from None
        except errors.ResponseException as exc:
            status = exc.response.status_code
            if status == 401:
                raise self._refused(exc) from None
            if status in (403, 404) or isinstance(exc, errors.Redirect):
                raise CollectError(
                    f"reddit: {self._what()} is private, banned, quarantined or does not exist "
                    f"(HTTP {status})",
                    hint="check the name; private and banned communities are not collected") from None
            raise CollectError(f"reddit: Reddit answered HTTP {status} for {self._what()}",
                               hint="try again later; running the same command again resumes") from None
        except errors.RequestException as exc:
            raise CollectError(f"reddit: Reddit cannot be reached: {exc.original_exception}",
                               hint="check the network; running the same command again resumes "
                               "where this run stopped") from None
        finally:
            _forget_delay(api)
        return self._page(self._last, stubs)

    def _expand(self, api, stub: dict) -> None:
        """Fetch the comments behind one stub with PRAW's MoreComments (the response is kept by
        the session hook)."""
        from praw.models import MoreComments

        more = MoreComments(api, {"id": stub["id"], "name": f"t1_{stub['id']}",
                                  "parent_id": stub["parent_id"], "count": len(stub["children"]),
                                  "children": stub["children"], "depth": 0})
        more.submission = api.submission(id=self.submission)
        try:
            more.comments(update=False)
        except (ValueError, KeyError, TypeError, AttributeError, AssertionError):
            # PRAW could not make objects of the answer; the answer is kept all the same and
            # mapped, and what in it is malformed is quarantined.
            if self._last is None or self._last.status_code != 200:
                raise

    def _refused(self, exc: Exception) -> CollectError:
        return CollectError(f"reddit: Reddit refused the app's credentials ({type(exc).__name__})",
                            hint=f"check {ID_ENV} and {SECRET_ENV} (a 'script' app's id and "
                            f"secret) and set a descriptive {AGENT_ENV}")

    def _what(self) -> str:
        if self.submission:
            return f"submission {self.submission}"
        return f"r/{self.subreddit}" if self.subreddit else "the search"

    def _page(self, response: requests.Response, stubs: dict | None = None) -> Page:
        body = response.content
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if self.submission:  # the tree, then what each stub stood for; the stubs left page on
            things, found = _tree(answer)
            after = self._stubs_left(stubs, found)
        else:
            data = answer.get("data") if isinstance(answer, dict) else None
            data = data if isinstance(data, dict) else {}
            things = [c for c in data.get("children") or [] if isinstance(c, dict)]
            after = data.get("after") if isinstance(data.get("after"), str) else None
        datas = [t["data"] for t in things
                 if isinstance(t.get("data"), dict) and t.get("kind") in ("t1", "t3")]
        names = [d["name"] for d in datas if isinstance(d.get("name"), str)]
        stamps = [d["created_utc"] for d in datas if isinstance(d.get("created_utc"), int | float)]
        by_time = not self.submission and (self.listing == "new" or self.search is not None)
        if self.submission:  # a page of stubs only still leads on (a count of 0 would end it)
            count = len(datas) or int(after is not None)
        else:
            count, after = len(datas), after if datas else None
        return Page(
            body=body, url=response.url, count=count, older=after,
            oldest_at=_iso(min(stamps)) if stamps and by_time else None,
            newest_id=names[0] if names else None,
            newest_at=_iso(max(stamps)) if stamps and by_time else None,
            ids=tuple(names), wait=_quota_wait(response),
        )


    def _stubs_left(self, stubs: dict | None, found: list[dict]) -> str | None:
        """The cursor after a page: the stubs still to expand, with the new ones found, as JSON;
        None when none is left or ``more_limit`` stubs have been expanded."""
        done = 0 if stubs is None else stubs.get("expanded", 0) + 1
        pending = [] if stubs is None else stubs["more"][1:]
        for stub in found:
            children = [c for c in stub.get("children") or [] if isinstance(c, str)]
            if not children:  # "continue this thread": the replies of its parent
                if isinstance(stub.get("parent_id"), str):
                    pending.append({"id": str(stub.get("id") or "_"),
                                    "parent_id": stub["parent_id"], "children": []})
                continue
            for start in range(0, len(children), MORE_BATCH):
                batch = children[start:start + MORE_BATCH]
                pending.append({"id": batch[0], "parent_id": str(stub.get("parent_id")),
                                "children": batch})
        if not pending or (self.more_limit is not None and done >= self.more_limit):
            return None
        return json.dumps({"more": pending, "expanded": done}, separators=(",", ":"))


def _stubs(older: str | None) -> dict | None:
    """The stubs still to expand, from the cursor (None: read the tree from its page)."""
    try:
        stubs = json.loads(older) if older else None
    except ValueError:
        return None
    more = stubs.get("more") if isinstance(stubs, dict) else None
    first = more[0] if isinstance(more, list) and more else None
    ok = (isinstance(first, dict) and isinstance(first.get("parent_id"), str)
          and isinstance(first.get("children"), list) and isinstance(first.get("id"), str))
    return stubs if ok else None


def _tree(answer: object) -> tuple[list[dict], list[dict]]:
    """The things of a submission page ([submission Listing, comments Listing]) or of an
    /api/morechildren answer, replies included, and the data of the "more" stubs among them."""
    if isinstance(answer, dict) and isinstance(answer.get("json"), dict):
        data = answer["json"].get("data")
        things = data.get("things") if isinstance(data, dict) else None
        answer = [{"data": {"children": things if isinstance(things, list) else []}}]
    things: list[dict] = []
    stubs: list[dict] = []
    for listing in answer if isinstance(answer, list) else []:
        _walk(listing, things, stubs)
    return things, stubs


def _walk(listing: object, things: list[dict], stubs: list[dict]) -> None:
    """The things of a Listing and the replies nested in them; ``more`` stubs go to ``stubs``."""
    data = listing.get("data") if isinstance(listing, dict) else None
    for child in (data.get("children") or []) if isinstance(data, dict) else []:
        if not isinstance(child, dict):
            continue
        if child.get("kind") == "more":
            if isinstance(child.get("data"), dict):
                stubs.append(child["data"])
            continue
        things.append(child)
        inner = child.get("data")
        if isinstance(inner, dict) and isinstance(inner.get("replies"), dict):
            _walk(inner["replies"], things, stubs)


def _strip(value: str, prefixes: tuple[str, ...]) -> str:
    value = value.strip()
    for prefix in prefixes:
        if value.lower().startswith(prefix):
            return value[len(prefix):]
    return value


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _forget_delay(api) -> None:
    """Clear prawcore's own planned sleep: the run waits, within its maximum (see the module doc)."""
    limiter = getattr(getattr(api, "_core", None), "_rate_limiter", None)
    if limiter is not None and hasattr(limiter, "next_request_timestamp_ns"):
        limiter.next_request_timestamp_ns = None


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _retry_after(response: requests.Response | None) -> float | None:
    """How long a 429 asks to wait: Retry-After, else X-Ratelimit-Reset (in seconds)."""
    if response is None:
        return None
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    return wait if wait is not None else _seconds(response.headers.get("X-Ratelimit-Reset"))


def _quota_wait(response: requests.Response) -> float:
    """Seconds to wait before the next request when the quota is used up (else 0)."""
    remaining = _seconds(response.headers.get("X-Ratelimit-Remaining"))
    if remaining is None or remaining >= 1:
        return 0.0
    return _seconds(response.headers.get("X-Ratelimit-Reset")) or 0.0


def reddit_collectors(plan, *, subreddit: str | None = None, search: str | None = None,
                      submission: str | None = None, listing: str = "new",
                      **options) -> list[RedditCollector]:
    """The collectors for the CLI: the one query named, else a search per plan keyword (in
    ``subreddit`` when given) and hashtag. ``options`` go to each collector (credentials, URLs)."""
    if submission or search or subreddit:
        return [RedditCollector(subreddit=subreddit, search=search, submission=submission,
                                listing=listing, **options)]
    terms = [*plan.keywords, *(f"#{tag}" for tag in plan.hashtags)]
    if not terms:
        raise CollectError("reddit: the plan names no keywords or hashtags to search for",
                           hint="pass --subreddit, --search or --submission, or add keywords to "
                           "the plan")
    return [RedditCollector(search=term, **options) for term in terms]


__all__ = ["RedditCollector", "reddit_collectors"]
