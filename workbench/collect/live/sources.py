"""The live sources by name, and their collectors built from the options a user gives (the
``collect`` and ``watch`` commands): one place that knows which options each source takes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from workbench.collect.live import CollectError

if TYPE_CHECKING:
    from workbench.case import Case

SOURCES = ("mastodon", "bluesky", "reddit", "feed", "youtube", "telegram")
#: The query options each source takes (one of them per collection; none: the plan's terms).
QUERIES = {
    "mastodon": ("hashtag", "account", "timeline", "search"),
    "bluesky": ("query", "author", "thread"),
    "reddit": ("subreddit", "search", "submission"),
    "feed": ("url",),
    "youtube": ("video", "channel"),
    "telegram": ("channel",),
}
#: The option naming where a source is, when it has one: (option, required).
PLACES = {"mastodon": ("instance", True), "bluesky": ("base_url", False)}


def build_collectors(case: Case, source: str, **options: Any) -> list:
    """The collectors for ``source`` with the query options given (None: not given); with none,
    the plan's hashtags, keywords and accounts, where the source can search by them."""
    given = {k: v for k, v in options.items() if v not in (None, [], ())}
    if source == "mastodon":
        from workbench.collect.live.mastodon import MastodonCollector, plan_collectors

        instance = given.get("instance")
        if not instance:
            raise CollectError("mastodon needs --instance", hint="e.g. --instance https://mastodon.social")
        query = {k: given.get(k) for k in ("hashtag", "account", "timeline", "search")}
        if any(query.values()):
            return [MastodonCollector(instance, **query)]
        return plan_collectors(case.plan, instance)
    if source == "bluesky":
        from workbench.collect.live import bluesky

        query = {k: given.get(k) for k in ("query", "author", "thread")}
        if any(query.values()):
            return [bluesky.BlueskyCollector(**query, base_url=given.get("base_url"))]
        return bluesky.plan_collectors(case.plan, base_url=given.get("base_url"))
    if source == "reddit":
        from workbench.collect.live.reddit import reddit_collectors

        more = {"more_limit": given["more_limit"]} if "more_limit" in given else {}
        return reddit_collectors(case.plan, subreddit=given.get("subreddit"),
                                 search=given.get("search"), submission=given.get("submission"),
                                 listing=given.get("listing") or "new", **more)
    if source == "feed":
        from workbench.collect.live.feeds import feed_collectors

        return feed_collectors(case.plan, urls=given.get("url"), articles=bool(given.get("articles")))
    if source == "youtube":
        from workbench.collect.live.youtube import youtube_collectors

        return youtube_collectors(
            case.plan, video=_listed(given.get("video")), channel=_listed(given.get("channel")),
            comments=given.get("comments", True), max_comments=given.get("max_comments"),
            download_video=bool(given.get("download_video")), proxy=given.get("proxy"),
            system_certs=bool(given.get("system_certs")))
    if source == "telegram":
        from workbench.collect.live.telegram import telegram_collectors

        return telegram_collectors(case, _listed(given.get("channel")),
                                   media=bool(given.get("media")),
                                   max_media_bytes=given.get("max_media_bytes", 50_000_000))
    raise CollectError(f"no live source {source!r}", hint=f"the live sources are {', '.join(SOURCES)}")


def plan_sources(plan) -> list[str]:
    """The live sources the plan names among its platforms, and ``feed`` when it lists feeds:
    what ``plan`` stands for in ``workbench collect DIR plan`` and ``workbench watch DIR plan``."""
    named = {p.lower() for p in plan.platforms}
    return [s for s in SOURCES if s in named or (s == "feed" and plan.feeds)]


def expand_sources(case: Case, sources: list[str]) -> list[str]:
    """``sources`` with ``plan`` replaced by the plan's own (an error when it names none)."""
    expanded: list[str] = []
    for source in sources:
        if source != "plan":
            expanded.append(source)
            continue
        named = plan_sources(case.plan)
        if not named:
            raise CollectError("the plan names no live source",
                               hint=f"add some of {', '.join(SOURCES)} to the plan's platforms, or "
                               "feeds to its feeds, or name the source")
        expanded += named
    return list(dict.fromkeys(expanded))


def _listed(value: Any) -> list | None:
    """A value given once (a widget's text) or many times (the CLI's repeatable option) as a list."""
    return [value] if isinstance(value, str) else value


def run_collector(case: Case, collector: Any, **run: Any):
    """Collect with one collector (a feed also fetches its new entries' articles when asked, a
    YouTube collector its videos' files; a Telegram collector disconnects when done)."""
    from workbench.collect.live import collect

    if collector.collector == "live:feed":
        from workbench.collect.live.feeds import collect_feed

        return collect_feed(case, collector, **run)
    if collector.collector == "live:telegram":
        from workbench.collect.live.telegram import collect_telegram

        return collect_telegram(case, collector, **run)
    if collector.collector == "live:youtube":
        from workbench.collect.live.youtube import collect_youtube

        return collect_youtube(case, collector, **run)
    return collect(case, collector, **run)


def collect_each(case: Case, source: str, options: dict[str, Any], **run: Any) -> Iterator:
    """Build ``source``'s collectors from ``options`` and collect with each in turn, yielding each
    one's result as it finishes (``run``: limit, max_wait, progress)."""
    for collector in build_collectors(case, source, **options):
        yield run_collector(case, collector, **run)
