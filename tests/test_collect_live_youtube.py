"""Live YouTube collection: the real yt-dlp (its YouTube extractor, its HTTP stack) through an
HTTPS-intercepting proxy on 127.0.0.1 that replays YouTube's pages (tests/youtube_server.py:
the watch page, innertube /next comment continuations, the channel page and /browse)."""

import json

import pytest

from workbench.case import Case
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.youtube import (
    YouTubeCollector,
    channel_of,
    collect_youtube,
    video_id_of,
    youtube_collectors,
)
from workbench.collect.youtube import response_bytes
from workbench.evidence import sha256_bytes

pytest.importorskip("yt_dlp")
pytest.importorskip("cryptography")

from tests.youtube_server import COOKIE, MEDIA_HOST, Video, YouTube  # noqa: E402

CHANNEL_ID = "UCfl00dNews0000000000000"
HANDLE = "@floodnews"


def comment(n: int, ago: str = "2 days ago", replies: list | None = None, **extra) -> dict:
    return {"id": f"UgxC{n:020d}", "author": f"@viewer{n}", "author_id": f"UCviewer{n:016d}",
            "text": f"Comment {n}: the bridge is closed #flood", "ago": ago, "likes": n,
            "replies": replies or [], **extra}


def video(n: int, comments: list | None = None, **extra) -> Video:
    return Video(f"vid{n:08d}", title=f"Flood update {n} <b>live</b>",
                 description=f"River level at noon, day {n}.\nMore: https://example.org/flood/{n} #flood",
                 channel_id=CHANNEL_ID, handle=HANDLE, channel="Flood News",
                 upload=f"2026-11-{n:02d}T08:00:00-08:00", views=1000 + n, likes=50 + n,
                 comments=comments, **extra)


@pytest.fixture
def youtube(tmp_path, monkeypatch):
    server = YouTube(tmp_path, page_size=2, channel_page=2)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))  # yt-dlp trusts the test CA (system certs)
    yield server
    assert server.refused == []  # nothing was asked of any other host
    server.close()


def collector(youtube, **query) -> YouTubeCollector:
    return YouTubeCollector(proxy=youtube.proxy, system_certs=True, **query)


def uids(case) -> list[str]:
    return sorted(case.items()["id"])


def kept_pages(case) -> list[dict]:
    rows = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw' ORDER BY rowid").fetchall()
    return [json.loads(case.raw_store.path(sha).read_bytes()) for (sha,) in rows]


def asked(youtube) -> list[str]:
    """The pages the collector asked for. yt-dlp may also ask the player endpoint for a video's
    formats, before or after its other requests depending on its version, as YouTube allows."""
    return [r for r in youtube.requests if not r.startswith("POST /youtubei/v1/player")]


def test_a_video_with_two_pages_of_comments_and_a_reply(case, youtube):
    youtube.add_video(video(20, comments=[comment(1, replies=[comment(9, "1 day ago")]), comment(2),
                                          comment(3, "5 hours ago")]))
    result = collect(case, collector(youtube, video="https://youtu.be/vid00000020"), progress=False)
    assert (result.imported, result.quarantined, result.pages) == (5, 0, 1)
    assert asked(youtube) == [
        "GET /watch?v=vid00000020&bpctr=9999999999&has_verified=1",
        *["POST /youtubei/v1/next?prettyPrint=false"] * 4,  # header, page 1, the reply, page 2
    ]
    items = case.items().set_index("id")
    clip = items.loc["vid00000020"]
    assert clip.platform == "youtube" and clip.kind == "video" and clip.source == "youtube"
    assert clip.text.startswith("Flood update 20 <b>live</b>\n\nRiver level at noon")
    assert clip.url == "https://www.youtube.com/watch?v=vid00000020"
    assert (clip.author_id, clip.author_handle, clip.author_name) == (CHANNEL_ID, HANDLE, "Flood News")
    assert (clip.views, clip.likes, clip.replies) == (1020, 70, 4)
    assert str(clip.created_at).startswith("2026-11-20 16:00:00")
    assert "https://example.org/flood/20" in list(clip.links) and "flood" in list(clip.hashtags)
    first, reply = items.loc["UgxC00000000000000000001"], items.loc["UgxC00000000000000000009"]
    assert first.reply_to == "youtube:vid00000020" and reply.reply_to == "youtube:UgxC00000000000000000001"
    assert first.author_handle == "@viewer1" and first.likes == 1
    assert first.url == "https://www.youtube.com/watch?v=vid00000020&lc=UgxC00000000000000000001"
    assert "estimated-time" in list(reply.caveats) and reply.conversation_id == "vid00000020"
    assert case.verify().ok
    assert load_cursor(case, "youtube", "video:vid00000020")["complete"]


def test_the_answers_received_are_kept_byte_for_byte_and_no_cookie(case, youtube):
    youtube.add_video(video(20, comments=[comment(1)]))
    collect(case, collector(youtube, video="vid00000020"), progress=False)
    (sha,) = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchone()
    stored = case.raw_store.path(sha).read_bytes()
    assert sha256_bytes(stored) == sha
    page = json.loads(stored)
    bodies = [response_bytes(r) for r in page["responses"]]
    assert bodies == youtube.sent  # each answer exactly as the server sent it
    assert all(sha256_bytes(b) == r["sha256"] for b, r in zip(bodies, page["responses"], strict=True))
    assert page["info"]["id"] == "vid00000020" and "comments" not in page["info"]
    assert [c["id"] for c in page["comments"]] == ["UgxC00000000000000000001"]
    raw = b"".join(p.read_bytes() for p in case.raw_store.root.rglob("*") if p.is_file())
    assert COOKIE.encode() not in raw
    assert case.verify().ok


def test_a_kept_page_imports_as_a_file_too(case, youtube, tmp_path):
    youtube.add_video(video(20, comments=[comment(1), comment(2)]))
    collect(case, collector(youtube, video="vid00000020"), progress=False)
    (sha,) = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchone()
    saved = tmp_path / "saved.json"
    saved.write_bytes(case.raw_store.path(sha).read_bytes())
    other = Case.create(tmp_path / "other", title="Other", legal_basis="public interest research",
                        retention_until="2099-01-01")
    try:
        result = other.import_file(saved, progress=False)  # the format is recognised by itself
        assert (result.format, result.imported) == ("youtube", 3)
        assert sorted(other.items()["id"]) == uids(case)
    finally:
        other.close()


def test_a_video_read_again_brings_new_comments_only(case, youtube):
    youtube.add_video(video(20, comments=[comment(1), comment(2)]))
    collect(case, collector(youtube, video="vid00000020"), progress=False)
    youtube.videos["vid00000020"].comments.insert(0, comment(4, "1 hour ago"))
    result = collect(case, collector(youtube, video="vid00000020"), progress=False)
    assert (result.imported, result.duplicates) == (1, 3)


def channel(youtube, n: int = 4) -> list[Video]:
    videos = [video(i, comments=[comment(100 + i)]) for i in range(n, 0, -1)]  # newest first
    youtube.add_channel(HANDLE, CHANNEL_ID, videos)
    return videos


def test_a_channel_listing_in_two_pages(case, youtube):
    channel(youtube)
    result = collect(case, collector(youtube, channel="https://www.youtube.com/@floodnews"),
                     progress=False)
    assert (result.imported, result.pages, result.quarantined) == (8, 4, 0)
    listing = [r for r in asked(youtube) if "/watch" not in r and "/next" not in r]
    assert listing == ["GET /@floodnews/videos", "POST /youtubei/v1/browse?prettyPrint=false"]
    watched = [r.split("v=")[1][:11] for r in youtube.requests if r.startswith("GET /watch")]
    assert watched == ["vid00000004", "vid00000003", "vid00000002", "vid00000001"]
    state = load_cursor(case, "youtube", "channel:@floodnews")
    assert state["complete"] and state["newest"] == "vid00000004"
    assert case.verify().ok


def test_a_channel_resumes_with_no_duplicate_and_no_gap_and_then_reads_new_uploads(case, youtube):
    channel(youtube)
    first = collect(case, collector(youtube, channel=HANDLE), limit=3, progress=False)
    assert (first.imported, first.pages) == (4, 2) and "limit" in first.stopped
    assert load_cursor(case, "youtube", "channel:@floodnews")["older"] == "vid00000003"
    youtube.faults.append(("/watch?v=vid00000001", None, {}, b""))  # the connection drops
    with pytest.raises(CollectError, match="cannot be reached"):
        collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert case.db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone() == ("failed",)
    result = collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert (result.imported, result.duplicates) == (2, 0)  # only video 1 was left
    assert len(uids(case)) == 8 and load_cursor(case, "youtube", "channel:@floodnews")["complete"]
    # a new upload: read from the top down to the newest video already collected
    youtube.add_channel(HANDLE, CHANNEL_ID, [video(5, comments=[comment(105)]), *channel(youtube)])
    youtube.requests.clear()
    result = collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert (result.imported, result.duplicates, result.pages) == (2, 2, 2)
    state = load_cursor(case, "youtube", "channel:@floodnews")
    assert state["newest"] == "vid00000005" and "refresh" not in state
    assert case.verify().ok


def test_a_429_within_the_maximum_wait_is_waited_out(case, youtube):
    youtube.add_video(video(20, comments=[comment(1), comment(2), comment(3)]))
    youtube.faults.append(("/youtubei/v1/next", 429, {"Retry-After": "3"}, json.dumps({"error": {
        "code": 429, "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED"}}).encode()))
    slept = []
    result = collect(case, collector(youtube, video="vid00000020"), progress=False, max_wait=10,
                     sleep=slept.append)
    assert slept == [3.0] and (result.imported, result.pages, result.stopped) == (4, 1, None)
    # in a channel's listing (its second page): waited out, the listing read again, nothing missed
    channel(youtube)
    youtube.faults.append(("/youtubei/v1/browse", 429, {"Retry-After": "2"}, b'{"error": {"code": 429}}'))
    result = collect(case, collector(youtube, channel=HANDLE), progress=False, max_wait=10,
                     sleep=slept.append)
    assert slept == [3.0, 2.0] and (result.imported, result.pages) == (8, 4)


def test_a_429_beyond_the_maximum_stops_cleanly_and_says_when_to_resume(case, youtube):
    channel(youtube)
    youtube.faults.append(("/watch?v=vid00000003", 429, {"Retry-After": "600"},
                           b"<html><body>Too Many Requests</body></html>"))
    slept = []
    result = collect(case, collector(youtube, channel=HANDLE), progress=False, max_wait=10,
                     sleep=slept.append)
    assert slept == [] and (result.imported, result.pages) == (2, 1)
    assert "more than the maximum wait of 10s" in result.stopped and result.resume_after
    result = collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert (result.imported, result.duplicates) == (6, 0)


def test_a_removed_video(case, youtube):
    with pytest.raises(CollectError, match="removed by the uploader"):
        collect(case, collector(youtube, video="gone0000000"), progress=False)
    # met in a channel's listing: kept with its reason (quarantined), the others collected
    videos = channel(youtube, 3)
    videos[1].removed = True
    result = collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert (result.imported, result.quarantined, result.pages) == (4, 1, 3)
    reason = case.quarantine().iloc[0].reason
    assert "vid00000002" in reason and "removed by the uploader" in reason
    assert case.verify().ok


def test_malformed_answers_are_quarantined_and_kept(case, youtube):
    # a comment whose time YouTube shows in a way that cannot be read: that comment alone
    youtube.add_video(video(20, comments=[comment(1), comment(2, ago="sometime")]))
    result = collect(case, collector(youtube, video="vid00000020"), progress=False)
    assert (result.imported, result.quarantined) == (2, 1)
    assert "sometime" in case.quarantine().iloc[0].reason
    # an answer that is not JSON: the page is kept, with the reason, and quarantined
    youtube.add_video(video(21, comments=[comment(5)]))
    youtube.faults.append(("/youtubei/v1/next", 200, {}, b'{"responseContext": {"visitorDa'))
    result = collect(case, collector(youtube, video="vid00000021"), progress=False)
    assert (result.imported, result.quarantined) == (0, 1)
    last = kept_pages(case)[-1]
    assert last["error"] and b'{"responseContext": {"visitorDa' in [response_bytes(r) for r in
                                                                      last["responses"]]
    # a channel listing page that is not JSON: a clear error; the next run goes on from there
    channel(youtube)
    youtube.faults.append(("/youtubei/v1/browse", 200, {}, b"<html>oops"))
    with pytest.raises(CollectError, match="listing of @floodnews cannot be read"):
        collect(case, collector(youtube, channel=HANDLE), progress=False)
    result = collect(case, collector(youtube, channel=HANDLE), progress=False)
    assert (result.imported, result.duplicates) == (6, 0)
    assert case.verify().ok


def test_unknown_channel_and_bad_arguments(case, youtube):
    with pytest.raises(CollectError, match="there is no channel @nobodyhere"):
        collect(case, collector(youtube, channel="@nobodyhere"), progress=False)
    youtube.add_channel("@quietchannel", "UCqu1et00000000000000000", [])  # no uploads yet
    result = collect(case, collector(youtube, channel="@quietchannel"), progress=False)
    assert (result.imported, result.pages) == (0, 1)
    assert load_cursor(case, "youtube", "channel:@quietchannel")["complete"]
    with pytest.raises(CollectError, match="either a video or a channel"):
        YouTubeCollector()
    with pytest.raises(CollectError, match="not a video id"):
        video_id_of("https://example.org/x")
    assert channel_of("https://www.youtube.com/channel/UCfl00dNews0000000000000/videos") == CHANNEL_ID
    assert video_id_of("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3") == "dQw4w9WgXcQ"


def test_collectors_from_the_plan(case):
    case.update_plan(accounts=["@floodnews", "someone@mastodon.social"], platforms=["youtube"])
    (only,) = youtube_collectors(case.plan)
    assert only.query == "channel:@floodnews"
    made = youtube_collectors(case.plan, video=["dQw4w9WgXcQ"], channel=["@other"])
    assert [c.query for c in made] == ["video:dQw4w9WgXcQ", "channel:@other"]


def test_the_video_file_is_downloaded_only_when_asked_and_kept_hashed(case, youtube):
    youtube.add_video(video(20, comments=[comment(1)]))
    collect_youtube(case, collector(youtube, video="vid00000020"), progress=False)
    media = case.db.execute("SELECT uid, kind, sha256 FROM media").fetchall()
    assert media == [("youtube:vid00000020#video", "video", None)]  # listed, not fetched
    assert not any(r.startswith("GET /videoplayback") for r in youtube.requests)
    youtube.add_video(video(21))
    result = collect_youtube(case, collector(youtube, video="vid00000021", download_video=True),
                             progress=False)
    assert result.media_files == 1 and any(r.startswith("GET /videoplayback") for r in youtube.requests)
    (sha,) = case.db.execute("SELECT sha256 FROM media WHERE uid = 'youtube:vid00000021#video'").fetchone()
    assert case.media_store.path(sha).read_bytes() == youtube.videos["vid00000021"].file
    assert sha256_bytes(youtube.videos["vid00000021"].file) == sha
    assert "POST /youtubei/v1/player?prettyPrint=false" in youtube.requests  # its formats
    (detail,) = case.db.execute("SELECT detail FROM audit WHERE action = 'media.stored'").fetchone()
    assert json.loads(detail)["host"] == MEDIA_HOST and "ip=" not in detail  # no signed link kept
    page = kept_pages(case)[-1]  # the file is not in the kept page
    assert all(not r["url"].startswith("https://rr3") for r in page["responses"])
    # a file that cannot be had: recorded and skipped, the metadata kept
    youtube.add_video(video(22))
    youtube.faults.append(("/videoplayback", 403, {}, b""))
    result = collect_youtube(case, collector(youtube, video="vid00000022", download_video=True),
                             progress=False)
    assert (result.imported, result.media_files) == (1, 0)
    assert result.notes == {"video files not downloaded": 1}
    (detail,) = case.db.execute("SELECT detail FROM audit WHERE action = 'media.failed'").fetchone()
    assert "vid00000022" in detail
    assert case.verify().ok


def test_the_cli_collects_a_channel_through_the_proxy(case, youtube):
    from typer.testing import CliRunner

    from workbench.cli import app

    youtube.add_channel(HANDLE, CHANNEL_ID, [video(n, comments=[comment(n)]) for n in (3, 2, 1)])
    done = CliRunner().invoke(app, ["collect", str(case.path), "youtube", "--channel", HANDLE,
                                    "--no-comments", "--proxy", youtube.proxy, "--system-certs",
                                    "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "3 imported" in done.output
    assert uids(case) == ["vid00000001", "vid00000002", "vid00000003"]  # no comments asked for
    assert case.verify().ok
