"""The generic formats' fast mapping (straight to store values) gives exactly the rows that mapping
through Item and Author gives: values, ledger hashes, authors, problems and notes."""

import gzip
import itertools
import json
from pathlib import Path

import pytest

from workbench import mapping
from workbench.collect import get_format
from workbench.collect.base import Payload

DEV_TWEETS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ira-dev" / "tweets.csv.gz"
PROVENANCE = ("file:x", "import:x", "0/1", "2026-01-01T00:00:00.000+00:00", 1, "0" * 64)


def _both(fmt_name: str, path: Path, column_map: dict, size: int = 7,
          **options) -> tuple[list, list]:
    """The batches of ``path`` mapped the fast way and through Item and Author."""
    fast = get_format(fmt_name)
    slow = type("Slow", (type(fast),), {"map_columns": None})()
    payload = Payload("x", path, path.name)
    options = {"column_map": column_map, **options}
    assert getattr(fast, "map_columns", None) is not None
    return [list(mapping.batches(fmt, payload, options, PROVENANCE, size))
            for fmt in (fast, slow)]


def _same(fast: list, slow: list) -> None:
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert [r._replace(media=list(r.media)) for r in a.rows] == b.rows
        assert a.problems == b.problems
        assert a.notes == b.notes


def test_a_csv_of_every_kind_of_field(tmp_path):
    path = tmp_path / "mixed.csv"
    lines = [
        "post_id,when,body,user,uid,lang,tags,at,likes,lat,lon,reply,kind,site",
        '1,2024-03-01 10:00,"RT @anna: the fire, again",bob,7,en,#fire #smoke,,3,51.5,-0.1,,,',
        "2,2024-03-01T10:01:00Z,@carl yes,bob,7,nl,,@dan;@eve,\"1,200\",,,,,forum",
        '3,2024-03-01T10:02:00+02:00,.@dan look,,,,"[""a"",""b""]",,,,,twitter:9,reply,',
        ",2024-03-01T10:03:00Z,no id here,bob,8,,,,,,,,,",
        "5,1709287380,an epoch time and a \"quote\",Bob B,8,,,,x,,,,,",
        "6,not a time,unreadable time,bob,7,,,,,,,,,",
        "7,2024-03-01T10:05:00Z,,,,,,,,,,,,",
        "8,2024-03-01T10:06:00Z,\"two\nlines @fay\",gus,9,,,,,,,,repost,",
        "2,2024-03-01T10:01:00Z,@carl a duplicate,bob,7,nl,,,,,,,,",
        "9,2024-03-01T10:07:00Z,caf\xe9 in cp1252,bob,7,,,,,,,,,",
    ]
    path.write_bytes("\n".join(lines[:-1]).encode() + b"\n" + lines[-1].encode("cp1252") + b"\n")
    column_map = {"id": "post_id", "created_at": "when", "text": "body", "author_handle": "user",
                  "author_id": "uid", "hashtags": "tags", "mentions": "at", "reply_to": "reply",
                  "platform": "site"}
    fast, slow = _both("csv", path, column_map)
    _same(fast, slow)
    reasons = [p.reason for b in fast for p in b.problems]
    assert reasons == ["missing id (column 'post_id')", "likes is not a number: 'x'",
                       "time (when) is not a recognised time: 'not a time'"]
    assert sum(len(b.rows) for b in fast) == 7


def test_json_lines_with_nested_fields_lists_and_no_ids(tmp_path):
    records = [
        {"created_at": "2024-03-01T10:00:00Z", "text": "RT @anna: hi", "user": {"name": "bob"},
         "links": ["https://a.example"], "views": 5, "lat": 51, "lon": 4.5},
        {"created_at": "2024-03-01T10:00:00Z", "text": "@anna hi", "user": {"name": "bob"},
         "links": [], "views": None, "mentions": ["@carl"]},
        {"created_at": 1709287200, "text": 5, "user": "not an object"},
        {"created_at": "2024-03-01T10:00:00Z", "text": True, "user": {"name": ""}},
        ["not", "an", "object"],
    ]
    path = tmp_path / "nested.jsonl"
    records += [records[0], records[1], records[0]]  # identical records: posts each
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n")
    fast, slow = _both("jsonl", path, {"author_handle": "user.name", "platform": "=Mastodon"})
    _same(fast, slow)
    rows = [r for b in fast for r in b.rows]
    assert rows[0].values[0] == "mastodon"
    assert rows[0].uid.startswith("mastodon:")  # a derived id
    assert len({r.uid for r in rows}) == len(rows) == 7


@pytest.mark.skipif(not DEV_TWEETS.exists(), reason="../shared/data is not beside this clone")
def test_real_tweets_map_the_same_both_ways(tmp_path):
    path = tmp_path / "tweets.csv"
    with gzip.open(DEV_TWEETS, "rt", encoding="utf-8", newline="") as source:
        path.write_text("".join(itertools.islice(source, 5001)), encoding="utf-8")
    column_map = {"text": "content", "created_at": "publish_date", "author_handle": "author_id",
                  "author_id": "author_id", "platform": "=twitter"}
    for size in (7, 1000):
        fast, slow = _both("csv", path, column_map, size)
        _same(fast, slow)
    assert sum(len(b.rows) for b in fast) > 4900
    assert sum(b.notes["items with hashtags read from their text"] for b in fast) > 500


def test_a_column_read_day_first_maps_the_same_both_ways(tmp_path):
    path = tmp_path / "dotted.csv"
    path.write_text("id,when,text,platform\n1,03.04.2024 10:00,a,\n2,04/05/2024 11:00 PM,b,\n"
                    "3,04/25/2024 11:00,contradicts the column's order,\n4,15.03.2024,c,\n"
                    "5,01.01.1970 00:00,the epoch,\n6,01/02/2003 10:00,before x existed,x\n"
                    "7,16.03.2024,d,\n")
    fmt = get_format("csv")
    options = {"column_map": {"created_at": "when"}}
    readings = fmt.decide_times(Payload("x", path, path.name), options)
    assert readings["when"].order == "day-first" and "'15.03.2024'" in readings["when"].basis
    decided = {"time_readings": {c: {"order": r.order, "basis": r.basis}
                                 for c, r in readings.items()}}
    fast, slow = _both("csv", path, {"created_at": "when"}, 2, **decided)
    _same(fast, slow)
    rows = {r.uid: r.values for b in fast for r in b.rows}
    created = mapping.ITEM_ROW.index("created_at")
    assert rows["generic:1"][created].startswith("2024-04-03T10:00")
    assert rows["generic:2"][created].startswith("2024-05-04T23:00")
    caveats = mapping.ITEM_ROW.index("caveats")
    assert json.loads(rows["generic:5"][caveats]) == ["naive-time", "dated-at-epoch"]
    assert json.loads(rows["x:6"][caveats]) == ["naive-time", "dated-before-platform"]
    [problem] = [p for b in fast for p in b.problems]
    assert problem.locator == "line 4"
    assert "can only be month-first, but this column's times are read day-first (column " \
           "when: '15.03.2024' in the file shows it, as 2 values do; 1 shows the other order)" \
           in problem.reason
