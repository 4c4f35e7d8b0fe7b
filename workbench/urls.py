"""The article a URL stands for, so that one page shared as variants of its URL counts as one;
and the link shorteners, whose domain says nothing of where a link leads.

``https://www.news.example/story?utm_source=tw#top`` and ``http://news.example/story`` are the
same article: the key drops the scheme, a ``www.``/``m.`` host prefix, the fragment, a trailing
slash and the trackers sharing tools add (``utm_*``, ``fbclid``, ...), and sorts what is left of
the query, with w3lib (Scrapy's URL library) doing the canonical form.
"""

from __future__ import annotations

from functools import lru_cache

from w3lib.url import canonicalize_url

#: Query parameters that say who shared a link or how, not what it leads to.
TRACKERS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "ref_src",
    "ref_url", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc",
    "cmpid", "s_cid", "ncid", "smid", "twclid", "ttclid",
})
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")

#: Registered domains of link shorteners: a link through one (every link of a tweet is t.co)
#: says nothing of where it leads. Publishers' own short domains that name them (on.wsj.com,
#: youtu.be) are not here: they do say where.
SHORTENERS = frozenset({
    "t.co", "bit.ly", "bitly.com", "j.mp", "ow.ly", "ht.ly", "buff.ly", "goo.gl", "tinyurl.com",
    "dlvr.it", "ift.tt", "fb.me", "lnkd.in", "trib.al", "is.gd", "v.gd", "tiny.cc", "cutt.ly",
    "rebrand.ly", "shorturl.at", "t.ly", "rb.gy", "s.id", "shar.es", "su.pr", "wp.me", "po.st",
    "ln.is", "tr.im", "bl.ink", "snip.ly", "hubs.ly", "spr.ly", "mf.tt", "qr.ae", "x.co",
})


@lru_cache(maxsize=65536)
def link_key(url: str) -> str:
    """The comparable form of ``url``: host (lower case, without ``www.``, ``m.``, ``mobile.`` or
    ``amp.``), path without a trailing slash, and the sorted query without trackers. Text that is
    not an http(s) URL is returned as it is."""
    text = url.strip()
    if not text.lower().startswith(("http://", "https://")):
        return url
    try:
        canonical = canonicalize_url(text)  # lower-case host, sorted query, no fragment
    except ValueError:  # a port that is no number, an invalid IPv6 host
        return url
    rest = canonical.split("://", 1)[1]
    host, slash, tail = rest.partition("/")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix):]
            break
    path, mark, query = tail.partition("?")
    kept = [pair for pair in query.split("&") if pair and not _tracker(pair.split("=", 1)[0])]
    path = path.rstrip("/")
    return f"{host}/{path}" + (f"?{'&'.join(kept)}" if kept else "") if slash or kept else host


def is_shortener(domain: object) -> bool:
    """Whether ``domain`` (a registered domain, any case) is a link shortener's."""
    return isinstance(domain, str) and domain.lower().rstrip(".") in SHORTENERS


def _tracker(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("utm_") or lower in TRACKERS
