"""Live Telegram collection: the real, unmodified Telethon against an MTProto 2.0 data centre on
127.0.0.1 (tests/telegram_server.py: TCP full transport, encrypted messages, containers, acks,
rpc_result/rpc_error), paging messages.getHistory as https://core.telegram.org/api/offsets says."""

import _thread
import asyncio
import json
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("telethon")

from telethon.tl import types  # noqa: E402

from tests.telegram_server import CHANNEL_ID, TelegramServer, channel, message  # noqa: E402
from workbench.collect.live import CollectError, collect, load_cursor  # noqa: E402
from workbench.collect.live.telegram import (  # noqa: E402
    API_HASH_ENV,
    API_ID_ENV,
    SESSION_ENV,
    TelegramCollector,
    channel_name,
    collect_telegram,
    session_path,
    telegram_collectors,
)
from workbench.evidence import sha256_bytes  # noqa: E402

API_HASH = "5ecre7a9b1c2d3e4f5a6b7c8d9e0f1a2"


@pytest.fixture
def dc():
    server = TelegramServer().start()
    yield server
    server.stop()


@pytest.fixture
def session(tmp_path, dc):
    """The analyst's session file, outside the case folder, holding the data centre's auth key."""
    (tmp_path / "config").mkdir()
    return dc.write_session(str(tmp_path / "config" / "telegram"))


@pytest.fixture
def channel_of(case, session):
    made = []

    def make(name="floodwatch", cls=TelegramCollector, **options):
        options.setdefault("page_size", 5)
        collector = cls(name, session=session, api_id=12345, api_hash=API_HASH,
                        case_dir=case.path, **options)
        made.append(collector)
        return collector

    yield make
    for collector in made:
        collector.close()


def ids(case) -> list[str]:
    return sorted(case.items()["id"].tolist(), key=lambda i: int(i.split("/")[1]))


def requests(dc) -> list[tuple[int, int, int, int]]:
    return [(r.offset_id, r.add_offset, r.limit, r.min_id) for r in dc.histories]


def test_pages_through_a_channel_and_keeps_each_page_as_received(case, dc, channel_of):
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 4)
    # down by offset_id from the top, then up from the newest (offset_id N+1, add_offset -limit,
    # min_id N): nothing newer
    assert requests(dc) == [(0, 0, 5, 0), (8, 0, 5, 0), (3, 0, 5, 0), (13, -5, 5, 12)]
    # the rpc_result bodies exactly as the data centre sent them, hashed
    stored = [sha for (sha,) in case.db.execute(
        "SELECT sha256 FROM payloads WHERE kind = 'raw' ORDER BY rowid")]
    assert stored == [sha256_bytes(page) for page in dc.pages]
    for sha, page in zip(stored, dc.pages, strict=True):
        assert case.raw_store.path(sha).read_bytes() == page
    items = case.items().set_index("id")
    top = items.loc[f"{CHANNEL_ID}/12"]
    assert top.text == "Water rising 🌊, post 12 #flood @someone https://example.org/12"
    assert top.url == "https://t.me/floodwatch/12" and top.kind == "post"
    assert top.author_id == f"channel{CHANNEL_ID}" and top.author_handle == "floodwatch"
    assert (top.views, top.reposts) == (112, 0)
    assert list(top.hashtags) == ["flood"] and list(top.mentions) == ["someone"]
    assert list(top.links) == ["https://example.org/12"]
    assert top.source == "telegram" and top.collector == "live:telegram"
    assert str(top.created_at).startswith(
        datetime.fromtimestamp(1_700_000_000 + 12 * 3600, UTC).strftime("%Y-%m-%d"))
    author = case.authors().set_index("id").loc[f"channel{CHANNEL_ID}"]
    assert author["name"] == "Flood Watch" and author["url"] == "https://t.me/floodwatch"
    assert case.verify().ok
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("collect.page") == 4 and actions[-1] == "collect.finished"
    assert load_cursor(case, "telegram", "channel:floodwatch") == {
        "complete": True, "newest": "12", "newest_at": "2023-11-15T10:13:20Z", "older": None}
    # Telethon connected as it does to Telegram: the layer and config, then its own checks
    assert dc.calls[:2] == ["GetConfigRequest", "GetUsersRequest"]


def test_a_second_run_takes_only_what_is_new(case, dc, channel_of):
    collect(case, channel_of(), progress=False)
    dc.add([message(n) for n in range(13, 20)])  # 7 new, more than a page
    dc.histories.clear()
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.duplicates) == (7, 0)
    assert requests(dc) == [(13, -5, 5, 12), (18, -5, 5, 17), (20, -5, 5, 19)]
    assert len(ids(case)) == 19


class Interrupted(TelegramCollector):
    """Ctrl-C arrives while the third page is being fetched."""

    def fetch(self, **where):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return super().fetch(**where)


def test_an_interrupted_run_resumes_with_no_duplicate_and_no_gap(case, dc, channel_of):
    with pytest.raises(KeyboardInterrupt):
        collect(case, channel_of(cls=Interrupted), progress=False)
    assert len(ids(case)) == 10
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("interrupted",)
    dc.add([message(13)])  # posted while we were away
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.duplicates) == (3, 0)  # posts 1, 2 and 13
    assert ids(case) == [f"{CHANNEL_ID}/{n}" for n in range(1, 14)]
    assert case.verify().ok


def test_ctrl_c_while_a_page_is_on_its_way_stops_cleanly_and_resumes(case, dc, channel_of):
    def slow_and_interrupted():  # the second page is slow; the analyst presses Ctrl-C meanwhile
        _thread.interrupt_main()
        time.sleep(1.0)

    dc.faults = [None, slow_and_interrupted]
    collector = channel_of()
    with pytest.raises(KeyboardInterrupt):
        collect(case, collector, progress=False)
    assert len(ids(case)) == 5
    collector.close()  # the worker thread and its loop end
    assert not any(t.name == "workbench-telegram" and t.is_alive() for t in threading.enumerate())
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.duplicates) == (7, 0)


def test_a_flood_wait_within_the_maximum_is_waited_out(case, dc, channel_of):
    dc.faults = [None, (420, "FLOOD_WAIT_3")]
    slept = []
    result = collect(case, channel_of(), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [3.0] and result.imported == 12 and result.stopped is None
    assert requests(dc)[1] == requests(dc)[2] == (8, 0, 5, 0)  # the same page asked again


def test_a_flood_wait_beyond_the_maximum_stops_cleanly_and_says_when_to_resume(case, dc,
                                                                                channel_of):
    dc.faults = [None, (420, "FLOOD_WAIT_600")]
    slept = []
    result = collect(case, channel_of(), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [] and result.imported == 5
    assert "asks to wait 600s, more than the maximum wait of 10s" in result.stopped
    assert result.resume_after and "run again after" in result.summary()
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("stopped",)
    result = collect(case, channel_of(), progress=False, max_wait=10, sleep=slept.append)
    assert (result.imported, result.duplicates) == (7, 0) and len(ids(case)) == 12
    assert case.verify().ok


def test_a_logged_out_session_is_a_clear_error(case, dc, channel_of, session):
    dc.unregistered = True
    with pytest.raises(CollectError, match="refused the session") as raised:
        collect(case, channel_of(), progress=False)
    assert session in str(raised.value) and "login()" in raised.value.hint
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("failed",)
    assert "GetHistoryRequest" not in dc.calls


def test_a_session_whose_key_the_data_centre_does_not_know(case, dc, tmp_path):
    stranger = TelegramServer()  # another auth key: this data centre answers -404
    path = stranger.write_session(str(tmp_path / "stranger"), port=dc.port)
    collector = TelegramCollector("floodwatch", session=path, api_id=1, api_hash=API_HASH)
    with pytest.raises(CollectError, match="refused the session .*does not know its authoriz"):
        collect_telegram(case, collector, progress=False)


def test_missing_credentials_and_sessions_are_clear_errors(case, tmp_path, monkeypatch, session):
    for name in (API_ID_ENV, API_HASH_ENV, SESSION_ENV):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CollectError, match="API id and hash are not set"):
        TelegramCollector("floodwatch", session=session)
    monkeypatch.setenv(API_ID_ENV, "12345")
    monkeypatch.setenv(API_HASH_ENV, API_HASH)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert session_path() == tmp_path / "xdg" / "socmint-workbench" / "telegram.session"
    with pytest.raises(CollectError, match="no session file at") as raised:
        collect(case, TelegramCollector("floodwatch"), progress=False)
    assert "login()" in raised.value.hint
    # a session is a secret: one inside the case folder is refused before anything is read
    inside = case.path / "telegram.session"
    inside.write_bytes(b"")
    monkeypatch.setenv(SESSION_ENV, str(case.path / "telegram"))
    with pytest.raises(CollectError, match="inside the case folder"):
        telegram_collectors(case, ["floodwatch"])


def test_unknown_private_and_misspelt_channels(case, dc, channel_of):
    with pytest.raises(CollectError, match=r"no public channel or group @nobody_here "
                                           r"\(USERNAME_NOT_OCCUPIED\)"):
        collect(case, channel_of("nobody_here"), progress=False)
    dc.channels["hidden_room"] = channel("hidden_room", ident=555, access_hash=7)
    dc.history[555] = [message(1, channel=555)]
    dc.private.add(555)
    with pytest.raises(CollectError, match="private or not readable") as raised:
        collect(case, channel_of("hidden_room"), progress=False)
    assert "CHANNEL_PRIVATE" in str(raised.value)
    with pytest.raises(CollectError, match="not a public channel or group username"):
        channel_name("ab")
    assert channel_name("https://t.me/s/floodwatch") == channel_name("@floodwatch") == "floodwatch"
    assert case.items().empty


def test_a_deleted_message_gives_no_item_and_stays_in_the_raw_page(case, dc, channel_of):
    dc.history[CHANNEL_ID][4] = types.MessageEmpty(id=5, peer_id=types.PeerChannel(CHANNEL_ID))
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.quarantined) == (11, 0)
    assert f"{CHANNEL_ID}/5" not in ids(case)
    assert bytes(dc.history[CHANNEL_ID][4]) in dc.pages[1]  # kept as received
    assert case.verify().ok


def test_an_unreadable_page_is_quarantined_and_paging_goes_on(case, dc, channel_of):
    garbage = b"\xde\xad\xbe\xef not a TL object"
    dc.faults = [None, garbage]
    result = collect(case, channel_of(), progress=False)
    # page 2 (posts 7 to 3) cannot be read; below it, posts 2 and 1 are
    assert (result.imported, result.quarantined, result.pages) == (7, 1, 4)
    assert ids(case) == [f"{CHANNEL_ID}/{n}" for n in (1, 2, 8, 9, 10, 11, 12)]
    row = case.quarantine().iloc[0]
    assert "not a TL object Telethon can read" in row.reason
    kept = case.raw_store.path(row.raw_sha256).read_bytes()
    assert kept.startswith(garbage)  # as received, to the end of the MTProto message
    assert case.verify().ok


def test_a_message_that_cannot_be_mapped_is_quarantined_and_the_rest_kept(case, dc, channel_of):
    dc.history[CHANNEL_ID][3] = message(4, date=None)
    result = collect(case, channel_of(), progress=False)
    assert (result.imported, result.quarantined) == (11, 1)
    row = case.quarantine().iloc[0]
    assert row.locator == "$.messages[3]" and "no date" in row.reason
    assert case.verify().ok


def test_replies_forwards_groups_and_media_are_mapped_without_downloading(case, dc, channel_of):
    dc.channels["river_chat"] = types.Channel(
        id=777, title="River chat", photo=types.ChatPhotoEmpty(), date=datetime.now(UTC),
        megagroup=True, access_hash=77, username="River_Chat")
    dc.users = [types.User(id=31, access_hash=1, first_name="Ana", last_name="B",
                           username="ana_b", phone="447700900000")]
    ana = types.PeerUser(31)
    photo = types.Photo(id=9001, access_hash=1, file_reference=b"", date=datetime.now(UTC),
                        sizes=[types.PhotoSize("x", 800, 600, 1000)], dc_id=2)
    video = types.Document(id=9002, access_hash=1, file_reference=b"", date=datetime.now(UTC),
                           mime_type="video/mp4", size=5000, dc_id=2, attributes=[
                               types.DocumentAttributeVideo(3.0, 640, 360)])
    dc.history[777] = [
        message(1, channel=777, from_id=ana, post=False, views=None, forwards=None,
                media=types.MessageMediaPhoto(photo=photo)),
        message(2, channel=777, from_id=ana, post=False, views=None, forwards=None,
                reply_to=types.MessageReplyHeader(reply_to_msg_id=1),
                media=types.MessageMediaDocument(document=video)),
        message(3, channel=777, from_id=ana, post=False, views=None, forwards=None,
                fwd_from=types.MessageFwdHeader(date=datetime.now(UTC),
                                                from_id=types.PeerChannel(CHANNEL_ID),
                                                channel_post=12)),
        types.MessageService(id=4, peer_id=types.PeerChannel(777), date=datetime.now(UTC),
                             from_id=ana, action=types.MessageActionChatEditTitle("River")),
    ]
    result = collect(case, channel_of("river_chat"), progress=False)
    assert result.imported == 4
    items = case.items().set_index("id")
    first, reply, forward, service = (items.loc[f"777/{n}"] for n in range(1, 5))
    assert first.author_id == "user31" and first.author_name == "Ana B"
    assert first.kind == "message" and first.url == "https://t.me/River_Chat/1"
    assert reply.kind == "reply" and reply.reply_to == "telegram:777/1"
    assert forward.repost_of == f"telegram:{CHANNEL_ID}/12"
    assert "forwarded" in forward.caveats
    assert "service" in service.caveats and "action:chat_edit_title" in service.caveats
    media = case.db.execute("SELECT key, kind, mime, width, height, sha256 FROM media "
                            "ORDER BY key").fetchall()
    assert media == [("document9002", "video", "video/mp4", 640, 360, None),
                     ("photo9001", "photo", "image/jpeg", 800, 600, None)]
    users = case.authors().set_index("id")
    assert users.loc["user31", "handle"] == "ana_b"
    everything = " ".join(str(row) for table in ("authors", "items")
                          for row in case.db.execute(f"SELECT * FROM {table}"))
    assert "447700900000" not in everything  # a phone number is not copied out


def test_secrets_never_enter_the_case(case, dc, channel_of, session):
    before = Path(session).read_bytes()
    collect(case, channel_of(), progress=False)
    assert Path(session).read_bytes() == before  # the analyst's session file is only read
    dc.unregistered = True
    with pytest.raises(CollectError):
        collect(case, channel_of(), progress=False)
    assert_no_secret_in(case, dc)


def test_network_loss_is_a_clear_error(case, dc, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = dc.write_session(str(tmp_path / "offline"), port=port)
    collector = TelegramCollector("floodwatch", session=session, api_id=1, api_hash=API_HASH)
    with pytest.raises(CollectError, match="Telegram cannot be reached"):
        collect_telegram(case, collector, progress=False)


class LosesTheNetwork(TelegramCollector):
    """The connection drops (and the data centre is gone) after the first page."""

    dc = None

    def fetch(self, **where):
        if getattr(self, "fetched", False):
            self.dc.stop()
        self.fetched = True
        return super().fetch(**where)


def test_losing_the_network_mid_run_is_a_clear_error_and_keeps_what_came(case, dc, channel_of):
    LosesTheNetwork.dc = dc
    with pytest.raises(CollectError, match="Telegram cannot be reached"):
        collect(case, channel_of(cls=LosesTheNetwork), progress=False)
    assert len(ids(case)) == 5
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("failed",)
    assert case.verify().ok


def test_works_where_an_event_loop_is_already_running(case, dc, channel_of):
    async def in_a_notebook():  # Jupyter runs cells while its own loop runs
        return collect(case, channel_of(), progress=False)

    assert asyncio.run(in_a_notebook()).imported == 12


def test_a_live_page_and_a_desktop_export_are_the_same_items(case, dc, channel_of, tmp_path):
    collect(case, channel_of(), progress=False)
    export = {"name": "Flood Watch", "type": "public_channel", "id": CHANNEL_ID, "messages": [
        {"id": 12, "type": "message", "date": "2023-11-15T10:13:20",
         "date_unixtime": str(1_700_000_000 + 12 * 3600), "from": "Flood Watch",
         "from_id": f"channel{CHANNEL_ID}",
         "text": "Water rising 🌊, post 12 #flood @someone https://example.org/12"}]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export))
    result = case.import_file(path)
    assert (result.imported, result.duplicates) == (0, 1)
    # and a page saved as a .tl file imports by itself
    page = tmp_path / "page.tl"
    page.write_bytes(dc.pages[0])
    assert case.import_file(page).duplicates == 5


def test_collectors_from_the_plan(case, session, monkeypatch):
    monkeypatch.setenv(API_ID_ENV, "12345")
    monkeypatch.setenv(API_HASH_ENV, API_HASH)
    monkeypatch.setenv(SESSION_ENV, session)
    case.update_plan(accounts=["https://t.me/floodwatch", "alice@mastodon.social", "@river_chat"])
    with pytest.raises(CollectError, match="name a channel or group"):
        telegram_collectors(case)  # the plan does not name telegram among its platforms
    case.update_plan(platforms=["telegram"])
    names = [c.query for c in telegram_collectors(case)]
    assert names == ["channel:floodwatch", "channel:river_chat"]
    case.update_plan(accounts=["alice@mastodon.social"])
    with pytest.raises(CollectError, match="name a channel or group"):
        telegram_collectors(case)


def test_a_purged_message_is_cut_out_of_its_page_as_a_deleted_message(case, dc, channel_of):
    from workbench.collect.telegram_tl import read_page, redact_page

    collect(case, channel_of(), progress=False)
    rows = case.db.execute("SELECT id, raw_sha256, raw_span FROM items WHERE id IN (?, ?)",
                           [f"{CHANNEL_ID}/11", f"{CHANNEL_ID}/10"]).fetchall()
    spans = {ident: tuple(int(x) for x in span[1:].split(":")) for ident, _, span in rows}
    assert rows[0][1] == rows[1][1]  # one page
    data = case.raw_store.path(rows[0][1]).read_bytes()
    cut, keep = spans[f"{CHANNEL_ID}/11"], spans[f"{CHANNEL_ID}/10"]
    new, moved = redact_page(data, [cut], [keep])
    page = read_page(new)
    assert [type(m).__name__ for m in page.messages] == [
        "Message", "MessageEmpty", "Message", "Message", "Message"]
    assert b"post 11" not in new and new[slice(*moved[keep])] == data[slice(*keep)]


def test_purging_one_message_keeps_its_page_valid_and_the_case_verified(case, dc, channel_of):
    from workbench.collect.telegram_tl import read_page

    collect(case, channel_of(), progress=False)
    purged, kept = f"{CHANNEL_ID}/11", f"{CHANNEL_ID}/10"
    uid = case.items().set_index("id").loc[purged, "uid"]
    case.purge(items=[uid], reason="out of scope")
    items = case.items().set_index("id")
    assert purged not in items.index and kept in items.index
    page = case.raw_store.path(items.loc[kept, "raw_sha256"]).read_bytes()
    assert b"post 11" not in page
    assert "MessageEmpty" in [type(m).__name__ for m in read_page(page).messages]
    start, end = (int(x) for x in items.loc[kept, "raw_span"][1:].split(":"))
    assert b"post 10" in page[start:end]  # the kept message's span moved with the cut
    assert case.verify().ok


def test_the_cli_collects_a_channel(case, dc, session, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv(API_ID_ENV, "12345")
    monkeypatch.setenv(API_HASH_ENV, API_HASH)
    monkeypatch.setenv(SESSION_ENV, session)
    done = CliRunner().invoke(app, ["collect", str(case.path), "telegram", "--channel",
                                    "https://t.me/floodwatch", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "12 imported" in done.output and case.verify().ok
    [(name,)] = case.db.execute("SELECT DISTINCT substr(name, -3) FROM payloads WHERE kind = 'raw'")
    assert name == ".tl"


# --- media: photos and documents downloaded through upload.getFile --------------------------

def assert_no_secret_in(case, dc) -> None:
    """No file of the case holds the API hash or the session's auth key, nor is a session."""
    secrets = [API_HASH.encode(), dc.auth_key.key, dc.auth_key.key.hex().encode()]
    for path in case.path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path
    assert not list(case.path.rglob("*.session"))


def with_media(dc) -> dict[str, bytes]:
    """Post 3 carries a photo with EXIF GPS, 5 a video too large, 6 a PDF of two 512 KB parts,
    7 a file whose reference Telegram no longer accepts; the files as the data centre holds them."""
    from tests.test_geo_exif import dms, photo

    jpeg = photo({1: "N", 2: dms(52, 22, 312), 3: "E", 4: dms(4, 54, 1476)}, size=(64, 48))
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 2400 + b"\n%%EOF\n"  # 614 KB: two parts
    when = datetime.fromtimestamp(1_700_000_000, UTC)
    pic = types.Photo(id=9001, access_hash=11, file_reference=b"ref-photo", date=when, dc_id=2,
                      sizes=[types.PhotoStrippedSize("i", b"\x01\x28\x1e"),
                             types.PhotoSize("m", 32, 24, 500),
                             types.PhotoSize("y", 64, 48, len(jpeg))])

    def document(ident: int, size: int, mime: str, reference: bytes, *attributes):
        return types.Document(id=ident, access_hash=ident + 1, file_reference=reference, date=when,
                              mime_type=mime, size=size, dc_id=2, attributes=list(attributes))

    media = {3: types.MessageMediaPhoto(photo=pic),
             5: types.MessageMediaDocument(document=document(
                 9002, 2_000_000, "video/mp4", b"ref-video",
                 types.DocumentAttributeVideo(3.0, 640, 360))),
             6: types.MessageMediaDocument(document=document(
                 9003, len(pdf), "application/pdf", b"ref-pdf",
                 types.DocumentAttributeFilename("report.pdf"))),
             7: types.MessageMediaDocument(document=document(
                 9004, 10, "application/zip", b"ref-old",
                 types.DocumentAttributeFilename("old.zip")))}
    dc.history[CHANNEL_ID] = [message(n, media=media[n]) if n in media else message(n)
                              for n in range(1, 13)]
    storage = types.storage
    dc.files = {("photo", 9001): (11, b"ref-photo", jpeg, storage.FileJpeg(), "y"),
                ("document", 9002): (9003, b"ref-video", b"\0" * 2_000_000, storage.FileMp4(), ""),
                ("document", 9003): (9004, b"ref-pdf", pdf, storage.FilePdf(), ""),
                ("document", 9004): (9005, b"ref-new", b"PK\x05\x06" + b"\0" * 6,
                                     storage.FileUnknown(), "")}
    return {"jpeg": jpeg, "pdf": pdf}


def stored_media(case) -> dict[str, str | None]:
    return dict(case.db.execute("SELECT key, sha256 FROM media ORDER BY key").fetchall())


def test_photos_and_documents_are_downloaded_byte_for_byte_and_the_photo_located(case, dc,
                                                                                   channel_of):
    files = with_media(dc)
    result = collect_telegram(case, channel_of(media=True, max_media_bytes=1_000_000),
                              progress=False)
    assert result.imported == 12
    got = result.media
    assert (got.stored, got.linked, got.bytes) == (2, 2, len(files["jpeg"]) + len(files["pdf"]))
    reasons = {f["url"].split("?")[1].split("&")[0]: f["reason"] for f in got.failed}
    assert reasons["document9002"] == ("too large: 2000000 bytes, more than the maximum of "
                                       "1000000")
    assert reasons["document9004"].startswith("file reference expired (FILE_REFERENCE_EXPIRED)")
    assert len(reasons) == 2
    jpeg_sha, pdf_sha = sha256_bytes(files["jpeg"]), sha256_bytes(files["pdf"])
    assert stored_media(case) == {"document9002": None, "document9003": pdf_sha,
                                  "document9004": None, "photo9001": jpeg_sha}
    assert case.media_store.path(jpeg_sha).read_bytes() == files["jpeg"]  # EXIF and all
    assert case.media_store.path(pdf_sha).read_bytes() == files["pdf"]
    # the largest photo size, the document in 512 KB parts as Telethon asks; nothing for the video
    asked = sorted((type(g.location).__name__, g.location.id, g.location.thumb_size, g.offset,
                    g.limit) for g in dc.gets)
    assert asked == [("InputDocumentFileLocation", 9003, "", 0, 524288),
                     ("InputDocumentFileLocation", 9003, "", 524288, 524288),
                     ("InputDocumentFileLocation", 9004, "", 0, 524288),
                     ("InputPhotoFileLocation", 9001, "y", 0, 524288)]
    names = dict(case.db.execute("SELECT sha256, name FROM payloads WHERE kind = 'media'"))
    assert names == {jpeg_sha: "photo9001.jpg", pdf_sha: "report.pdf"}

    case.locate(progress=False)
    places = case.places(method="exif")
    assert places.uid.tolist() == [f"telegram:{CHANNEL_ID}/3"]
    assert places.lat.iloc[0] == pytest.approx(52 + 22 / 60 + 3.12 / 3600)
    assert places.lon.iloc[0] == pytest.approx(4 + 54 / 60 + 14.76 / 3600)
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("media.stored") == 2 and "media.finished" in actions
    run = case.db.execute("SELECT kind, collector, status, imported FROM runs WHERE id = ?",
                          [got.run_id]).fetchone()
    assert run == ("media", "live:telegram", "done", 2)
    report = case.verify()
    assert report.ok and report.checked["media files"] == 2

    # a second run asks again only for what failed; the stored files are not downloaded again
    dc.gets.clear()
    again = collect_telegram(case, channel_of(media=True, max_media_bytes=1_000_000),
                             progress=False)
    assert (again.imported, again.media.linked, len(again.media.failed)) == (0, 0, 2)
    assert [g.location.id for g in dc.gets] == [9004]
    assert case.verify().ok


def test_media_are_not_downloaded_unless_asked(case, dc, channel_of):
    with_media(dc)
    result = collect_telegram(case, channel_of(), progress=False)
    assert not hasattr(result, "media") and dc.gets == []
    assert set(stored_media(case).values()) == {None}


def test_a_flood_wait_while_downloading_postpones_the_rest_or_is_waited_out(case, dc, channel_of):
    from workbench.collect.live.telegram_media import download_telegram_media

    files = with_media(dc)
    collect_telegram(case, channel_of(), progress=False)
    waits: list[float] = []
    dc.file_faults = [(420, "FLOOD_WAIT_600")]
    with channel_of() as collector:
        got = download_telegram_media(case, collector, max_bytes=1_000_000, max_wait=5,
                                      progress=False, sleep=waits.append)
    assert waits == [] and got.linked == 0 and len(dc.gets) == 1  # nothing more asked for
    reasons = sorted(f["reason"] for f in got.failed)
    assert len(reasons) == 4 and all("FLOOD_WAIT" in r and "600s" in r for r in reasons[:3])
    assert reasons[3].startswith("too large")  # known before asking: not postponed
    assert got.status == "done"

    dc.file_faults = [(420, "FLOOD_WAIT_3")]  # later: the run resumes, and waits this one out
    with channel_of() as collector:
        got = download_telegram_media(case, collector, max_bytes=1_000_000, max_wait=5,
                                      progress=False, sleep=waits.append)
    assert waits == [3.0] and got.linked == 2 and len(got.failed) == 2
    assert case.media_store.path(sha256_bytes(files["jpeg"])).read_bytes() == files["jpeg"]
    assert case.verify().ok


def test_losing_the_network_while_downloading_is_recorded_per_file(case, dc, channel_of):
    from workbench.collect.live.telegram_media import download_telegram_media

    with_media(dc)
    collect_telegram(case, channel_of(), progress=False)
    dc.file_faults = [dc.stop]  # the network goes while the first part is on its way
    started = time.monotonic()
    with channel_of() as collector:
        got = download_telegram_media(case, collector, max_bytes=1_000_000, progress=False)
    assert time.monotonic() - started < 20
    assert got.status == "done" and got.linked == 0 and len(got.failed) == 4
    broken = [f["reason"] for f in got.failed if not f["reason"].startswith("too large")]
    assert len(broken) == 3 and all(r.startswith("the download broke off") for r in broken)
    assert not [p for p in case.media_store.root.rglob("*") if p.is_file()]  # no partial file
    assert case.verify().ok


def test_a_file_is_found_in_its_message_after_a_purge_moved_it_in_the_page(case, dc, channel_of):
    from workbench.collect.live.telegram_media import download_telegram_media

    files = with_media(dc)
    collect_telegram(case, channel_of(), progress=False)
    # posts 6 and 7 come before post 3 in its page (newest first): cutting them moves its span
    items = case.items().set_index("id")
    case.purge(items=[items.loc[f"{CHANNEL_ID}/{n}", "uid"] for n in (6, 7)], reason="out of scope")
    with channel_of() as collector:
        got = download_telegram_media(case, collector, max_bytes=1_000_000, progress=False)
    assert got.linked == 1 and [f["uid"].split("#")[1] for f in got.failed] == ["document9002"]
    assert stored_media(case) == {"document9002": None, "photo9001": sha256_bytes(files["jpeg"])}
    assert case.verify().ok


def test_media_downloads_keep_secrets_out_of_the_case(case, dc, channel_of, session):
    with_media(dc)
    before = Path(session).read_bytes()
    collect_telegram(case, channel_of(media=True), progress=False)
    assert Path(session).read_bytes() == before
    assert_no_secret_in(case, dc)


def test_the_cli_downloads_a_channels_media_with_media(case, dc, session, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    with_media(dc)
    monkeypatch.setenv(API_ID_ENV, "12345")
    monkeypatch.setenv(API_HASH_ENV, API_HASH)
    monkeypatch.setenv(SESSION_ENV, session)
    done = CliRunner().invoke(app, ["collect", str(case.path), "telegram", "--channel", "floodwatch",
                                    "--media", "--max-media-mb", "1", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "12 imported" in done.output and "2 downloaded" in done.output
    assert "too large" in done.output and "FILE_REFERENCE_EXPIRED" in done.output
    assert case.verify().ok
