"""One article, however its URL was shared."""

import pytest

from workbench.urls import link_key


@pytest.mark.parametrize("variant", [
    "https://news.example/2024/fire-at-plant?utm_source=tw&utm_medium=social",
    "https://www.news.example/2024/fire-at-plant#top",
    "http://news.example/2024/fire-at-plant/",
    "https://NEWS.example/2024/fire-at-plant?fbclid=IwAR0abc",
    "https://m.news.example/2024/fire-at-plant",
])
def test_variants_of_one_article_have_one_key(variant):
    assert link_key(variant) == "news.example/2024/fire-at-plant"


def test_what_leads_elsewhere_keeps_its_difference():
    assert link_key("https://news.example/story?id=1") != link_key("https://news.example/story?id=2")
    assert link_key("https://news.example/story?b=2&a=1") == link_key(
        "https://news.example/story?a=1&b=2")
    assert link_key("https://www.example.com/") == link_key("https://example.com")
    assert link_key("https://m.co/") == "m.co/"  # a two-label host keeps its name
    assert link_key("mailto:someone@example.org") == "mailto:someone@example.org"
    assert link_key("https://example.com:port/x") == "https://example.com:port/x"


def test_link_shorteners():
    from workbench.urls import is_shortener

    assert all(is_shortener(d) for d in ("t.co", "T.CO", "bit.ly", "fb.me", "tinyurl.com."))
    # A publisher's own short domain says where it leads; a missing value is no shortener.
    assert not any(is_shortener(d) for d in ("wsj.com", "youtu.be", "example.org", "", None, float("nan")))
