"""When and where the demo story happens: its clock, its places, and how busy each hour is.

The event (fictional): at 00:41 local time on Friday 8 March 2024 (23:41 UTC on the 7th) a tank
farm at the Brandt-Ostermann Chemie plant in the Botlek, in the Port of Rotterdam, explodes and
burns for two days. Rozenburg is evacuated, the smoke drifts south-east over Dordrecht towards
Antwerp, rumours spread (hidden deaths, poisoned tap water, sabotage), people protest in Rotterdam,
The Hague and Antwerp, and a cluster of fresh accounts pushes #BOCcoverup in synchronised waves.
The places are real; the plant, the company and every person are not.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate

#: Local time in the Netherlands in March (before the switch to summer time on 31 March).
LOCAL = timezone(timedelta(hours=1), "CET")
START = datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
EVENT = datetime(2024, 3, 7, 23, 41, tzinfo=UTC)
END = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
#: When the collections were made (the exports' own dates), fixed so the output never changes.
COLLECTED = datetime(2024, 3, 15, 13, 5, 11, tzinfo=UTC)
PLANT = (51.8893, 4.2987)  # the Botlek, where the fictional plant stands


@dataclass(frozen=True)
class Place:
    """A real place with its real coordinates."""

    name: str
    lat: float
    lon: float
    country_code: str
    country: str
    local: bool = False  # in the Rijnmond area around the plant


PLACES = {
    p.name: p
    for p in (
        Place("Rozenburg", 51.9050, 4.2486, "NL", "Nederland", True),
        Place("Vlaardingen", 51.9125, 4.3419, "NL", "Nederland", True),
        Place("Schiedam", 51.9192, 4.3989, "NL", "Nederland", True),
        Place("Spijkenisse", 51.8447, 4.3294, "NL", "Nederland", True),
        Place("Maassluis", 51.9233, 4.2500, "NL", "Nederland", True),
        Place("Hoogvliet", 51.8617, 4.3561, "NL", "Nederland", True),
        Place("Pernis", 51.8867, 4.3883, "NL", "Nederland", True),
        Place("Brielle", 51.9017, 4.1625, "NL", "Nederland", True),
        Place("Rotterdam", 51.9225, 4.4792, "NL", "Nederland", True),
        Place("Delft", 52.0116, 4.3571, "NL", "Nederland"),
        Place("The Hague", 52.0705, 4.3007, "NL", "Nederland"),
        Place("Dordrecht", 51.8133, 4.6901, "NL", "Nederland"),
        Place("Zwijndrecht", 51.8167, 4.6333, "NL", "Nederland"),
        Place("Breda", 51.5719, 4.7683, "NL", "Nederland"),
        Place("Utrecht", 52.0907, 5.1214, "NL", "Nederland"),
        Place("Amsterdam", 52.3676, 4.9041, "NL", "Nederland"),
        Place("Antwerp", 51.2194, 4.4025, "BE", "Belgium"),
        Place("Ghent", 51.0543, 3.7174, "BE", "Belgium"),
        Place("Brussels", 50.8503, 4.3517, "BE", "Belgium"),
        Place("Cologne", 50.9375, 6.9603, "DE", "Deutschland"),
        Place("Düsseldorf", 51.2277, 6.7735, "DE", "Deutschland"),
        Place("Berlin", 52.5200, 13.4050, "DE", "Deutschland"),
        Place("Lille", 50.6292, 3.0573, "FR", "France"),
        Place("Paris", 48.8566, 2.3522, "FR", "France"),
        Place("London", 51.5072, -0.1276, "GB", "United Kingdom"),
        Place("Manchester", 53.4808, -2.2426, "GB", "United Kingdom"),
        Place("Madrid", 40.4168, -3.7038, "ES", "España"),
        Place("Barcelona", 41.3874, 2.1686, "ES", "España"),
        Place("Kyiv", 50.4501, 30.5234, "UA", "Україна"),
    )
}
LOCAL_PLACES = [p for p in PLACES.values() if p.local and p.name != "Rotterdam"]
PLUME_CITIES = ["Dordrecht", "Zwijndrecht", "Breda", "Antwerp", "Ghent"]
PROTESTS = (
    (datetime(2024, 3, 10, 13, 0, tzinfo=UTC), "Rotterdam"),
    (datetime(2024, 3, 12, 11, 0, tzinfo=UTC), "The Hague"),
    (datetime(2024, 3, 13, 17, 30, tzinfo=UTC), "Antwerp"),
)
#: Waves of the coordinated #BOCcoverup accounts (UTC).
WAVES = (
    datetime(2024, 3, 9, 19, 2, tzinfo=UTC),
    datetime(2024, 3, 10, 7, 48, tzinfo=UTC),
    datetime(2024, 3, 10, 20, 33, tzinfo=UTC),
    datetime(2024, 3, 11, 12, 5, tzinfo=UTC),
    datetime(2024, 3, 12, 21, 17, tzinfo=UTC),
    datetime(2024, 3, 13, 18, 40, tzinfo=UTC),
)

# How busy each local hour is on an ordinary day (people sleep, commute, eat, scroll at night).
DIURNAL = (0.25, 0.14, 0.09, 0.07, 0.07, 0.11, 0.3, 0.6, 0.85, 0.95, 1.0, 1.0,
           1.05, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.2, 1.25, 1.15, 0.9, 0.5)
BIN = 600  # seconds per sampling bin


def hours_since_event(when: datetime) -> float:
    return (when - EVENT).total_seconds() / 3600


def intensity(when: datetime, *, decay: float = 30.0) -> float:
    """Relative posting rate at ``when``: a quiet before, a burst at the event, then decay.

    ``decay`` (hours) sets how fast interest fades; protests add their own bumps.
    """
    hours = hours_since_event(when)
    rhythm = DIURNAL[when.astimezone(LOCAL).hour]
    if hours < 0:
        return 0.03 * rhythm
    # The burst ignores the night: the explosion wakes everyone up.
    burst = 5.0 * math.exp(-hours / 3.0) * min(1.0, hours * 6 + 0.15)
    level = 1.1 * math.exp(-hours / decay) + 0.22
    for when_protest, _ in PROTESTS:
        gap = (when - when_protest).total_seconds() / 3600
        level += 0.45 * math.exp(-(gap / 4) ** 2)
    return burst + level * rhythm


@lru_cache(maxsize=16)
def _bins(start: datetime, end: datetime, decay: float) -> tuple[list[datetime], list[float]]:
    count = int((end - start).total_seconds() // BIN)
    starts = [start + timedelta(seconds=BIN * i) for i in range(count)]
    weights = [intensity(t + timedelta(seconds=BIN / 2), decay=decay) for t in starts]
    return starts, list(accumulate(weights))


def sample_times(
    rng: random.Random, n: int, *, start: datetime = START, end: datetime = END,
    decay: float = 30.0,
) -> list[datetime]:
    """``n`` sorted post times drawn from :func:`intensity` between ``start`` and ``end``."""
    starts, cumulative = _bins(start, end, decay)
    total = cumulative[-1]
    times = []
    for _ in range(n):
        index = bisect_right(cumulative, rng.random() * total)
        offset = rng.random() * BIN
        times.append(starts[min(index, len(starts) - 1)] + timedelta(seconds=offset))
    times.sort()
    return [t.replace(microsecond=(t.microsecond // 1000) * 1000) for t in times]


def phase_weights(when: datetime) -> dict[str, float]:
    """Which part of the story people talk about at ``when``."""
    hours = hours_since_event(when)
    if hours < 0:
        return {"before": 1.0}
    if hours < 5:
        weights = {"breaking": 0.85, "evacuation": 0.08, "rumour": 0.07}
    elif hours < 30:
        weights = {"breaking": 0.2, "evacuation": 0.45, "plume": 0.17, "rumour": 0.18}
    elif hours < 72:
        weights = {"evacuation": 0.12, "plume": 0.33, "rumour": 0.35, "aftermath": 0.1}
    else:
        weights = {"plume": 0.05, "rumour": 0.3, "aftermath": 0.5}
    for when_protest, _ in PROTESTS:
        gap = (when - when_protest).total_seconds() / 3600
        if -18 < gap < 10:
            weights["protest"] = weights.get("protest", 0) + 0.9 * math.exp(-(gap / 6) ** 2)
    return weights


def pick_phase(rng: random.Random, when: datetime) -> str:
    weights = phase_weights(when)
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def protest_city(when: datetime) -> str:
    """The protest nearest in time to ``when``."""
    return min(PROTESTS, key=lambda p: abs((p[0] - when).total_seconds()))[1]


def local_text(when: datetime, fmt: str = "%H:%M") -> str:
    """``when`` on a Dutch wall clock."""
    return when.astimezone(LOCAL).strftime(fmt)


def iso_z(when: datetime, *, ms: bool = True) -> str:
    """``2024-03-08T00:52:13.000Z``: the form X v2, Mastodon and Bluesky use."""
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{when.microsecond // 1000:03d}Z" if ms else text + "Z"
