"""Telegram Desktop's result.json: one chat and a whole account, mapped, imported, odd cases."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from workbench.collect import get_format, sniff
from workbench.collect.base import Payload, Sample
from workbench.collect.readers import decode
from workbench.errors import RecordError
from workbench.evidence import sha256_file

from .conftest import DATA

CHANNEL = DATA / "telegram" / "channel" / "result.json"
ACCOUNT = DATA / "telegram" / "account" / "result.json"
PHOTO = "photos/photo_1@14-03-2024_10-15-02.jpg"
FMT = get_format("telegram")


def records(path: Path) -> list:
    return list(FMT.records(Payload("", path, path.name, path.parent), {}))


def by_id(case) -> dict:
    return {row.id: row for row in case.items().itertuples()}


def copy_export(src: Path, dest: Path, transform=None) -> Path:
    """A copy of an export folder, its result.json rewritten by ``transform(bytes)``."""
    shutil.copytree(src.parent, dest)
    target = dest / "result.json"
    if transform:
        target.write_bytes(transform(target.read_bytes()))
    return target


def assert_spans_exact(case, path: Path) -> None:
    """Every item's span, cut from the decoded payload, is the message it was mapped from."""
    text, _ = decode(path.read_bytes())
    for row in case.items().itertuples():
        start, end = map(int, row.raw_span.removeprefix("C").split(":"))
        message = json.loads(text[start:end])
        assert row.id.endswith(f"/{message['id']}")


# -- sniffing --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CHANNEL, ACCOUNT])
def test_sniffs_both_export_shapes(path):
    sample = Sample(path.name, path.read_text(encoding="utf-8")[:65536])
    assert sniff(sample).name == "telegram"


def test_does_not_claim_other_json():
    bluesky = DATA / "bluesky" / "searchPosts.json"
    if bluesky.exists():
        assert not FMT.sniff(Sample(bluesky.name, bluesky.read_text(encoding="utf-8")))
    assert not FMT.sniff(Sample("x.json", '[{"id": 1, "messages": 3}]'))
    assert not FMT.sniff(Sample("x.json", '{"data": [{"type": "message"}]}'))


# -- one channel -----------------------------------------------------------------------------


def test_channel_message_maps_every_field(case):
    result = case.import_file(CHANNEL, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("telegram", 8, 1)
    items = by_id(case)
    post = items["1698765432/2"]
    assert post.uid == "telegram:1698765432/2"
    assert post.platform == "telegram" and post.kind == "post"
    assert post.url == "https://t.me/c/1698765432/2"
    # date_unixtime (UTC) wins over the local "date" 10:15:02 written by a CET computer.
    assert post.created_at == datetime(2024, 3, 14, 9, 15, 2, tzinfo=UTC)
    assert post.text == ("Smoke over the north pier this morning. Details: "
                         "https://example.org/harbour/fire #HarbourFire")
    assert post.hashtags == ["HarbourFire"]
    assert post.links == ["https://example.org/harbour/fire"]
    assert post.mentions == []
    assert post.likes == 17  # 14 thumbs up + 3 crying
    assert pd.isna(post.views)
    assert post.author_id == "channel1698765432" and post.author_name == "Harbour Watch"
    assert post.conversation_id == "1698765432"
    assert post.caveats == ["edited"]
    assert post.media == [PHOTO]
    assert post.raw_locator == "$.messages[1]"
    assert post.raw_sha256 == sha256_file(CHANNEL)


def test_photo_beside_result_json_is_stored(case):
    result = case.import_file(CHANNEL.parent, progress=False)  # the folder means its result.json
    assert result.media_files == 1
    media = case.db.execute(
        "SELECT item_uid, key, kind, member, mime, width, height, sha256 FROM media "
        "WHERE member IS NOT NULL").fetchall()
    photo = CHANNEL.parent / PHOTO
    assert media == [("telegram:1698765432/2", PHOTO, "photo", PHOTO, "image/jpeg", 8, 6,
                      sha256_file(photo))]
    assert case.media_store.path(media[0][-1]).read_bytes() == photo.read_bytes()
    assert case.verify().ok


def test_reply_forward_rtl_and_venue(case):
    case.import_file(CHANNEL, progress=False)
    items = by_id(case)
    reply = items["1698765432/3"]
    assert reply.kind == "reply" and reply.reply_to == "telegram:1698765432/2"
    forward = items["1698765432/4"]
    assert forward.caveats == ["forwarded", "forwarded-from:Coastal Weather Service"]
    assert forward.mentions == ["coastalwx"]
    assert forward.links == ["https://weather.example.net/bulletins/2024-03-14"]
    assert forward.text == "Gale warning for the estuary tonight, see the bulletin, via @coastalwx"
    rtl = items["1698765432/5"]
    assert rtl.text == "🔥 حريق في الميناء الشمالي — שריפה בנמל הצפוני 🚒"
    venue = items["1698765432/9"]
    assert (venue.lat, venue.lon) == (51.462104, -3.165233)
    assert venue.place == "Ferry Terminal, Quay Road 1, Port Elwyn"


def test_file_not_included_is_still_listed(case):
    case.import_file(CHANNEL, progress=False)
    assert by_id(case)["1698765432/7"].media == ["promenade.mp4"]
    row = case.db.execute("SELECT kind, member, mime, width, height, sha256 FROM media "
                          "WHERE item_uid = 'telegram:1698765432/7'").fetchone()
    assert row == ("video", None, "video/mp4", 1920, 1080, None)


def test_service_messages_are_kept_and_marked(case):
    case.import_file(CHANNEL, progress=False)
    items = by_id(case)
    created = items["1698765432/1"]
    assert created.kind == "message"
    assert created.caveats == ["service", "action:create_channel"]
    assert created.text == "create_channel: Harbour Watch"
    assert created.author_id == "channel1698765432"
    pinned = items["1698765432/8"]
    assert pinned.text == "pin_message: message 2" and pd.isna(pinned.reply_to)


def test_missing_date_is_quarantined_with_its_place(case):
    case.import_file(CHANNEL, progress=False)
    quarantine = case.quarantine()
    assert list(quarantine.locator) == ["$.messages[5]"]
    assert quarantine.reason.iloc[0] == "missing date"
    assert "Power restored to the quay." in quarantine.excerpt.iloc[0]
    assert "1698765432/6" not in by_id(case)


def test_spans_are_exact_and_reimport_adds_nothing(case):
    first = case.import_file(CHANNEL, progress=False)
    again = case.import_file(CHANNEL, progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, first.imported, 0)
    assert len(case.items()) == 8 and len(case.quarantine()) == 1
    assert_spans_exact(case, CHANNEL)


# -- a whole account -------------------------------------------------------------------------


def test_account_export_reads_every_chat(case):
    result = case.import_file(ACCOUNT, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("telegram", 12, 0)
    items = by_id(case)
    chats = {ident.split("/")[0] for ident in items}
    assert chats == {"5098765432", "1876543210", "1555000111"}  # the left channel too
    assert items["1555000111/77"].raw_locator == "$.left_chats.list[0].messages[0]"
    assert items["1876543210/5003"].raw_locator == "$.chats.list[1].messages[2]"
    assert pd.isna(items["5098765432/101"].url)  # personal chats have no t.me link
    assert_spans_exact(case, ACCOUNT)


def test_account_messages_map_every_field(case):
    case.import_file(ACCOUNT, progress=False)
    items = by_id(case)
    mine = items["5098765432/101"]
    assert mine.text == "Did you see the Harbour Watch post? t.me/harbourwatch/2"
    assert mine.links == ["http://t.me/harbourwatch/2"]
    assert (mine.author_id, mine.author_handle, mine.author_name) == (
        "user5012345678", "dana_okafor", "Dana Okafor")
    answer = items["5098765432/102"]
    assert answer.kind == "reply" and answer.reply_to == "telegram:5098765432/101"
    mention = items["1876543210/5003"]
    assert mention.mentions == ["user5098765432"]  # a mention of a user without a username
    assert mention.hashtags == ["PortElwyn"]
    assert mention.text.startswith("Idris, can you share")
    assert items["1876543210/5004"].caveats == ["forwarded", "forwarded-from:Harbour Watch"]
    assert items["1876543210/5002"].text == "join_group_by_link: inviter Dana Okafor"
    assert items["1876543210/5001"].text == "invite_members: Idris Bensaid, Marta Lindqvist"
    assert items["1876543210/5007"].text == (
        "Should we ask the council for a public meeting? [Yes / No]")
    assert items["5098765432/104"].caveats == ["service", "action:phone_call"]
    assert items["5098765432/103"].media == ["photo"]


def test_reply_into_another_chat_points_at_that_chat(case):
    case.import_file(CHANNEL, progress=False)
    case.import_file(ACCOUNT, progress=False)
    items = by_id(case)
    comment = items["1876543210/5006"]
    assert comment.reply_to == "telegram:1698765432/2"
    assert comment.reply_to in set(case.items().uid)


def test_account_owner_is_an_author_without_phone_number(case):
    case.import_file(ACCOUNT, progress=False)
    authors = {row.id: row for row in case.authors().itertuples()}
    owner = authors["user5012345678"]
    assert (owner.handle, owner.name, owner.bio) == (
        "dana_okafor", "Dana Okafor", "Port Elwyn residents' association")
    assert authors["user5098765432"].name == "Idris Bensaid"  # not the mention's text "Idris"
    dump = case.authors().to_json(date_format="iso")
    assert "7700" not in dump


# -- odd cases -------------------------------------------------------------------------------


def test_crlf_and_bom(case, tmp_path):
    path = copy_export(CHANNEL, tmp_path / "crlf",
                       lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined, result.media_files) == (8, 1, 1)
    assert "records not in UTF-8" not in result.notes
    assert by_id(case)["1698765432/3"].text.endswith("is closed.")
    assert_spans_exact(case, path)


def test_malformed_json_mid_document_keeps_what_came_before(case, tmp_path):
    def corrupt(data: bytes) -> bytes:
        return data.replace(b'"id": 5,', b'"id": 5,,', 1)

    path = copy_export(CHANNEL, tmp_path / "broken", corrupt)
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (4, 1)
    assert sorted(by_id(case)) == [f"1698765432/{n}" for n in range(1, 5)]
    broken = case.quarantine().iloc[0]
    assert "$.messages[4]" in broken.locator and broken.locator.startswith("line ")
    assert "invalid JSON" in broken.reason
    text, _ = decode(path.read_bytes())
    start, end = map(int, broken.span.removeprefix("C").split(":"))
    assert end == len(text) and text[start:].startswith('{\n   "id": 5,,')


def test_malformed_json_in_one_chat_of_an_account(case, tmp_path):
    path = copy_export(ACCOUNT, tmp_path / "broken",
                       lambda d: d.replace(b'"id": 5004,', b'"id": 5004 "oops",', 1))
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (4 + 3, 1)
    assert "1555000111/77" not in by_id(case)


def test_empty_messages(case, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Quiet Group", "type": "private_group", "id": 4242,
                                "messages": []}, indent=1), encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("telegram", 0, 0)


def test_chat_id_after_its_messages(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({
        "messages": [{"id": 1, "type": "message", "date": "2024-01-02T03:04:05",
                      "date_unixtime": "1704164645", "from": "Ana", "from_id": "user9",
                      "text": "hi", "text_entities": [{"type": "plain", "text": "hi"}]}],
        "name": "Reordered", "type": "private_group", "id": 77}), encoding="utf-8")
    [record] = records(path)
    assert FMT.map(record).item.id == "77/1"


def test_old_export_without_unixtime_is_naive(case, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Old", "type": "personal_chat", "id": 55, "messages": [
        {"id": 3, "type": "message", "date": "2019-06-01T12:30:00", "from": "Ana",
         "from_id": 123456, "text": "old message"}]}, indent=1), encoding="utf-8")
    result = case.import_file(path, progress=False, format="telegram")
    assert result.notes == {"naive times taken as UTC": 1}
    row = case.items().iloc[0]
    assert row.created_at == datetime(2019, 6, 1, 12, 30, tzinfo=UTC)
    assert row.caveats == ["naive-time"]
    assert row.author_id == "user123456"  # bare ids of old exports take today's form


def test_unsupported_and_idless_messages_are_refused():
    chat = {"chat_id": "1", "chat_type": "private_group"}
    with pytest.raises(RecordError, match="could not export"):
        FMT.map(_record({"id": 9, "type": "unsupported"}, chat))
    with pytest.raises(RecordError, match="no id"):
        FMT.map(_record({"type": "message", "date_unixtime": "1704164645"}, chat))


def test_views_are_read_when_a_tool_added_them():
    chat = {"chat_id": "1698765432", "chat_type": "public_channel", "chat_name": "Harbour Watch"}
    mapped = FMT.map(_record({"id": 12, "type": "message", "date_unixtime": "1704164645",
                              "text": "", "views": 1532}, chat))
    assert mapped.item.views == 1532
    assert mapped.item.author_id == "channel1698765432"  # a channel post without from_id


def _record(data: dict, context: dict):
    from workbench.collect.base import Record

    return Record("$.messages[0]", "C0:1", data=data, context=context)


def test_purge_cuts_one_message_and_keeps_the_rest_findable(case):
    case.import_file(CHANNEL, progress=False)
    case.purge(items=["telegram:1698765432/5"], reason="test")
    rows = case.items()
    assert "1698765432/5" not in set(rows.id)
    [sha] = set(rows.raw_sha256)
    redacted = case.raw_store.path(sha)
    assert "שריפה" not in decode(redacted.read_bytes())[0]
    assert_spans_exact(case, redacted)
    # The redacted payload still reads: the purged message is a null, and gives no record.
    assert len(records(redacted)) == 8
    assert case.verify().ok
