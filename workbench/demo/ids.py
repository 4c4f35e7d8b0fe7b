"""Identifiers in each platform's own shape, made from a seeded random source and a time.

X and Mastodon ids are time-ordered integers (snowflakes), Reddit's are base-36, Bluesky's are
DIDs, TIDs and CIDs in base-32. Making them from the post's time keeps them sortable as the real
ones are, so id order and time order agree.
"""

from __future__ import annotations

import random
import string
from datetime import datetime

TWITTER_EPOCH_MS = 1288834974657
B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"  # atproto's sortable base-32
B32 = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 lower case, as in CIDs and DIDs
B36 = string.digits + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits


def epoch_ms(when: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(when.timestamp() * 1000)


def twitter_snowflake(rng: random.Random, when: datetime) -> str:
    """An X/Twitter id: milliseconds since 2010-11-04 in the top bits, then worker and sequence."""
    return str(((epoch_ms(when) - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))


def mastodon_id(rng: random.Random, when: datetime) -> str:
    """A Mastodon id: milliseconds since the epoch shifted 16 bits, plus a sequence."""
    return str((epoch_ms(when) << 16) | rng.getrandbits(16))


def base36(number: int) -> str:
    """``number`` in Reddit's base 36."""
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = B36[rest] + digits
        if not number:
            return digits


def alnum(rng: random.Random, length: int) -> str:
    """Random letters and digits, as in t.co paths and media file names."""
    return "".join(rng.choice(ALNUM) for _ in range(length))


def tco(rng: random.Random) -> str:
    """A t.co short link."""
    return f"https://t.co/{alnum(rng, 10)}"


def tid(rng: random.Random, when: datetime) -> str:
    """An atproto record key (TID): 53 bits of microseconds and 10 bits of clock id, base-32."""
    value = (int(when.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
    return "".join(B32_SORT[(value >> shift) & 31] for shift in range(60, -1, -5))


def did_plc(rng: random.Random) -> str:
    """A ``did:plc`` identifier: 24 base-32 characters."""
    return "did:plc:" + "".join(rng.choice(B32) for _ in range(24))


def cid(rng: random.Random, *, raw: bool = False) -> str:
    """A CIDv1 in base-32: ``bafyrei...`` for records (dag-cbor), ``bafkrei...`` for blobs."""
    return ("bafkrei" if raw else "bafyrei") + "".join(rng.choice(B32) for _ in range(52))


def hex_id(rng: random.Random, length: int = 16) -> str:
    """Lower-case hex digits, as in X place ids."""
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))
