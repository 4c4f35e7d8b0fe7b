"""OSINT selectors by rules, platform entities, entity resolution, and their scores on the labelled set."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.enrich.evaluate import load_labelled, score
from workbench.enrich.resolve import entity_key, resolve
from workbench.enrich.segwit import decode_segwit
from workbench.enrich.selectors import (
    RULES_VERSION,
    SELECTOR_LABELS,
    Found,
    find_selectors,
    platform_entities,
    registered_domain,
    without_shortened,
)
from workbench.models import Entity

LABELLED = Path(__file__).parent / "data" / "enrich"


def found(text: str, label: str | None = None, regions=()) -> list[tuple[str, str, str]]:
    """(label, text as written, norm) of what the rules find, optionally of one label."""
    return [(f.label, f.text, f.norm) for f in find_selectors(text, regions) if label in (None, f.label)]


def norms(text: str, label: str, regions=()) -> list[str]:
    return [norm for _, _, norm in found(text, label, regions)]


# --- the result's shape ------------------------------------------------------------------------

def test_found_has_exact_offsets_and_is_sorted():
    text = "Hi @Alice, see https://news.BBC.co.uk/x (#Brand) or mail bob@example.org"
    result = find_selectors(text)
    assert all(isinstance(f, Found) and text[f.start:f.end] == f.text for f in result)
    assert [f.start for f in result] == sorted(f.start for f in result)
    assert [f.label for f in result] == ["HANDLE", "URL", "DOMAIN", "HASHTAG", "EMAIL"]


def test_rules_version_names_the_rules():
    assert RULES_VERSION.startswith("workbench-selectors ")


def test_empty_and_plain_text_find_nothing():
    assert find_selectors("") == []
    assert find_selectors("Just ate the best stroopwafel of my life. Stay safe, everyone!") == []


# --- handles -----------------------------------------------------------------------------------

def test_handles_twitter_mastodon_bluesky():
    text = ("RT @Alice_01: ping @bob@Mastodon.Social and @h.devries@mastodon.social, "
            "@Tom.Verhoeven.bsky.social and .@NOS")
    assert norms(text, "HANDLE") == ["@alice_01", "@bob@mastodon.social", "@h.devries@mastodon.social",
                                     "@tom.verhoeven.bsky.social", "@nos"]


def test_handles_not_in_email_or_url_nor_times():
    text = "mail alice@example.com, see https://mastodon.social/@osint_nora, meet @5pm or @ 10:30"
    assert norms(text, "HANDLE") == []
    assert norms(text, "EMAIL") == ["alice@example.com"]


def test_handle_stops_at_sentence_punctuation():
    assert found("thanks @carol. and @dave.Thanks @erin's", "HANDLE") == [
        ("HANDLE", "@carol", "@carol"), ("HANDLE", "@dave", "@dave"), ("HANDLE", "@erin", "@erin")]


# --- hashtags ----------------------------------------------------------------------------------

def test_hashtags_unicode_and_casefold():
    text = "#Brand #brånd #Straße #東京 #دعم #COVID19 #1stResponders"
    assert norms(text, "HASHTAG") == ["#brand", "#brånd", "#strasse", "#東京", "#دعم", "#covid19",
                                      "#1stresponders"]


def test_not_hashtags():
    text = ("#1 rule, #2024, &#39;quoted&#x27;, C# and F#m, foo#bar, ##double, #a#b, "
            "https://nos.nl/artikel/1#reacties")
    assert norms(text, "HASHTAG") == []


# --- URLs and domains --------------------------------------------------------------------------

def test_url_trailing_punctuation_and_brackets():
    text = ("See (https://en.wikipedia.org/wiki/Botlek_(Rotterdam)), [src](https://nos.nl/a). "
            "Or https://t.co/abc… and https://x.com/y🔥 and www.klm.com/travel!")
    assert [t for _, t, _ in found(text, "URL")] == [
        "https://en.wikipedia.org/wiki/Botlek_(Rotterdam)", "https://nos.nl/a", "https://t.co/abc",
        "https://x.com/y", "www.klm.com/travel"]


def test_url_norm_lowercases_scheme_and_host_only():
    assert norms("HTTPS://WWW.Rijnmond.NL/Nieuws?ID=AbC", "URL") == ["https://www.rijnmond.nl/Nieuws?ID=AbC"]
    assert norms("go to www.KLM.com/Path", "URL") == ["http://www.klm.com/Path"]


def test_url_domain_is_the_registered_domain():
    text = "https://news.bbc.co.uk/1 https://paypal.com.evil.io/login http://paypa1.com/donate"
    assert found(text, "DOMAIN") == [("DOMAIN", "news.bbc.co.uk", "bbc.co.uk"),
                                     ("DOMAIN", "paypal.com.evil.io", "evil.io"),
                                     ("DOMAIN", "paypa1.com", "paypa1.com")]


def test_domain_span_is_the_host_inside_its_url():
    text = "link: https://user@www.Example.co.uk:8080/path"
    url, domain = find_selectors(text)
    assert (url.label, domain.label) == ("URL", "DOMAIN")
    assert url.start <= domain.start < domain.end <= url.end
    assert (domain.text, domain.norm) == ("www.Example.co.uk", "example.co.uk")


def test_idn_and_punycode_domains_normalise_to_ascii():
    assert norms("https://www.müller-chemie.de/presse", "DOMAIN") == ["xn--mller-chemie-dlb.de"]
    # A Cyrillic look-alike of paypal.com stays visibly different.
    assert norms("pаypal.com", "DOMAIN") == ["xn--pypal-4ve.com"]
    assert norms("xn--pypal-4ve.com", "DOMAIN") == ["xn--pypal-4ve.com"]
    assert registered_domain("localhost") == "" and registered_domain("192.168.1.1") == ""


def test_bare_domains_need_a_real_public_suffix():
    text = ("bellingcat.com, NOS.NL and news.bbc.co.uk; not report.pdf, file.txt, main.py, README.md, "
            "e.g. or i.e., nor day.Love it")
    assert found(text, "DOMAIN") == [("DOMAIN", "bellingcat.com", "bellingcat.com"),
                                     ("DOMAIN", "NOS.NL", "nos.nl"),
                                     ("DOMAIN", "news.bbc.co.uk", "bbc.co.uk")]


def test_url_with_ip_host_gives_an_ip_not_a_domain():
    assert [label for label, _, _ in found("http://185.23.114.7:8080/login")] == ["URL", "IP"]


# --- e-mail ------------------------------------------------------------------------------------

def test_emails():
    text = "Mail JANSSEN.L@BO-CHEMIE.NL, info+press@rijnmond.nl; not root@localhost or x@y.notatld"
    assert norms(text, "EMAIL") == ["janssen.l@bo-chemie.nl", "info+press@rijnmond.nl"]
    assert norms("https://example.com/share?to=someone@example.org", "EMAIL") == []


# --- phones ------------------------------------------------------------------------------------

def test_phones_with_region_hints():
    text = "Bel 06-12345678 of 010 267 1625"
    assert norms(text, "PHONE") == []  # no region: only international numbers
    assert norms(text, "PHONE", ["NL"]) == ["+31612345678", "+31102671625"]
    assert norms("call +44 20 7946 0958 or +1 415-555-2671", "PHONE") == ["+442079460958", "+14155552671"]


def test_first_region_is_the_default():
    assert norms("06 12 34 56 78", "PHONE", ["FR", "NL"]) == ["+33612345678"]
    assert norms("06 12 34 56 78", "PHONE", ["NL", "FR"]) == ["+31612345678"]
    assert norms("0151 2345 6789", "PHONE", ["nl", "de"]) == ["+4915123456789"]


@pytest.mark.parametrize("text, regions", [
    ("+31 6 1234", ["NL"]), ("06-1234567", ["NL"]), ("+44 20 7946 09581234", ["GB"]),
    ("+1 555 0100", ["US"]), ("555-0143", ["US"]), ("case 1234567890", ["US"]),
    ("on 08.03.2024 at 00:41", ["DE"]), ("2024-03-08", ["US"]), ("12/05/2024", ["US"]),
])
def test_invalid_phone_numbers_are_not_found(text, regions):
    assert norms(text, "PHONE", regions) == []


def test_phone_not_inside_urls_or_wallets():
    text = "https://twitter.com/x/status/1765841102983315456 and 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    assert norms(text, "PHONE", ["US", "NL"]) == []


# --- crypto wallets ----------------------------------------------------------------------------

VALID_BTC = [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # P2PKH
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # P2SH
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # P2WPKH, bech32 (BIP-173)
    "bc1qpurmz4zjtpj436359h94x6r7xvlav5jnz5m5xm2yzq2k56frqdgs7zphkt",  # P2WSH
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",  # taproot, bech32m (BIP-350)
]


@pytest.mark.parametrize("address", VALID_BTC)
def test_valid_btc(address):
    assert found(f"send to {address} thanks", "BTC") == [("BTC", address, address)]


def test_uppercase_bech32_normalises_to_lower():
    assert norms("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "BTC") == [VALID_BTC[2]]


@pytest.mark.parametrize("address", [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # base58check checksum wrong
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # bech32 checksum wrong
    "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # mixed case
    # version 1 (taproot) with a bech32 instead of a bech32m checksum
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj1",  # last character changed
])
def test_invalid_btc(address):
    assert norms(f"send to {address} thanks", "BTC") == []


def test_segwit_decoder_on_bip350_vectors():
    assert decode_segwit(VALID_BTC[4])[0] == 1
    assert decode_segwit("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y")[0] == 1
    assert decode_segwit("BC1SW50QGDZ25J") == (16, bytes.fromhex("751e"))
    # The same programs with BIP-173 (bech32) checksums: valid before BIP-350, invalid now.
    assert decode_segwit("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx") is None
    assert decode_segwit("BC1SW50QA3JX3S") is None
    assert decode_segwit("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx") is None  # testnet, not bc


def test_eth_checksum():
    checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert norms(checksummed, "ETH") == [checksummed]
    assert norms(checksummed.lower(), "ETH") == [checksummed]
    assert norms("0x" + checksummed[2:].upper(), "ETH") == [checksummed]


@pytest.mark.parametrize("text", [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # one letter's case wrong
    "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",  # 39 hex digits
    "0x9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b",  # a transaction hash
    "x0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",  # glued to a word
])
def test_invalid_eth(text):
    assert norms(text, "ETH") == []


def test_wallet_inside_an_explorer_link():
    address = "0xA003dA7680349F5D7FbdD722D9dcfd33964F685E"
    labels = [label for label, _, _ in found(f"https://etherscan.io/address/{address}")]
    assert labels == ["URL", "DOMAIN", "ETH"]


# --- IP addresses ------------------------------------------------------------------------------

def test_ips_and_their_norms():
    text = "from 45.155.205.233, 2001:0db8:0000:0000:0000:ff00:0042:8329 and ::1."
    assert norms(text, "IP") == ["45.155.205.233", "2001:db8::ff00:42:8329", "::1"]
    assert norms("mapped ::ffff:192.0.2.1 here", "IP") == ["::ffff:c000:201"]


@pytest.mark.parametrize("text", [
    "version 1.2.3.4.5", "v1.2.3.4", "version 2.0.0.1", "build 10.0.19045.4046", "256.12.7.1",
    "999.999.999.999", "10.0.0", "12:30:45", "MAC 00:1A:2B:3C:4D:5E", "std::vector",
])
def test_not_ips(text):
    assert norms(text, "IP") == []


# --- coordinates -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, norm", [
    ("at 51.9225, 4.47917 now", "51.922500,4.479170"),
    ("(52.3676,4.9041)", "52.367600,4.904100"),
    ("-33.8688, 151.2093 is Sydney", "-33.868800,151.209300"),
    ("51.9225°N 4.4792°E", "51.922500,4.479200"),
    ("51.8893°N, 4.2987°E.", "51.889300,4.298700"),
    ("51°55'21\"N 4°28'45\"E", "51.922500,4.479167"),
    ("40°26′46″N 79°58′56″W", "40.446111,-79.982222"),
    ("51°55'21\"N 4°28'45\"O (Rathaus)", "51.922500,4.479167"),
    ("N 51° 53.358 E 004° 17.922", "51.889300,4.298700"),
    ("geo:52.37,4.89", "52.370000,4.890000"),
])
def test_coordinates(text, norm):
    assert norms(text, "COORD") == [norm]


@pytest.mark.parametrize("url, norm", [
    ("https://www.google.com/maps/@51.9225,4.47917,15z", "51.922500,4.479170"),
    ("https://maps.google.com/?q=51.8893,4.2987", "51.889300,4.298700"),
    ("https://www.openstreetmap.org/#map=16/51.88931/4.29866", "51.889310,4.298660"),
    ("https://www.openstreetmap.org/?mlat=51.88931&mlon=4.29866", "51.889310,4.298660"),
    ("https://www.bing.com/maps?cp=51.8893~4.2987&lvl=14", "51.889300,4.298700"),
])
def test_map_links(url, norm):
    result = find_selectors(f"pin: {url} ok")
    coord = next(f for f in result if f.label == "COORD")
    url_found = next(f for f in result if f.label == "URL")
    assert coord.norm == norm and url_found.start <= coord.start < coord.end <= url_found.end


@pytest.mark.parametrize("text", [
    "It happened on 08.03.2024 at 00:41", "Scores 12.50, 13.75", "Prices: €12.99, €4.50",
    "1.234, 5.678 and 9.012 people", "Release 2.13.1, 3.0.0", "Lat 95.1234, 200.5678",
    "51.9 km and 4.3 km", "v1.2345, 6.7890.1", "12 N, 4 E", "$12.3456, 4.5678",
])
def test_not_coordinates(text):
    assert norms(text, "COORD") == []


# --- the rules together ------------------------------------------------------------------------

def test_spans_never_overlap_within_a_label_and_only_inside_urls_across():
    may_sit_in_a_url = {"DOMAIN", "IP", "COORD", "BTC", "ETH"}
    for example in load_labelled(LABELLED / "labelled.jsonl"):
        result = find_selectors(example["text"], example.get("regions", ()))
        for a in result:
            for b in result:
                if a is b or a.end <= b.start or b.end <= a.start:
                    continue
                assert a.label != b.label, (example["id"], a, b)
                inner, outer = (a, b) if a.label != "URL" else (b, a)
                assert outer.label == "URL" and inner.label in may_sit_in_a_url, (example["id"], a, b)


def test_tldextract_never_fetches():
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise AssertionError('network')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from workbench.enrich.selectors import find_selectors\n"
        "print([f.norm for f in find_selectors('https://news.bbc.co.uk/x')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"HOME": "/nonexistent", "PATH": ""})
    assert done.stdout.strip() == "['https://news.bbc.co.uk/x', 'bbc.co.uk']", done.stderr


# --- platform entities -------------------------------------------------------------------------

def test_platform_entities_located_in_the_text():
    text = "RT @Alice: fire at #Botlek https://t.co/abc (via @alice@mastodon.social)"
    entities = platform_entities("tw:1", text, mentions=["Alice", "alice@mastodon.social"],
                                 hashtags=["botlek"], links=["https://t.co/abc"])
    rows = [(e.label, e.text, e.norm, e.start, e.end, e.method) for e in entities]
    assert rows == [
        ("HANDLE", "@Alice", "@alice", 3, 9, "platform"),
        ("HANDLE", "@alice@mastodon.social", "@alice@mastodon.social", 49, 71, "platform"),
        ("HASHTAG", "#Botlek", "#botlek", 19, 26, "platform"),
        ("URL", "https://t.co/abc", "https://t.co/abc", 27, 43, "platform"),
        ("DOMAIN", "t.co", "t.co", 35, 39, "platform"),
    ]
    assert all(e.uid == "tw:1" and text[e.start:e.end] == e.text for e in entities)


def test_platform_entities_not_in_the_text_have_no_offsets():
    entities = platform_entities("tw:2", "look at this https://t.co/xyz", mentions=["bob"],
                                 hashtags=["#Fire"], links=["https://www.BBC.co.uk/news/1"])
    rows = [(e.label, e.text, e.norm, e.start, e.end) for e in entities]
    assert rows == [
        ("HANDLE", "@bob", "@bob", None, None),
        ("HASHTAG", "#Fire", "#fire", None, None),
        ("URL", "https://www.BBC.co.uk/news/1", "https://www.bbc.co.uk/news/1", None, None),
        ("DOMAIN", "www.BBC.co.uk", "bbc.co.uk", None, None),
    ]


def test_platform_mention_matches_a_whole_handle_only():
    (entity,) = platform_entities("x", "@alicebob and @alice", mentions=["alice"])
    assert (entity.start, entity.end) == (14, 20)


def _rule_entities(uid: str, text: str) -> list[Entity]:
    return [Entity(uid, f.label, f.text, f.norm, f.start, f.end, "rule") for f in find_selectors(text)]


def test_an_expanded_link_leaves_its_shortener_out_of_the_domains():
    # A tweet's text holds t.co links; its entities, the expansions (not in the text).
    text = "Fire at the plant https://t.co/AbC123 and https://t.co/XyZ789 https://t.co/PiC000"
    given = platform_entities("tw:1", text, links=["https://www.bbc.co.uk/news/1",
                                                   "https://bit.ly/3w5XRvH"])
    kept = without_shortened(_rule_entities("tw:1", text), given)
    # Two expansions account for the first two t.co links; the third (not expanded) keeps t.co.
    assert [(e.norm, e.start) for e in kept if e.label == "DOMAIN"] == [("t.co", text.index("t.co/P"))]
    assert [e.norm for e in kept if e.label == "URL"] == [
        "https://t.co/AbC123", "https://t.co/XyZ789", "https://t.co/PiC000"]
    # The expansions' own domains come from the platform: bit.ly stays (where it leads is unknown).
    assert [e.norm for e in given if e.label == "DOMAIN"] == ["bbc.co.uk", "bit.ly"]
    # The last t.co of a tweet with a photo or video links to that media.
    with_media = without_shortened(_rule_entities("tw:1", text), given, media=True)
    assert not [e for e in with_media if e.label == "DOMAIN"]


def test_a_shortener_without_expansion_keeps_its_domain():
    text = "read this https://t.co/AbC123 or https://bit.ly/x1 or https://news.example.org/a"
    rules = _rule_entities("csv:1", text)
    assert without_shortened(rules, platform_entities("csv:1", text)) == rules
    # A link the platform gave that is written in the text is no expansion of anything.
    given = platform_entities("m:1", text, links=["https://news.example.org/a"])
    assert without_shortened(rules, given, media=False) == rules
    # Only t.co stands for a tweet's media.
    assert [e.norm for e in without_shortened(rules, given, media=True) if e.label == "DOMAIN"] == [
        "bit.ly", "example.org"]


def test_domains_of_real_tweets_are_their_expanded_links(tmp_path):
    """Twitter v2, v1.1, an archive and X's web API in their real wire formats: t.co is never a
    DOMAIN (each link's expansion, or the tweet's media, is known); a tweet read from a plain CSV
    export, whose expansions are unknown, keeps it."""
    from workbench.case import Case
    from workbench.enrich.job import enrich

    twitter = Path(__file__).parent / "data" / "twitter"
    case = Case.create(tmp_path / "c", title="domains", legal_basis="research",
                       retention_until="2030-01-01", spacy_models={})
    files = [twitter / "search_v2.json", twitter / "statuses_v1.jsonl", twitter / "tweet.js",
             twitter / "archive" / "data" / "tweets.js", twitter / "x-web" / "timelines.jsonl"]
    shared = Path(__file__).parents[2] / "shared" / "data" / "x-web" / "raw_user_tweets.json"
    files += [shared] if shared.is_file() else []
    for path in files:
        case.import_file(path, progress=False)
    plain = tmp_path / "plain.csv"
    plain.write_text("id,text,created_at\n1,Watch https://t.co/1KPXto2HfW now,2017-01-01T10:00:00Z\n",
                     encoding="utf-8")
    case.import_file(plain, progress=False)
    enrich(case, progress=False)
    rows = case.db.execute("SELECT uid, norm, method FROM entities WHERE label = 'DOMAIN'").fetchall()
    tco = [(uid, method) for uid, norm, method in rows if norm == "t.co"]
    assert len(tco) == 1 and not tco[0][0].startswith("twitter:") and tco[0][1] == "rule"
    expanded = {norm for uid, norm, _ in rows if uid.startswith("twitter:")}
    assert {"example.org", "twitter.com", "x.com"} <= expanded
    if shared.is_file():
        assert {"americanexperiment.app", "github.com"} <= expanded
    # Most widespread first, but the shortener after every domain that says where a link leads.
    listed = resolve(case.entities(label="DOMAIN"))
    assert listed["value"].iloc[-1] == "t.co" and len(listed) > 3


# --- entity resolution -------------------------------------------------------------------------

def test_entity_keys():
    assert {entity_key("HANDLE", v) for v in ("@Alice", "@alice", "Alice.")} == {"alice"}
    # Accents go in keys: #brånd resolves with #Brand (its norm still keeps the å).
    assert {entity_key("HASHTAG", v) for v in ("#Brand", "#brand", "#brånd", "#BRAND!")} == {"brand"}
    assert entity_key("PERSON", "  Mark   Rutte's ") == "mark rutte"
    assert entity_key("ORG", "The Red Cross") == "red cross"
    assert entity_key("GPE", "Malmö") == "malmo"
    assert entity_key("NORP", "Dutch…") == "dutch"
    assert entity_key("PHONE", "+31612345678") == "+31612345678"
    assert entity_key("ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == \
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert entity_key("URL", "https://youtu.be/dQw4w9WgXcQ") == "https://youtu.be/dQw4w9WgXcQ"
    assert entity_key("HANDLE", "@Jvdberg@Mastodon.NL") == "jvdberg@mastodon.nl"


def test_resolve_groups_variants():
    rows = [
        ("HANDLE", "@Alice", "@alice", "a"), ("HANDLE", "@alice", "@alice", "b"),
        ("HANDLE", "Alice.", "Alice.", "b"), ("HASHTAG", "#Brand", "#brand", "a"),
        ("HASHTAG", "#brånd", "#brånd", "c"), ("HASHTAG", "#brand", "#brand", "c"),
        ("PERSON", "Mark Rutte", "Mark Rutte", "a"), ("PERSON", "Rutte", "Rutte", "a"),
    ]
    entities = pd.DataFrame(rows, columns=["label", "text", "norm", "uid"])
    entities["key"] = [entity_key(lab, norm) for lab, norm in zip(entities.label, entities.norm, strict=True)]
    result = resolve(entities)
    assert list(result.columns) == ["label", "key", "value", "items", "mentions", "variants"]
    as_rows = [tuple(r) for r in result.itertuples(index=False)]
    assert as_rows == [
        ("HANDLE", "alice", "@alice", 2, 3, ["@Alice", "@alice", "Alice."]),
        ("HASHTAG", "brand", "#brand", 2, 3, ["#Brand", "#brand", "#brånd"]),
        ("PERSON", "mark rutte", "Mark Rutte", 1, 1, ["Mark Rutte"]),
        ("PERSON", "rutte", "Rutte", 1, 1, ["Rutte"]),
    ]


def test_resolve_lists_link_shorteners_last():
    entities = pd.DataFrame({"label": ["DOMAIN"] * 4 + ["HASHTAG"], "uid": list("abcda"),
                             "norm": ["t.co", "t.co", "T.CO", "bbc.co.uk", "#fire"]})
    entities["text"] = entities["norm"]
    assert resolve(entities)[["key", "items"]].values.tolist() == [
        ["bbc.co.uk", 1], ["fire", 1], ["t.co", 3]]


def test_resolve_fills_missing_keys_and_handles_empty():
    entities = pd.DataFrame({"label": ["DOMAIN", "DOMAIN"], "text": ["BBC.co.uk", "bbc.co.uk"],
                             "norm": ["bbc.co.uk", "bbc.co.uk"], "uid": ["a", "b"], "key": ["", None]})
    assert resolve(entities)[["key", "items"]].values.tolist() == [["bbc.co.uk", 2]]
    empty = resolve(pd.DataFrame(columns=["label", "text", "norm", "key", "uid"]))
    assert empty.empty and "variants" in empty.columns


# --- scoring and the labelled set ---------------------------------------------------------------

def test_score_counts_exact_spans():
    gold = [[[0, 4, "URL", "x"], [5, 9, "HASHTAG", "#a"]], [[0, 3, "PHONE", "+1"]]]
    predicted = [[Found("URL", 0, 4, "x", "x"), Found("HASHTAG", 5, 8, "#a", "#a")], []]
    table = score(gold, predicted)
    assert table.loc["URL", ["tp", "fp", "fn"]].tolist() == [1, 0, 0]
    assert table.loc["HASHTAG", ["tp", "fp", "fn"]].tolist() == [0, 1, 1]
    assert table.loc["PHONE", "recall"] == 0.0 and table.loc["PHONE", "precision"] == 1.0
    with pytest.raises(ValueError):
        score(gold, predicted[:1])


def _build_module():
    spec = importlib.util.spec_from_file_location("build_labelled", LABELLED / "build_labelled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labelled_set_is_built_from_its_markup():
    build = _build_module()
    rows, _ = build.build(build.read_examples())
    build.verify(rows)
    assert rows == load_labelled(LABELLED / "labelled.jsonl"), "run tests/data/enrich/build_labelled.py"


def test_labelled_set_covers_every_label():
    examples = load_labelled(LABELLED / "labelled.jsonl")
    assert len(examples) >= 320
    with_label = {label: sum(any(e[2] == label for e in ex["entities"]) for ex in examples)
                  for label in (*SELECTOR_LABELS, "PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "PLACE")}
    assert min(with_label[label] for label in SELECTOR_LABELS) >= 10, with_label
    assert all(count >= 3 for count in with_label.values()), with_label
    assert {ex["lang"] for ex in examples} >= {"en", "nl", "de", "fr", "es"}
    for example in examples:
        for start, end, label, norm in example["entities"]:
            assert example["text"][start:end].strip() == example["text"][start:end] != ""
            assert norm, (example["id"], label)


def test_selectors_on_the_labelled_set():
    examples = load_labelled(LABELLED / "labelled.jsonl")
    gold = [[e for e in ex["entities"] if e[2] in SELECTOR_LABELS] for ex in examples]
    predicted = [find_selectors(ex["text"], ex.get("regions", ())) for ex in examples]
    table = score(gold, predicted, labels=SELECTOR_LABELS)
    print("\n" + table.to_string(float_format="{:.3f}".format))
    assert (table["precision"] >= 0.95).all() and (table["recall"] >= 0.95).all(), table
    # The norms agree too, where the spans do.
    for example, found_here in zip(examples, predicted, strict=True):
        by_span = {(f.start, f.end, f.label): f.norm for f in found_here}
        for start, end, label, norm in example["entities"]:
            if (start, end, label) in by_span:
                assert by_span[(start, end, label)] == norm, (example["id"], label, norm)
