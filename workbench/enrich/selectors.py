"""OSINT selectors found by rules: handles, hashtags, URLs and domains, e-mail, phones, wallets, IPs, places.

``find_selectors`` is a pure function over one text. Maintained parsers decide validity where one
exists: tldextract (bundled public suffix snapshot, never fetched) for domains, phonenumbers for
phones, base58 for legacy Bitcoin addresses, eth-hash (keccak) for EIP-55, ``ipaddress`` for IPs.

Which labels may overlap: DOMAIN, IP (a URL's host), COORD (a map link), BTC and ETH (an explorer
link) may lie inside a URL; nothing else overlaps. Within one label spans never overlap.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import base58
import phonenumbers
import tldextract
from eth_hash.auto import keccak

from workbench.enrich import coordinates
from workbench.enrich.segwit import decode_segwit
from workbench.hashtags import HASHTAG, is_tag
from workbench.models import Entity
from workbench.urls import is_shortener

#: Changes whenever what the rules match or how they normalise changes (stored with each entity).
RULES_VERSION = "workbench-selectors 2"

SELECTOR_LABELS = ("HANDLE", "HASHTAG", "URL", "DOMAIN", "EMAIL", "PHONE", "BTC", "ETH", "IP", "COORD")


class Found(NamedTuple):
    """One selector: its label, character offsets into the text, the text as written, its norm."""

    label: str
    start: int
    end: int
    text: str
    norm: str


# --- domains -------------------------------------------------------------------------------------

@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # No URLs and no cache dir: the suffix list is the snapshot bundled with tldextract.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


#: Public suffixes that are far more often file extensions in posts (main.py, README.md, run.sh).
_FILE_EXTENSIONS = frozenset({"py", "md", "sh", "rs", "zip", "mov", "so"})


@functools.lru_cache(maxsize=65536)
def registered_domain(host: str) -> str:
    """The registered domain of a host (``news.bbc.co.uk`` -> ``bbc.co.uk``), in ASCII (punycode).

    Empty when the host has no public suffix (``file.txt``, ``localhost``) or is an IP address.
    Punycode keeps look-alikes visible: ``pаypal.com`` with a Cyrillic a is ``xn--pypal-4ve.com``.
    """
    parts = _extractor()(host.lower().rstrip("."))
    if not parts.suffix or not parts.domain:
        return ""
    domain = f"{parts.domain}.{parts.suffix}"
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


# --- patterns (compiled once) --------------------------------------------------------------------
# Most start with a literal or a class and look behind after it, so re skips ahead fast; the
# *_HINT patterns are cheap tests that decide whether a costlier pattern runs at all.

_ASCII_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"

_URL = re.compile(
    rf"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.)[^\s<>\"{_EMOJI}\u2026\u3000-\u303f\uff08\uff09\uff0c]+"
)
_NOT_BEFORE_URL = re.compile(r"[\w.@/-]")
_URL_TRAILING = ".,;:!?'\"*_~»”’“‘"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_URL_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:\s]+)")

_EMAIL_HINT = re.compile(r"@(?<=[A-Za-z0-9._%+-]@)")
_EMAIL = re.compile(
    rf"(?<![\w.+%@-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@((?:{_ASCII_LABEL}\.)+[A-Za-z]{{2,63}})(?![\w@-])"
)

# @user; @user@instance (fediverse usernames may hold dots and dashes); @name.bsky.social.
_HANDLE = re.compile(
    r"@(?<![\w@/]@)(?!\d{1,2}(?::\d\d)?\s?(?:am|pm|h|u)\b)"
    r"(?P<user>[A-Za-z0-9_]{1,30})(?P<more>(?:[.-]+[A-Za-z0-9_]+)*)"
    rf"(?:@(?P<inst>(?:{_ASCII_LABEL}\.)+[A-Za-z]{{2,63}}))?(?![\w@])"
)


_BTC_LEGACY = re.compile(r"[13](?<!\w[13])[1-9A-HJ-NP-Za-km-z]{25,34}(?!\w)")
_BTC_SEGWIT = re.compile(r"(?<!\w)(?:bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87})(?!\w)")
_ETH = re.compile(r"(?<!\w)0x([0-9a-fA-F]{40})(?!\w)")

_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![\w:])"
)
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|\bver|version|versie|versión|build|release|firmware|update)\s?$")

_DOMAIN_HINT = re.compile(r"\.(?<=[^\W_]\.)[^\W\d_]{2}")
_BARE_DOMAIN = re.compile(r"(?<![\w@./:#+-])(?:[^\W_][\w-]*\.)+[^\W\d_]{2,63}(?![\w@-]|\.\w)")

_PHONE_HINT = re.compile(r"\d(?:[\s().\-/]{0,3}\d){4,}")  # 5+ digits
# Dates and times that phone metadata would accept as numbers (08.03.2024 is a valid German number).
_DATE_LIKE = re.compile(
    r"\d{1,2}([./-])\d{1,2}\1(?:\d{2}|\d{4})|\d{4}([./-])\d{1,2}\2\d{1,2}|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
)

# --- helpers -------------------------------------------------------------------------------------

class _Spans:
    """Spans already taken, to keep later rules out of them."""

    __slots__ = ("spans",)

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        self.spans.append((start, end))

    def free(self, start: int, end: int) -> bool:
        for s, e in self.spans:  # noqa: SIM110 (a plain loop: this runs for every match)
            if start < e and end > s:
                return False
        return True


def _tld_as_written(host: str) -> bool:
    """Whether the last label reads as a top-level domain: not a file extension, one case."""
    tld = host.rpartition(".")[2]
    # "Great day.Love it" is a missing space, not a domain; main.py is a file.
    return tld.lower() not in _FILE_EXTENSIONS and (tld.islower() or tld.isupper())


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last in _URL_TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _url_norm(url: str, host_end: int) -> str:
    if url[:4].lower() != "http":  # bare www.: browsers assume http
        return "http://" + url[:host_end].lower() + url[host_end:]
    return url[:host_end].lower() + url[host_end:]


def _as_ip(host: str) -> str | None:
    if not host or not (host[0].isdigit() or host[0] == "[" or ":" in host):
        return None
    try:
        return ipaddress.ip_address(host.strip("[]")).compressed
    except ValueError:
        return None


def _eip55(hex40: str) -> str:
    digest = keccak(hex40.lower().encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h, 16) >= 8 else c.lower()
                          for c, h in zip(hex40, digest[:40], strict=True))


def _valid_legacy_btc(address: str) -> bool:
    try:
        raw = base58.b58decode_check(address)
    except ValueError:
        return False
    return len(raw) == 21 and raw[0] == (0 if address[0] == "1" else 5)


def _region_list(regions: Iterable[str]) -> list[str | None]:
    seen: list[str | None] = []
    for region in regions:
        region = region.upper()
        if region and region not in seen:
            seen.append(region)
    return seen or [None]


# --- the finders ---------------------------------------------------------------------------------

def _urls(text: str, out: list[Found], taken: _Spans) -> None:
    for m in _URL.finditer(text):
        if m.start() and _NOT_BEFORE_URL.match(text, m.start() - 1):
            continue
        url = _trim_url(m.group())
        host_m = _URL_HOST.match(url)
        if not host_m or not host_m.group(1).strip("."):
            continue
        host = host_m.group(1)
        start, end = m.start(), m.start() + len(url)
        hs, he = start + host_m.start(1), start + host_m.end(1)
        if _as_ip(host) is None:
            if "." not in host.strip(".") and host.lower() != "localhost":
                continue
            domain = registered_domain(host)
            if domain:
                out.append(Found("DOMAIN", hs, he, host, domain))
        out.append(Found("URL", start, end, url, _url_norm(url, host_m.end(1))))
        taken.add(start, end)


def _map_links(text: str, out: list[Found], coords: _Spans) -> None:
    for start, end, norm in coordinates.in_map_links(text):
        if coords.free(start, end):
            out.append(Found("COORD", start, end, text[start:end], norm))
            coords.add(start, end)


def _emails(text: str, out: list[Found], taken: _Spans) -> None:
    if not _EMAIL_HINT.search(text):
        return
    for m in _EMAIL.finditer(text):
        if taken.free(m.start(), m.end()) and registered_domain(m.group(2)):
            out.append(Found("EMAIL", m.start(), m.end(), m.group(), m.group().lower()))
            taken.add(m.start(), m.end())


def _handles(text: str, out: list[Found], taken: _Spans) -> None:
    for m in _HANDLE.finditer(text):
        user, more, instance = m.group("user", "more", "inst")
        end = m.end("user")
        if instance and registered_domain(instance):  # fediverse @user@instance
            end = m.end("inst")
        elif "." in more and _tld_as_written(more) and registered_domain(user + more):  # @name.bsky.social
            end = m.end("more")
        if taken.free(m.start(), end):
            written = text[m.start():end]
            out.append(Found("HANDLE", m.start(), end, written, written.lower()))
            taken.add(m.start(), end)


def _hashtags(text: str, out: list[Found], taken: _Spans) -> None:
    for m in HASHTAG.finditer(text):
        tag = m.group(1)
        if is_tag(tag) and taken.free(m.start(), m.end()):
            out.append(Found("HASHTAG", m.start(), m.end(), m.group(), "#" + tag.casefold()))
            taken.add(m.start(), m.end())


def _wallets(text: str, out: list[Found], taken: _Spans) -> None:
    if "0x" in text:
        for m in _ETH.finditer(text):
            hex40 = m.group(1)
            checksummed = _eip55(hex40)
            mixed = hex40 != hex40.lower() and hex40 != hex40.upper()
            if (not mixed or checksummed[2:] == hex40) and taken.free(m.start(), m.end()):
                out.append(Found("ETH", m.start(), m.end(), m.group(), checksummed))
    for m in _BTC_LEGACY.finditer(text):
        if _valid_legacy_btc(m.group()) and taken.free(m.start(), m.end()):
            out.append(Found("BTC", m.start(), m.end(), m.group(), m.group()))
    if "bc1" in text or "BC1" in text:
        for m in _BTC_SEGWIT.finditer(text):
            if decode_segwit(m.group()) and taken.free(m.start(), m.end()):
                out.append(Found("BTC", m.start(), m.end(), m.group(), m.group().lower()))


def _ips(text: str, out: list[Found], taken: _Spans) -> None:
    found: list[Found] = []
    for m in _IPV4.finditer(text):
        if _VERSION_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        norm = _as_ip(m.group())
        if norm and taken.free(m.start(), m.end()):
            found.append(Found("IP", m.start(), m.end(), m.group(), norm))
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            norm = _as_ip(m.group())
            if norm and ":" in norm and taken.free(m.start(), m.end()):
                # ::ffff:192.0.2.1 is one address, not also an IPv4 one
                found = [f for f in found if f.end <= m.start() or f.start >= m.end()]
                found.append(Found("IP", m.start(), m.end(), m.group(), norm))
    out.extend(found)


def _coords(text: str, out: list[Found], taken: _Spans, coords: _Spans) -> None:
    for start, end, written, norm in coordinates.written(text):
        if taken.free(start, end) and coords.free(start, end):
            out.append(Found("COORD", start, end, written, norm))
            coords.add(start, end)


def _bare_domains(text: str, out: list[Found], taken: _Spans) -> None:
    if not any(taken.free(m.start(), m.end()) for m in _DOMAIN_HINT.finditer(text)):
        return
    for m in _BARE_DOMAIN.finditer(text):
        written = m.group()
        if not _tld_as_written(written):
            continue
        domain = registered_domain(written)
        if domain and taken.free(m.start(), m.end()):
            out.append(Found("DOMAIN", m.start(), m.end(), written, domain))
            taken.add(m.start(), m.end())


def _phones(text: str, regions: Sequence[str], out: list[Found], taken: _Spans) -> None:
    if not _PHONE_HINT.search(text):
        return
    for region in _region_list(regions):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if taken.free(match.start, match.end) and not _DATE_LIKE.fullmatch(match.raw_string):
                norm = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                out.append(Found("PHONE", match.start, match.end, match.raw_string, norm))
                taken.add(match.start, match.end)


def find_selectors(text: str, regions: Sequence[str] = ()) -> list[Found]:
    """Every selector in ``text``, sorted by start.

    ``regions`` are ISO 3166 alpha-2 codes that phone numbers written without a country code are
    read in (tried in order); numbers written with ``+`` are found whatever the regions.
    """
    out: list[Found] = []
    if not text:
        return out
    # Cheap tests first: most posts have no '@', no URL, no digits, so most rules never run.
    has_dot, has_digit = "." in text, _DIGIT.search(text) is not None
    taken = _Spans()  # what later rules must keep out of
    if "://" in text or "www." in text or "WWW." in text:
        _urls(text, out, taken)
    in_urls = list(taken.spans)
    coords = _Spans()
    if has_digit and (in_urls or "geo:" in text or "GEO:" in text or "Geo:" in text):
        _map_links(text, out, coords)
    if "@" in text:
        if has_dot:
            _emails(text, out, taken)
        _handles(text, out, taken)
    if "#" in text:
        _hashtags(text, out, taken)
    if has_digit:
        # Wallets and IPs may sit in an explorer link: kept out of handles etc., not out of URLs.
        outside = _Spans()
        outside.spans = taken.spans[len(in_urls):]
        _wallets(text, out, outside)
        if has_dot or "::" in text:
            _ips(text, out, outside)
        _coords(text, out, taken, coords)
        for found in out:
            if found.label in _NOT_PHONE_INSIDE:
                taken.add(found.start, found.end)
    if has_dot:
        _bare_domains(text, out, taken)
    if has_digit:
        _phones(text, regions, out, taken)
    out.sort(key=_ORDER)
    return out


_NOT_PHONE_INSIDE = frozenset({"BTC", "ETH", "IP", "COORD", "DOMAIN"})
_DIGIT = re.compile(r"\d")


def _ORDER(found: Found) -> tuple[int, int, bool, str]:
    return found.start, -found.end, found.label != "URL", found.label


# --- what the platform said ----------------------------------------------------------------------

def _locate(text: str, needle: str, used: set[int]) -> tuple[int | None, int | None]:
    """The first unused case-insensitive occurrence of needle in text that is a whole token."""
    if not needle:
        return None, None
    lowered, target = text.lower(), needle.lower()
    if len(lowered) != len(text) or len(target) != len(needle):  # lower() changed lengths (İ): be exact
        lowered, target = text, needle
    pos = lowered.find(target)
    while pos >= 0:
        end = pos + len(target)
        whole = end == len(text) or not (text[end].isalnum() or text[end] in "_@")
        if whole and pos not in used:
            used.add(pos)
            return pos, end
        pos = lowered.find(target, pos + 1)
    return None, None


def platform_entities(uid: str, text: str, mentions: Iterable[str] = (), hashtags: Iterable[str] = (),
                      links: Iterable[str] = ()) -> list[Entity]:
    """Entities from what the platform gave (mentions without '@', hashtags without '#', links).

    Method "platform"; offsets are set where the value is written in the text, else None. A link
    also gives its registered DOMAIN, located at the link's host when the link is in the text.
    """
    text = text or ""
    entities: list[Entity] = []
    used: set[int] = set()

    def add(label: str, written: str, norm: str, start: int | None, end: int | None) -> None:
        shown = text[start:end] if start is not None else written
        entities.append(Entity(uid, label, shown, norm, start, end, "platform"))

    for mention in mentions:
        handle = "@" + mention.strip().lstrip("@")
        if handle != "@":
            add("HANDLE", handle, handle.lower(), *_locate(text, handle, used))
    for tag in hashtags:
        tag = "#" + tag.strip().lstrip("#")
        if tag != "#":
            add("HASHTAG", tag, tag.casefold(), *_locate(text, tag, used))
    for link in links:
        link = link.strip()
        host_m = _URL_HOST.match(link)
        if not link or not host_m:
            continue
        start, end = _locate(text, link, used)
        add("URL", link, _url_norm(link, host_m.end(1)), start, end)
        domain = registered_domain(host_m.group(1)) if _as_ip(host_m.group(1)) is None else ""
        if domain:
            hs = None if start is None else start + host_m.start(1)
            he = None if start is None else start + host_m.end(1)
            add("DOMAIN", host_m.group(1), domain, hs, he)
    return entities


def without_shortened(found: Iterable[Entity], given: Iterable[Entity], *, media: bool = False
                      ) -> list[Entity]:
    """``found`` (the rules' entities of a text) without the shortener DOMAIN of each link whose
    expansion the platform gave in ``given`` (:func:`platform_entities`, where its own DOMAIN is).

    A tweet's text holds t.co links, its links their expansions (not in the text): each expansion
    accounts for one shortened link, in text order; with ``media``, the last t.co is the item's own
    photo or video. A shortened link the platform did not expand keeps its DOMAIN."""
    found = list(found)
    expanded = sum(1 for e in given if e.label == "URL" and e.start is None)
    shortened = [i for i, e in enumerate(found)
                 if e.label == "DOMAIN" and e.start is not None and is_shortener(e.norm)]
    drop = set(shortened[:expanded])
    if media:
        drop.update([i for i in shortened if found[i].norm == "t.co" and i not in drop][-1:])
    return [e for i, e in enumerate(found) if i not in drop]
