"""The URLs the items cite: one per article, public http(s) addresses only."""

from __future__ import annotations

import pytest

from workbench.cited import cited_urls, citing, public_http, urls_of


@pytest.fixture
def linked(case, write_jsonl):
    links = [["https://www.news.example/story?utm_source=tw#top"],
             ["https://news.example/story", "http://blog.example/a"],
             ["http://10.1.2.3/admin", "http://localhost:8080/x", "javascript:alert(1)",
              "http://intranet/x", "https://[::1]/x"]]
    rows = [{"id": f"p{i}", "created_at": f"2024-03-0{i + 1}T10:00:00Z", "text": f"post {i}",
             "author": f"user{i}", "links": lk} for i, lk in enumerate(links)]
    case.import_file(write_jsonl("linked.jsonl", rows), progress=False)
    return case


def test_one_row_per_article_most_cited_first(linked):
    cited = cited_urls(linked)
    assert cited["key"].tolist() == ["news.example/story", "blog.example/a"]
    story = cited.iloc[0]
    assert story["items"] == 2 and story["uids"] == ["generic:p0", "generic:p1"]
    assert story["asked"] == "https://news.example/story"  # the article, as a look-up asks it
    assert story["url"] in ("https://www.news.example/story?utm_source=tw#top",
                            "https://news.example/story")  # a variant as an item wrote it
    assert story["first_at"].isoformat() == "2024-03-01T10:00:00+00:00"
    assert cited_urls(linked, urls=["http://blog.example/a/"])["key"].tolist() == ["blog.example/a"]


@pytest.mark.parametrize(("url", "public"), [
    ("https://news.example/story", True), ("http://185.220.101.4/x", True),
    ("http://192.168.0.1/", False), ("http://127.0.0.1:8000/", False), ("http://localhost/", False),
    ("http://intranet/", False), ("https://[::1]/", False), ("ftp://files.example/", False),
    ("javascript:alert(1)", False), (None, False), ("http://[bad/", False)])
def test_public_http(url, public):
    assert public_http(url) is public


def test_the_text_is_read_when_an_item_lists_no_links(case, write_jsonl):
    rows = [{"id": "t0", "created_at": "2024-03-01T10:00:00Z", "author": "a",
             "text": "read https://news.example/story?utm_source=x, then (https://blog.example/a)."},
            {"id": "t1", "created_at": "2024-03-01T09:00:00Z", "author": "b",
             "text": "see https://other.example/x", "links": ["https://listed.example/y"]}]
    case.import_file(write_jsonl("text.jsonl", rows), progress=False)
    cited = cited_urls(case).set_index("key")
    assert sorted(cited.index) == ["blog.example/a", "listed.example/y", "news.example/story"]
    assert cited.loc["blog.example/a", "url"] == "https://blog.example/a"


def test_urls_come_from_links_else_the_text():
    assert urls_of('[" https://a.example/x ", "mailto:z@b"]', "and https://c.example/y") == [
        "https://a.example/x"]
    assert urls_of("[]", "read https://c.example/y, and (http://d.example/z).") == [
        "https://c.example/y", "http://d.example/z"]
    assert urls_of(None, None) == []
    assert urls_of("{not json", "https://e.example/") == ["https://e.example/"]


def test_citing_keeps_private_addresses_and_can_keep_to_some_items(linked):
    every = list(citing(linked.db))
    assert [(uid, url) for uid, url, _ in every][:3] == [
        ("generic:p0", "https://www.news.example/story?utm_source=tw#top"),
        ("generic:p1", "https://news.example/story"), ("generic:p1", "http://blog.example/a")]
    assert ("generic:p2", "http://10.1.2.3/admin") in [(uid, url) for uid, url, _ in every]
    assert "javascript:alert(1)" not in [url for _, url, _ in every]
    assert {uid for uid, _, _ in citing(linked.db, ["generic:p1"])} == {"generic:p1"}
    assert every[0][2] == "2024-03-01T10:00:00.000+00:00"
