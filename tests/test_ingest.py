"""The import pipeline, through the generic formats: evidence, dedupe, quarantine, bad input."""

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.collect import formats, register
from workbench.collect.base import FileFormat
from workbench.collect.readers import jsonl_records
from workbench.collect.text_interactions import repost_pointer
from workbench.errors import ImportFormatError
from workbench.evidence import sha256_file
from workbench.ingest import BATCH

from .conftest import DATA, post


def test_payload_is_kept_exactly_as_received(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [post(i) for i in range(5)], newline="\r\n")
    result = case.import_file(path, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("jsonl", 5, 0)
    sha = sha256_file(path)
    assert result.sha256 == sha
    assert case.raw_store.path(sha).read_bytes() == path.read_bytes()
    df = case.items()
    assert set(df.raw_sha256) == {sha}
    assert list(df.raw_locator) == [f"line {n}" for n in range(1, 6)]
    assert (df.source == "file:posts.jsonl").all()
    assert (df.collector == "import:jsonl").all()
    assert df.collected_at.notna().all()


def test_reimport_adds_nothing(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [post(i) for i in range(20)] + ["{broken"])
    first = case.import_file(path, progress=False)
    again = case.import_file(path, progress=False)
    assert (first.imported, first.quarantined) == (20, 1)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 20, 0)
    assert len(case.items()) == 20
    assert len(case.quarantine()) == 1
    # The same records in a different file are duplicates too.
    other = write_jsonl("copy.jsonl", [post(i) for i in range(25)])
    third = case.import_file(other, progress=False)
    assert (third.imported, third.duplicates) == (5, 20)


def test_items_dataframe_has_proper_dtypes(case, write_jsonl):
    path = write_jsonl("p.jsonl", [post(1, hashtags="#fire #river", likes="12", lat=51.5,
                                        lon=-0.12)])
    case.import_file(path, progress=False)
    df = case.items()
    assert isinstance(df.created_at.dtype, pd.DatetimeTZDtype) and str(df.created_at.dt.tz) == "UTC"
    assert df.hashtags.iloc[0] == ["fire", "river"]
    assert df.mentions.iloc[0] == []
    assert df.likes.dtype == "Int64" and df.likes.iloc[0] == 12
    assert df.lat.iloc[0] == 51.5


def test_items_filters(case, write_jsonl):
    rows = [post(i) for i in range(30)]
    rows[3]["text"] = "Évacuation du quartier près de la rivière"
    rows[4]["platform"] = "forum"
    case.import_file(write_jsonl("p.jsonl", rows), progress=False)
    assert list(case.items(text="evacuation").id) == ["p3"]  # accents folded
    assert list(case.items(text="evacuated").id) == ["p3"]  # word forms match
    assert list(case.items(text='"river fire" AND number').id)  # FTS5 syntax
    assert len(case.items(text='unbalanced "quote')) == 0  # bad syntax is quoted, not an error
    assert list(case.items(platform="forum").id) == ["p4"]
    march2 = case.items(since="2024-03-02", until="2024-03-02")
    assert set(march2.id) == {"p1", "p29"}
    assert set(case.items(author="@USER3").author_handle) == {"user3"}
    assert len(case.items(limit=5)) == 5


def test_malformed_records_are_quarantined_with_where_and_why(case, write_jsonl):
    rows = [post(0), "{not json", post(2, created_at="yesterday"), post(3, likes="many"),
            json.dumps([1, 2]), post(5)]
    result = case.import_file(write_jsonl("bad.jsonl", rows), progress=False)
    assert (result.imported, result.quarantined) == (2, 4)
    q = case.quarantine().set_index("locator")
    assert "invalid JSON" in q.loc["line 2", "reason"]
    assert "not a recognised time" in q.loc["line 3", "reason"]
    assert "likes is not a number" in q.loc["line 4", "reason"]
    assert "expected an object" in q.loc["line 5", "reason"]
    assert q.loc["line 2", "excerpt"] == "{not json"
    assert (q.source == "bad.jsonl").all()


def test_naive_times_are_utc_and_flagged(case, write_jsonl):
    result = case.import_file(write_jsonl("n.jsonl", [post(1, created_at="2024-03-01 12:00:00")]),
                              progress=False)
    df = case.items()
    assert df.created_at.iloc[0] == pd.Timestamp("2024-03-01 12:00:00", tz="UTC")
    assert df["caveats"].iloc[0] == ["naive-time"]
    assert result.notes == {"naive times taken as UTC": 1}


def test_encodings_boms_and_hostile_text(case, tmp_path):
    text = "Ünïcödé 👍🏽 مرحبا بالعالم <script>alert(1)</script> \u202eevil\u202c"
    csv_cp1252 = tmp_path / "win.csv"
    csv_cp1252.write_bytes("id,date,text\n1,2024-03-01T00:00:00Z,café crème\n".encode("cp1252"))
    csv_bom = tmp_path / "bom.csv"
    csv_bom.write_bytes(b"\xef\xbb\xbf" + f"id,date,text\r\n2,2024-03-01T00:00:00Z,{text}\r\n"
                        .encode())
    json_utf16 = tmp_path / "u16.json"
    json_utf16.write_bytes(json.dumps([{"id": 3, "date": "2024-03-01T00:00:00Z", "text": text}],
                                      ensure_ascii=False).encode("utf-16"))
    results = [case.import_file(p, progress=False) for p in (csv_cp1252, csv_bom, json_utf16)]
    assert [r.imported for r in results] == [1, 1, 1]
    texts = dict(zip(case.items().id, case.items().text, strict=True))
    assert texts == {"1": "café crème", "2": text, "3": text}
    caveats = dict(zip(case.items().id, case.items()["caveats"], strict=True))
    assert caveats["1"] == ["encoding:cp1252"]
    assert results[0].notes == {"records not in UTF-8": 1}


CYRILLIC = ["Пожар на заводе в Новосибирске, эвакуация жителей", "Официальное сообщение МЧС",
            "Дым виден из центра города", "Жители соседних домов эвакуированы"]


def test_a_windows_1251_table_is_read_in_its_encoding(case, tmp_path):
    path = tmp_path / "ru.csv"
    rows = "".join(f"{i},2024-03-01T10:0{i}:00Z,\"{t}\"\n" for i, t in enumerate(CYRILLIC))
    path.write_bytes(("id,date,text\n" + rows).encode("cp1251"))
    result = case.import_file(path, progress=False)
    assert result.imported == 4 and result.notes == {"records not in UTF-8": 4}
    items = case.items().set_index("id")
    assert items.at["0", "text"] == CYRILLIC[0]  # not "Ïîæàð íà çàâîäå"
    assert items.at["0", "caveats"] == ["encoding:cp1251"]


def test_an_encoding_can_be_named_and_a_wrong_name_is_an_error(case, tmp_path):
    path = tmp_path / "short.jsonl"
    path.write_bytes(json.dumps({"id": "k", "created_at": "2024-03-01T10:00:00Z",
                                 "text": "Дым"}, ensure_ascii=False).encode("cp1251") + b"\n")
    case.import_file(path, encoding="windows-1251", progress=False)
    assert case.items().set_index("id").at["k", "text"] == "Дым"
    with pytest.raises(ImportFormatError, match="unknown encoding 'klingon'"):
        case.import_file(path, encoding="klingon", progress=False)


def test_csv_with_quoted_newlines_and_a_column_map(case, tmp_path):
    path = tmp_path / "forum.csv"
    path.write_text('msg,when,who,body,tags\n'
                    '10,2024-03-01T09:00:00Z,ann,"line one\nline two",#a #b\n'
                    '11,2024-03-01T09:05:00Z,bob,short,\n'
                    '12,2024-03-01T09:06:00Z,cy\n', encoding="utf-8")
    result = case.import_file(path, column_map={"id": "msg", "created_at": "when",
                                                "author_handle": "who", "text": "body",
                                                "hashtags": "tags", "platform": "=forum"},
                              progress=False)
    assert (result.imported, result.quarantined) == (2, 1)
    df = case.items()
    assert list(df.uid) == ["forum:10", "forum:11"]
    assert df.text.iloc[0] == "line one\nline two"
    assert df.raw_span.iloc[0] == "L2-3"
    assert df.hashtags.iloc[0] == ["a", "b"]
    assert "expected 5 fields, found 3" in case.quarantine().reason.iloc[0]


def test_unknown_mapping_and_missing_columns_are_named(case, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="no time column"):
        case.import_file(path, progress=False)
    with pytest.raises(ImportFormatError, match="unknown item fields: colour"):
        case.import_file(path, column_map={"colour": "a"}, progress=False)
    with pytest.raises(ImportFormatError, match="not in the file: text=body"):
        case.import_file(path, column_map={"text": "body", "created_at": "a"}, progress=False)


def test_files_without_ids_get_stable_derived_ids(case, tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("date,text\n2024-03-01T00:00:00Z,a\n2024-03-01T00:00:01Z,b\n")
    assert case.import_file(path, progress=False).imported == 2
    assert case.import_file(path, progress=False).duplicates == 2
    assert all("derived-id" in f for f in case.items()["caveats"])


def test_identical_rows_without_ids_are_posts_each_not_duplicates(case, tmp_path):
    path = tmp_path / "bot.csv"
    same = "bot,2017-01-01 10:00,RT @x: vote now\n"
    path.write_text("author,date,text\n" + same * 3 + "bot,2017-01-01 10:01,other\n")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.duplicates) == (4, 0)
    again = case.import_file(path, progress=False)
    assert (again.imported, again.duplicates) == (0, 4)
    repeats = case.items()["caveats"].map(lambda c: "repeated-record" in c)
    assert repeats.sum() == 2 and case.items()["uid"].nunique() == 4


def test_unknown_and_empty_files_get_clear_errors(case, tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n")
    with pytest.raises(ImportFormatError) as info:
        case.import_file(odd, progress=False)
    assert "notes.txt" in str(info.value) and "tried" in str(info.value)
    for name in formats():
        assert name in str(info.value)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty"):
        case.import_file(empty, progress=False)
    with pytest.raises(ImportFormatError, match="no such file"):
        case.import_file(tmp_path / "missing.json", progress=False)
    with pytest.raises(ImportFormatError, match="unknown format 'tweets'"):
        case.import_file(odd, format="tweets", progress=False)


def test_broken_json_document_keeps_what_came_before(case, tmp_path):
    path = tmp_path / "cut.json"
    good = [post(i) for i in range(3)]
    path.write_text(json.dumps(good)[:-1] + ', {"id": "x", "text": "cut off', encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (3, 1)
    reason = case.quarantine().reason.iloc[0]
    assert "invalid JSON from here on" in reason
    wrapped = tmp_path / "cut-object.json"
    more = [post(i) for i in range(10, 13)]
    wrapped.write_text('{"meta": {"n": 4}, "data": ' + json.dumps(more)[:-1] + ', {"id": "y"',
                       encoding="utf-8")
    result = case.import_file(wrapped, progress=False)
    assert (result.imported, result.quarantined) == (3, 1)


def test_records_nested_thousands_deep_are_quarantined_not_fatal(case, write_jsonl):
    deep = "[" * 1000 + "]" * 1000
    deeper = "[" * 100_000 + "]" * 100_000
    lines = [json.dumps(post(1))[:-1] + f', "x": {deep}}}', json.dumps(post(2)),
             json.dumps(post(3))[:-1] + f', "x": {deeper}}}']
    result = case.import_file(write_jsonl("deep.jsonl", lines), progress=False)
    assert (result.imported, result.quarantined) == (2, 1)  # p1 has an id: its depth is no matter
    first = write_jsonl("deep-first.jsonl", ['{"created_at": "2024-03-01T10:00:00Z", "x": '
                                             f'{deep}}}', json.dumps(post(4))])
    result = case.import_file(first, progress=False)  # no id: the id is derived from the content
    assert (result.imported, result.quarantined) == (1, 1)
    assert "nested too deep" in case.quarantine().reason.iloc[-1]


@register
class _Flaky(FileFormat):
    """A plugin format that can be interrupted mid-file, as by a Ctrl-C."""

    name, title, platform, blank = "test-flaky", "test only", "generic", ""
    stop_after: int | None = None

    def sniff(self, sample):
        return False

    def records(self, payload, options):
        with payload.open() as stream:
            for n, record in enumerate(jsonl_records(stream)):
                if self.stop_after is not None and n == self.stop_after:
                    raise KeyboardInterrupt
                yield record

    def map(self, record):
        from workbench.collect.column_map import Compiled, map_generic

        mapping = {"id": "id", "created_at": "created_at", "text": "text"}
        return map_generic(record, Compiled.of(mapping), "generic")


def test_interrupted_import_keeps_its_batches_and_resumes(case, write_jsonl):
    path = write_jsonl("big.jsonl", [post(i) for i in range(2 * BATCH)])
    flaky = formats()["test-flaky"]
    flaky.stop_after = BATCH + BATCH // 2
    with pytest.raises(KeyboardInterrupt):
        case.import_file(path, format="test-flaky", progress=False)
    kept = len(case.items())
    assert kept == BATCH  # the whole first batch, nothing of the half-read second one
    runs = list(case.db["runs"].rows)
    assert runs[-1]["status"] == "interrupted"
    flaky.stop_after = None
    result = case.import_file(path, format="test-flaky", progress=False)
    assert (result.imported, result.duplicates) == (2 * BATCH - kept, kept)
    assert len(case.items()) == 2 * BATCH
    assert case.verify().ok


def test_large_files_with_a_bom_or_a_cut_character_are_sniffed(case, tmp_path):
    rows = [post(i, text="é" * 50) for i in range(2000)]  # well over the 64 KiB sample
    body = json.dumps(rows, ensure_ascii=False).encode("utf-8")
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + body)
    assert case.import_file(with_bom, progress=False).format == "json"
    from workbench.ingest_input import SAMPLE_BYTES, take_sample

    cut = tmp_path / "cut.jsonl"  # the sample ends in the middle of an "é"
    cut.write_bytes(b"{" + b"x" * (SAMPLE_BYTES - 2) + "é".encode() * 10)
    assert cut.read_bytes()[:SAMPLE_BYTES].endswith(b"x\xc3")
    sample, _ = take_sample(cut)
    assert sample.head == "{" + "x" * (SAMPLE_BYTES - 2)


IRA_DEV = Path("/work/shared/data/ira-dev/tweets.csv.gz")
#: The IRA tweets' columns, mapped as a user does on the command line (``--map text=content`` ...).
IRA_MAP = {"text": "content", "created_at": "publish_date", "author_handle": "author_id",
           "author_id": "author_id", "platform": "=twitter"}


def test_a_csv_of_texts_gets_its_interactions_from_the_text(case, tmp_path):
    path = tmp_path / "tweets.csv"
    path.write_text(
        "author_id,content,publish_date\n"
        "alice,RT @Origin: Big news https://t.co/x,2016-02-05 10:00:00\n"
        "bob,RT @origin: big  news https://t.co/x,2016-02-05 10:00:30\n"
        "carol,\"@alice agreed, mail me at carol@example.org\",2016-02-05 10:01:00\n"
        "dave,hello @Bob and @bob and @carol,2016-02-05 10:02:00\n"
        "eve,nothing here but a@b.com,2016-02-05 10:03:00\n", encoding="utf-8")
    result = case.import_file(path, column_map=IRA_MAP, progress=False)
    assert result.notes["items with mentions, replies or reposts read from their text"] == 4
    df = case.items().set_index("author_handle")
    pointer = repost_pointer("twitter", "origin", "big news https://t.co/x")
    assert list(df.loc[["alice", "bob"], "repost_of"]) == [pointer, pointer]
    assert list(df.loc[["alice", "bob"], "kind"]) == ["repost", "repost"]
    assert df.at["carol", "reply_to"].startswith("twitter:from-text:@alice/re-")
    assert df.at["carol", "mentions"] == ["alice"]
    assert df.at["dave", "mentions"] == ["Bob", "carol"] and df.at["dave", "kind"] == "post"
    assert df.at["eve", "mentions"] == [] and df.at["eve", "caveats"] == ["naive-time", "derived-id"]
    assert "interactions-from-text" in df.at["dave", "caveats"]

    from workbench.export import export

    assert export(case, "network", "csv", tmp_path / "net.csv") == 5
    net = pd.read_csv(tmp_path / "net.csv").set_index(["source", "target"])
    assert net.at[("alice", "origin"), "repost"] == 1 and net.at[("bob", "origin"), "repost"] == 1
    assert net.at[("carol", "alice"), "reply"] == 1 and net.at[("dave", "bob"), "mention"] == 1
    assert (net["from_text"] == net["weight"]).all()  # all of it read from the text
    export(case, "coordination", "csv", tmp_path / "coord.csv")
    coord = pd.read_csv(tmp_path / "coord.csv")
    co_repost = coord[coord.kind == "co_repost"]
    assert list(zip(co_repost.account_a, co_repost.account_b, strict=True)) == [
        ("twitter:alice", "twitter:bob")]


def test_a_csv_of_texts_gets_its_hashtags_from_the_text(case, tmp_path):
    path = tmp_path / "tweets.csv"
    path.write_text(
        "author_id,content,publish_date\n"
        "alice,RT @x: #Fire at the #plant #fire #1 #a#b,2016-02-05 10:00:00\n"
        "bob,a page#anchor and &#39; and #Brandstichting_,2016-02-05 10:01:00\n", encoding="utf-8")
    result = case.import_file(path, column_map=IRA_MAP, progress=False)
    df = case.items().set_index("author_handle")
    assert df.at["alice", "hashtags"] == ["Fire", "plant"]  # once each, as first written
    assert df.at["bob", "hashtags"] == ["Brandstichting_"]
    assert df.at["alice", "caveats"][-1] == "hashtags-from-text"
    assert result.notes["items with hashtags read from their text"] == 2
    tags = case.db.execute("SELECT count(*) FROM items WHERE hashtags LIKE '%Fire%'").fetchone()
    assert tags == (1,)


def test_mapped_interaction_columns_are_not_read_from_the_text(case, write_jsonl):
    path = write_jsonl("mapped.jsonl", [
        post(1, text="RT @origin: hi @carol #fire", mentions="dave", hashtags="smoke"),
        post(2, text="@bob hi #fire", mentions="", reply_to="77", hashtags=""),
    ])
    case.import_file(path, progress=False)
    df = case.items().set_index("id")
    assert df.at["p1", "mentions"] == ["dave"]  # the column's word, not the text's
    assert df.at["p1", "repost_of"].startswith("generic:from-text:@origin/")
    assert df.at["p2", "mentions"] == [] and df.at["p2", "reply_to"] == "generic:77"
    assert df.at["p1", "hashtags"] == ["smoke"] and df.at["p2", "hashtags"] == []
    assert df.at["p2", "caveats"] == []


@pytest.mark.skipif(not IRA_DEV.exists(), reason="the ira-dev corpus is not here")
def test_real_ira_tweets_get_reposts_and_mentions_from_their_text(case, tmp_path):
    import csv
    import gzip
    import re

    with gzip.open(IRA_DEV, "rt", encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header, rows = next(reader), []
        for row in reader:
            if "@" in row[1]:
                rows.append(row)
            if len(rows) == 1500:
                break
    path = tmp_path / "ira.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    result = case.import_file(path, column_map=IRA_MAP, progress=False)
    df = case.items()
    retweets = {(a.casefold(), m.group(1).casefold()) for a, text in zip(df.author_handle, df.text,
                                                                          strict=True)
                if (m := re.match(r"RT @(\w{1,15}):", text))}
    assert len(retweets) > 20
    derived = df[df.caveats.map(lambda c: "interactions-from-text" in c)]
    assert len(derived) == result.notes["items with mentions, replies or reposts read from their text"]
    assert len(derived) > 0.9 * len(df)  # a few "@" are e-mail addresses or too long for Twitter
    from workbench.analyze.network import interaction_graph

    graph = interaction_graph(df, ["repost"])
    assert retweets <= set(graph.edges)
    assert graph.graph["from_text"]["repost"] == df.repost_of.notna().sum()


def test_a_number_or_time_out_of_range_is_that_record_s_problem(case, write_jsonl, tmp_path):
    rows = [post(i) for i in range(10)]
    rows[2]["likes"] = "1e400"
    rows[4]["likes"] = 99999999999999999999
    rows[6]["created_at"] = "9999-12-31T23:59:59-14:00"
    result = case.import_file(write_jsonl("range.jsonl", rows), progress=False)
    assert (result.imported, result.quarantined) == (7, 3)
    reasons = dict(zip(case.quarantine().locator, case.quarantine().reason, strict=True))
    assert reasons == {"line 3": "likes is out of range: '1e400'",
                       "line 5": "likes is out of range: 1e+20",  # as orjson reads it
                       "line 7": "time is out of range in UTC: 9999-12-31T23:59:59-14:00"}
    tweets = (DATA / "twitter" / "statuses_v1.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(tweets[0])
    first["favorite_count"] = 2**63
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join([json.dumps(first), *tweets[1:]]) + "\n", encoding="utf-8")
    case.import_file(path, progress=False)
    quarantine = case.quarantine()
    assert list(quarantine[quarantine.locator == "line 1"].reason) == [
        f"likes is out of range: {2**63}"]
    assert case.items(platform="twitter").shape[0] > 0  # the file's other tweets went in


@register
class _Broken(FileFormat):
    """A plugin format with a bug: it fails on its third record as no format should."""

    name, title, platform, blank = "test-broken", "test only", "generic", ""

    def sniff(self, sample):
        return False

    def records(self, payload, options):
        with payload.open() as stream:
            for n, record in enumerate(jsonl_records(stream)):
                if n == 2:
                    raise RuntimeError("a bug in a plugin")
                yield record

    def map(self, record):
        return _Flaky().map(record)


def test_an_unforeseen_failure_in_one_file_spares_the_next(case, write_jsonl):
    from typer.testing import CliRunner

    from workbench.cli import app

    broken = write_jsonl("a.jsonl", [post(i) for i in range(5)])
    done = CliRunner().invoke(app, ["import", str(case.path), str(broken), "--format",
                                    "test-broken", "--no-progress"])
    assert "RuntimeError: a bug in a plugin" in done.output and done.exit_code == 1
    assert "Traceback" not in done.output
    good = write_jsonl("b.jsonl", [post(i) for i in range(5, 7)])
    done = CliRunner().invoke(app, ["import", str(case.path), str(broken), str(good),
                                    "--format", "test-broken", "--no-progress"])
    assert "RuntimeError" in done.output and "b.jsonl: test-broken, 2 imported" in done.output
    runs = case.db.execute("SELECT status FROM runs ORDER BY id").fetchall()
    assert [r[0] for r in runs][:2] == ["failed", "failed"]


def test_a_csv_field_of_five_megabytes_is_read_whole(case, tmp_path):
    long_text = "fire " * 1_000_000
    path = tmp_path / "long.csv"
    path.write_text(f"id,created_at,text\n1,2024-03-01T10:00:00Z,{long_text}\n"
                    "2,2024-03-01T10:01:00Z,short\n", encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (2, 0)
    assert len(case.items().set_index("id").at["1", "text"]) == len(long_text)


def test_an_item_dated_after_its_collection_is_flagged_and_kept(case, write_jsonl):
    rows = [post(1), post(2, created_at="2999-01-01T00:00:00Z")]
    result = case.import_file(write_jsonl("future.jsonl", rows), progress=False)
    assert result.imported == 2 and result.notes["items dated after they were collected"] == 1
    caveats = case.items().set_index("id")["caveats"]
    assert caveats["p2"] == ["dated-after-collection"] and caveats["p1"] == []



def test_a_known_id_with_other_text_is_quarantined_not_counted_a_duplicate(case, write_jsonl):
    first = write_jsonl("export1.jsonl", [post(1, text="the fire is out")])
    case.import_file(first, progress=False)
    edited = write_jsonl("export2.jsonl", [
        post(1, text="the fire is out (edited: it flared up again)"), post(2),
        post(3, text="first"), post(3, text="second")])
    result = case.import_file(edited, progress=False)
    assert (result.imported, result.duplicates, result.quarantined) == (2, 0, 2)
    reasons = case.quarantine().set_index("locator").reason
    assert reasons["line 1"].startswith("generic:p1 is in the case already with another text")
    assert "generic:p3" in reasons["line 4"]
    items = case.items().set_index("id")
    assert items.at["p1", "text"] == "the fire is out" and items.at["p3", "text"] == "first"
    again = case.import_file(edited, progress=False)
    assert (again.imported, again.duplicates) == (0, 2)
    assert case.verify().ok


def _created(case) -> dict:
    return {uid: str(t)[:16] for uid, t in case.items().set_index("id")["created_at"].items()}


def test_a_day_first_column_is_read_day_first_and_the_decision_recorded(case, tmp_path):
    path = tmp_path / "dmy.csv"
    path.write_text("id,created_at,text\n1,03/04/2024 14:22,a\n2,15/03/2024 14:22,b\n"
                    "3,15.03.2024 09:00,c\n", encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (3, 0)
    assert result.readings == ["times read day-first (column created_at: '15/03/2024 14:22' in "
                               "the file shows it)"]
    assert "times read day-first (column created_at" in result.summary()
    assert _created(case) == {"1": "2024-04-03 14:22", "2": "2024-03-15 14:22",
                              "3": "2024-03-15 09:00"}
    started = case.db.execute("SELECT detail FROM audit WHERE action = 'import.started'").fetchone()
    assert json.loads(started[0])["readings"] == result.readings
    detail = json.loads(case.db.execute("SELECT detail FROM runs").fetchone()[0])
    assert detail["options"]["time_readings"]["created_at"]["order"] == "day-first"


def test_ambiguous_columns_default_by_separator_unless_told(case, tmp_path):
    slashes = tmp_path / "us.csv"
    slashes.write_text("id,created_at,text\n1,03/04/2024 10:00,a\n", encoding="utf-8")
    dots = tmp_path / "eu.csv"
    dots.write_text("id,created_at,text\n2,03.04.2024 10:00,a\n", encoding="utf-8")
    assert "month-first" in case.import_file(slashes, progress=False).readings[0]
    assert "day-first" in case.import_file(dots, progress=False).readings[0]
    told = tmp_path / "told.csv"
    told.write_text("id,created_at,text\n3,03/04/2024 10:00,a\n4,05/06/2024 11:00,b\n"
                    "5,05/13/2024 11:00,contradicts --dayfirst\n", encoding="utf-8")
    result = case.import_file(told, dayfirst=True, progress=False)
    assert (result.imported, result.quarantined, result.readings) == (2, 1, [])
    formatted = tmp_path / "formatted.csv"
    formatted.write_text("id,created_at,text\n6,2024|03|04 10h00,a\n", encoding="utf-8")
    assert case.import_file(formatted, time_format="%Y|%m|%d %Hh%M", progress=False).imported == 1
    assert _created(case) == {"1": "2024-03-04 10:00", "2": "2024-04-03 10:00",
                              "3": "2024-04-03 10:00", "4": "2024-06-05 11:00",
                              "6": "2024-03-04 10:00"}
    reason = case.quarantine().reason.iloc[0]
    assert "'05/13/2024 11:00' can only be month-first, but this column's times are read " \
           "day-first (as given: --dayfirst)" in reason


def test_a_later_value_contradicting_the_decision_is_quarantined_in_the_worker(
        case, tmp_path, monkeypatch):
    from workbench import mapping
    from workbench.collect import generic

    rows = [f"{i},0{1 + i % 9}/0{1 + i % 7}/2024 10:{i % 60:02d},post {i}" for i in range(3000)]
    rows.insert(2500, "x,25/03/2024 10:00,day-first at last")
    path = tmp_path / "late.csv"
    path.write_text("id,created_at,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(generic, "DECIDE_BYTES", 4096)  # the decision sees the first rows only
    monkeypatch.setattr(mapping, "WORKER_MIN_BYTES", 0)  # and the batches are a worker's
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (3000, 1)
    assert result.readings == ["times read month-first (column created_at: no value in the first "
                               "4 KiB shows the order; month-first is the default for dates "
                               "written with '/')"]
    problem = case.quarantine().iloc[0]
    assert problem.locator == "line 2502"
    assert "'25/03/2024 10:00' can only be day-first, but this column's times are read " \
           "month-first (column created_at: no value" in problem.reason
    assert problem.reason.endswith("import the file with --dayfirst")


@pytest.mark.skipif(not (DATA.parents[2] / "shared" / "data" / "ira-dev").exists(),
                    reason="../shared/data is not beside this clone")
def test_real_tweets_in_fivethirtyeight_s_month_first_form_read_as_in_iso(case, tmp_path):
    import csv
    import gzip
    import itertools
    from datetime import datetime

    source = DATA.parents[2] / "shared" / "data" / "ira-dev" / "tweets.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as stream:
        rows = list(itertools.islice(csv.DictReader(stream), 3000))
    for row in rows:  # FiveThirtyEight's release writes "1/2/2017 14:39"
        when = datetime.fromisoformat(row["publish_date"])
        row["iso"], row["publish_date"] = row["publish_date"], (
            f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}")
    path = tmp_path / "ira538.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = case.import_file(path, column_map={
        "text": "content", "created_at": "publish_date", "author_id": "author_id",
        "platform": "=twitter"}, progress=False)
    assert result.quarantined == 0 and result.imported > 2900
    assert result.readings[0].startswith("times read month-first (column publish_date: '")
    stored = set(case.items()["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    assert stored == {row["iso"] for row in rows}
