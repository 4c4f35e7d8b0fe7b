"""The ``collect``, ``media`` and ``watch`` verbs of the ``workbench`` command: live sources and their query
options (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from workbench.cli_common import CaseDir, case_at, err, out

# The query options of the live sources, shared by `collect` and `watch`.
Instance = Annotated[str | None, typer.Option(help="Mastodon: the instance's URL, e.g. "
                                              "https://mastodon.social.")]
Hashtag = Annotated[str | None, typer.Option(help="Mastodon: a hashtag's timeline.")]
Account = Annotated[str | None, typer.Option(help="Mastodon: an account's statuses (user@domain).")]
Timeline = Annotated[str | None, typer.Option(help="Mastodon: the public or local timeline.")]
Query = Annotated[str | None, typer.Option(help="Bluesky: a search (searchPosts).")]
Author = Annotated[str | None, typer.Option(help="Bluesky: an author's feed (handle).")]
Thread = Annotated[str | None, typer.Option(help="Bluesky: a thread (the post's at:// uri).")]
BaseUrl = Annotated[str | None, typer.Option(help="Bluesky: the service's URL (default: bsky.social "
                                             "with a login, else the public AppView).")]
Subreddit = Annotated[str | None, typer.Option(help="Reddit: a subreddit's listing (or where to "
                                               "--search).")]
Search = Annotated[str | None, typer.Option(help="Reddit or Mastodon: a search (Reddit: in --subreddit "
                                            "or all; Mastodon: most instances need "
                                            "WORKBENCH_MASTODON_TOKEN).")]
MoreLimit = Annotated[int | None, typer.Option(help="Reddit: expand at most this many 'more comments' "
                                               "stubs of a submission (default 32).")]
Submission = Annotated[str | None, typer.Option(help="Reddit: a submission and its comments (id).")]
Listing = Annotated[str, typer.Option(help="Reddit: new or top.")]
Url = Annotated[list[str] | None, typer.Option("--url", help="Feed: an RSS or Atom feed's URL "
                                               "(repeatable; default: the plan's feeds).")]
Articles = Annotated[bool, typer.Option(help="Feed: also fetch each new entry's page and extract "
                                        "its text.")]
MaxWait = Annotated[float, typer.Option(help="Wait at most this many seconds for rate limits; past "
                                        "it, stop and say when to resume.")]
Video = Annotated[list[str] | None, typer.Option(help="YouTube: a video's id or URL (repeatable).")]
Channel = Annotated[list[str] | None, typer.Option(help="YouTube: a channel's @handle, UC id or URL, "
                                                   "newest videos first; Telegram: a public channel's "
                                                   "or group's username or t.me link (repeatable).")]
Comments = Annotated[bool, typer.Option(help="YouTube: also collect the comments.")]
MaxComments = Annotated[int | None, typer.Option(help="YouTube: at most this many comments per video.")]
DownloadVideo = Annotated[bool, typer.Option(help="YouTube: also download each new video's smallest "
                                             "file with picture and sound, hashed, into media/.")]
Proxy = Annotated[str | None, typer.Option(help="YouTube: an HTTP(S) proxy for every request.")]
SystemCerts = Annotated[bool, typer.Option(help="YouTube: trust the system's CA store (and "
                                           "SSL_CERT_FILE), e.g. behind an inspecting proxy.")]
MaxMediaMb = Annotated[float, typer.Option(help="Media files larger than this many MB are not "
                                           "downloaded.")]
SOURCE_HELP = ("The live source: mastodon, bluesky, reddit, feed, youtube or telegram; or plan, for "
               "every live source among the plan's platforms (and feed when it lists feeds).")


def collect(
    case_dir: CaseDir,
    source: Annotated[str, typer.Argument(help=SOURCE_HELP)],
    instance: Instance = None, hashtag: Hashtag = None, account: Account = None,
    timeline: Timeline = None, query: Query = None, author: Author = None, thread: Thread = None,
    base_url: BaseUrl = None, subreddit: Subreddit = None, search: Search = None,
    submission: Submission = None, listing: Listing = "new", more_limit: MoreLimit = None,
    url: Url = None, articles: Articles = False, video: Video = None, channel: Channel = None,
    comments: Comments = True, max_comments: MaxComments = None, download_video: DownloadVideo = False,
    proxy: Proxy = None, system_certs: SystemCerts = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many posts per query.")] = None,
    max_wait: MaxWait = 60.0,
    media: Annotated[bool, typer.Option(help="Also download the collected posts' media files "
                                        "(kept unaltered, hashed, EXIF included).")] = False,
    max_media_mb: MaxMediaMb = 50.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Collect live posts into the case, resuming where the last run stopped. With no query
    option, collects the plan's hashtags, keywords and accounts. Secrets come from the environment
    only: WORKBENCH_MASTODON_TOKEN; WORKBENCH_BLUESKY_HANDLE and WORKBENCH_BLUESKY_APP_PASSWORD;
    WORKBENCH_REDDIT_CLIENT_ID, WORKBENCH_REDDIT_CLIENT_SECRET and WORKBENCH_REDDIT_USER_AGENT;
    WORKBENCH_TELEGRAM_API_ID, WORKBENCH_TELEGRAM_API_HASH and WORKBENCH_TELEGRAM_SESSION."""
    from workbench.collect.live import CollectError
    from workbench.collect.live.sources import expand_sources

    case = case_at(case_dir)
    sources = expand_sources(case, [source])
    options = dict(instance=instance, hashtag=hashtag, account=account, timeline=timeline,
                   query=query, author=author, thread=thread, base_url=base_url,
                   subreddit=subreddit, search=search, submission=submission, listing=listing,
                   more_limit=more_limit, url=url, articles=articles, video=video, channel=channel,
                   comments=comments, max_comments=max_comments, download_video=download_video,
                   proxy=proxy, system_certs=system_certs,
                   media=media, max_media_bytes=int(max_media_mb * 1_000_000))
    bar = progress and sys.stderr.isatty()
    failed = []
    for each in sources:
        try:
            _collect_source(case, each, options, media, limit=limit, max_wait=max_wait, progress=bar)
        except CollectError as exc:
            if len(sources) == 1:
                raise
            failed.append(each)  # the plan's other sources go on
            err.print(f"{each}: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""),
                      markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def _collect_source(case, source: str, options: dict, media: bool, **run) -> None:
    from workbench.collect.live.sources import collect_each

    # Telegram downloads its media itself, through its own connection
    options = {**options, "media": media and source == "telegram"}
    for result in collect_each(case, source, options, **run):
        out.print(result.summary(), markup=False, highlight=False)
        if getattr(result, "media", None) is not None:  # a Telegram run's own download
            _print_media(result.media)
        elif media:
            from workbench.collect.live.media import fetch_media

            _print_media(fetch_media(case, run_id=result.run_id,
                                     max_bytes=options["max_media_bytes"], progress=run["progress"]))


def media(
    case_dir: CaseDir,
    run: Annotated[int | None, typer.Option(help="Only the media of this collection run.")] = None,
    item: Annotated[list[str] | None, typer.Option(help="Only the media of this item (uid; "
                                                   "repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only this kind: image, video, gifv, audio "
                                                   "or file (repeatable).")] = None,
    max_mb: MaxMediaMb = 50.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Download the photos, videos and sounds that collected posts link to, kept exactly as served
    (EXIF included) and hashed, each download audited. Failures are listed and tried again on the
    next run; files already downloaded are skipped."""
    from workbench.collect.live.media import DEFAULT_KINDS, fetch_media

    case = case_at(case_dir)
    _print_media(fetch_media(case, run_id=run, uids=item or None, kinds=kind or DEFAULT_KINDS,
                             max_bytes=int(max_mb * 1_000_000),
                             progress=progress and sys.stderr.isatty()))


def _print_media(result) -> None:
    out.print(result.summary(), markup=False, highlight=False)
    for failed in result.failed:
        out.print(f"  not stored: {failed['url']} ({failed['reason']})", markup=False, highlight=False)


def watch(
    case_dir: CaseDir,
    sources: Annotated[list[str], typer.Argument(help="The live sources to watch, one or more: "
                                                 "mastodon, bluesky, reddit, feed, youtube, "
                                                 "telegram, or plan (the plan's own).")],
    every: Annotated[str, typer.Option(help="How often: 30s, 15m, 1h, ...")] = "15m",
    rounds: Annotated[int | None, typer.Option(help="Stop after this many rounds.")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST each alert as JSON here (or set "
                                                "WORKBENCH_WATCH_WEBHOOK).")] = None,
    instance: Instance = None, hashtag: Hashtag = None, account: Account = None,
    timeline: Timeline = None, query: Query = None, author: Author = None, thread: Thread = None,
    base_url: BaseUrl = None, subreddit: Subreddit = None, search: Search = None,
    submission: Submission = None, listing: Listing = "new", url: Url = None,
    video: Video = None, channel: Channel = None, comments: Comments = True,
    max_comments: MaxComments = None, proxy: Proxy = None, system_certs: SystemCerts = False,
    max_wait: MaxWait = 60.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Collect again and again from one or more sources, and after each round record alerts
    (watch-term hits, bursts) in the case. Ctrl-C stops; running it again resumes with nothing
    missed."""
    from workbench.collect.live.sources import build_collectors, expand_sources
    from workbench.collect.watch import watch_command

    case = case_at(case_dir)
    sources = expand_sources(case, sources)
    options = dict(instance=instance, hashtag=hashtag, account=account, timeline=timeline,
                   query=query, author=author, thread=thread, base_url=base_url,
                   subreddit=subreddit, search=search, submission=submission, listing=listing,
                   url=url, video=video, channel=channel, comments=comments,
                   max_comments=max_comments, proxy=proxy, system_certs=system_certs)

    def collectors() -> list:
        return [c for source in sources for c in build_collectors(case, source, **options)]

    collectors()  # a usage error shows before the first round
    watch_command(case, collectors, every, rounds, webhook, progress=progress and sys.stderr.isatty())
