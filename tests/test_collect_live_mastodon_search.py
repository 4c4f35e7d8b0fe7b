"""Live Mastodon search: the real Mastodon.py against a server on 127.0.0.1 answering
/api/v2/search?type=statuses as Mastodon documents it (a token needed, offset paging, no Link
header, the accounts/statuses/hashtags body)."""

import json

import pytest

from tests.mastodon_server import BASE_ID, status
from tests.test_collect_live_mastodon import Interrupted
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.mastodon import MastodonCollector, plan_collectors
from workbench.evidence import sha256_bytes

pytest.importorskip("mastodon")

TOKEN = "s3cret-search-token"


def search(instance, words: str = "rising", token: str | None = TOKEN, page_size: int = 5):
    return MastodonCollector(instance.url, search=words, token=token, page_size=page_size)


def ids(case) -> list[str]:
    return sorted(case.items()["id"].tolist())


def uids(numbers) -> list[str]:
    return sorted(f"social.test/{BASE_ID + n * 1000}" for n in numbers)


def queries(instance) -> list[dict]:
    from urllib.parse import parse_qs, urlsplit

    return [{k: v[0] for k, v in parse_qs(urlsplit(p).query).items()} for p in instance.requests]


def test_pages_through_search_results_by_offset(case, instance):
    instance.token = TOKEN
    result = collect(case, search(instance), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 3)
    assert ids(case) == uids(range(1, 13))
    asked = queries(instance)
    assert [q.get("offset") for q in asked] == [None, "5", "10"]
    assert all(q["type"] == "statuses" and q["q"] == "rising" and q["limit"] == "5"
               and "resolve" not in q for q in asked)
    for (sha,) in case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'"):
        body = case.raw_store.path(sha).read_bytes()
        assert sha256_bytes(body) == sha
        assert set(json.loads(body)) == {"accounts", "statuses", "hashtags"}
    state = load_cursor(case, search(instance).source, "search:rising")
    assert state["complete"] and state["newest"] == str(BASE_ID + 12000)
    assert case.verify().ok


def test_new_results_are_found_from_the_top_with_no_duplicate_and_no_gap(case, instance):
    instance.token = TOKEN
    collect(case, search(instance), progress=False)
    instance.add([status(n) for n in range(19, 12, -1)])  # 7 new, more than a page
    instance.requests.clear()
    result = collect(case, search(instance), progress=False)
    assert (result.imported, result.duplicates) == (7, 3)  # read down until the known newest
    assert ids(case) == uids(range(1, 20))
    assert [q.get("offset") for q in queries(instance)] == [None, "5"]
    assert case.verify().ok


def test_an_interrupted_search_resumes_with_no_gap(case, instance):
    instance.token = TOKEN
    with pytest.raises(KeyboardInterrupt):
        collect(case, Interrupted(instance.url, search="rising", token=TOKEN, page_size=3),
                progress=False)
    assert len(ids(case)) == 6
    instance.add([status(13)])  # pushes every result one place down
    result = collect(case, search(instance, page_size=3), progress=False)
    assert (result.imported, result.duplicates) == (6, 1)  # the shift repeats one, skips none
    assert ids(case) == uids(range(1, 13))
    result = collect(case, search(instance, page_size=3), progress=False)
    assert (result.imported, result.duplicates) == (1, 2) and ids(case) == uids(range(1, 14))
    assert case.verify().ok


def test_without_a_token_the_instance_refuses_and_says_so(case, instance, monkeypatch):
    monkeypatch.delenv("WORKBENCH_MASTODON_TOKEN", raising=False)
    with pytest.raises(CollectError, match="serves search only with an access token") as raised:
        collect(case, search(instance, token=None), progress=False)
    assert "WORKBENCH_MASTODON_TOKEN" in raised.value.hint
    assert "requires an authenticated user" in str(raised.value)
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("failed",)


def test_a_wrong_token_and_the_token_kept_out_of_the_case(case, instance, monkeypatch):
    instance.token = TOKEN
    with pytest.raises(CollectError, match="refused the access token"):
        collect(case, search(instance, token="wrong"), progress=False)
    monkeypatch.setenv("WORKBENCH_MASTODON_TOKEN", TOKEN)  # from the environment
    result = collect(case, search(instance, token=None), progress=False)
    assert result.imported == 12
    kept = " ".join(str(row) for table in ("audit", "runs", "cursors", "items", "payloads")
                    for row in case.db.execute(f"SELECT * FROM {table}"))
    assert TOKEN not in kept and "wrong" not in kept
    for sha in case.raw_store.names():
        assert TOKEN.encode() not in case.raw_store.path(sha).read_bytes()
    assert TOKEN not in (case.path / "case.yaml").read_text()


def test_an_instance_serving_search_without_a_token(case, instance, monkeypatch):
    monkeypatch.delenv("WORKBENCH_MASTODON_TOKEN", raising=False)
    instance.search_public = True
    result = collect(case, search(instance, token=None, page_size=40), progress=False)
    assert result.imported == 12 and result.pages == 1


def test_a_429_is_waited_out_and_a_malformed_status_quarantined(case, instance):
    instance.token = TOKEN
    instance.statuses[4]["account"] = "not an account"
    instance.faults = [None, (429, {"Retry-After": "2"}, {"error": "Too many requests"})]
    slept = []
    result = collect(case, search(instance), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [2.0]
    assert (result.imported, result.quarantined) == (11, 1)
    assert case.quarantine().iloc[0].locator == "$.statuses[4]"
    assert case.verify().ok


def test_a_429_beyond_the_maximum_wait_stops_cleanly(case, instance):
    instance.token = TOKEN
    instance.faults = [None, (429, {"Retry-After": "900"}, {"error": "Too many requests"})]
    result = collect(case, search(instance), progress=False, max_wait=10, sleep=lambda s: None)
    assert result.imported == 5 and result.resume_after
    result = collect(case, search(instance), progress=False, max_wait=10, sleep=lambda s: None)
    assert (result.imported, result.duplicates) == (7, 0)
    assert ids(case) == uids(range(1, 13))


def test_a_search_is_one_query_among_the_others():
    with pytest.raises(CollectError, match="exactly one"):
        MastodonCollector("social.test", search="flood", hashtag="flood")
    collector = MastodonCollector("social.test", search="  flood warning ")
    assert (collector.query, collector.pages_up) == ("search:flood warning", False)


def test_the_plan_keywords_are_searched_when_there_is_a_token(case, monkeypatch):
    monkeypatch.delenv("WORKBENCH_MASTODON_TOKEN", raising=False)
    case.update_plan(keywords=["flood warning"], hashtags=["flood"])
    assert [c.query for c in plan_collectors(case.plan, "social.test")] == ["hashtag:flood"]
    case.update_plan(hashtags=[])
    with pytest.raises(CollectError, match="searched only with a token") as raised:
        plan_collectors(case.plan, "social.test")
    assert "WORKBENCH_MASTODON_TOKEN" in raised.value.hint
    monkeypatch.setenv("WORKBENCH_MASTODON_TOKEN", TOKEN)
    assert [c.query for c in plan_collectors(case.plan, "social.test")] == ["search:flood warning"]
