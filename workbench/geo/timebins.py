"""Items counted per grid cell and time step, for a map's time slider.

A time slider over 100,000 single points would make the page huge and slow; instead the items are
bucketed into steps (a minute up to a month, chosen so there are at most ``max_steps``) and, per
step, into grid cells (coarsened until there are at most ``max_features`` cells in all). Each
cell is drawn at the mean position of its items, sized by how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.geo.frame import epoch_seconds

# (ISO 8601 duration, seconds), finest first.
STEPS = (("PT1M", 60), ("PT5M", 300), ("PT15M", 900), ("PT1H", 3600), ("PT6H", 21600),
         ("P1D", 86400), ("P7D", 604800), ("P30D", 2592000), ("P365D", 31536000))
# Grid cell sizes in degrees, finest first (0.0001 degree is about 11 m).
CELLS = (0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
MAX_CELL = 0.5  # coarser cells than this lose the city; take a longer time step first


@dataclass(frozen=True)
class TimeBins:
    """Counts per (cell, step). ``times`` are every step's start in ms since the epoch (UTC),
    first to last, empty steps included so the slider moves at an even pace."""

    period: str
    step_seconds: int
    cell_degrees: float
    times: list[int]
    lat: np.ndarray
    lon: np.ndarray
    step: np.ndarray
    count: np.ndarray
    untimed: int

    def __len__(self) -> int:
        return len(self.count)


def time_bins(lat: pd.Series, lon: pd.Series, when: pd.Series, *, max_steps: int = 250,
              max_features: int = 10_000) -> TimeBins | None:
    """Bucket located items by time step and grid cell; None when no item has a time.

    ``when`` is tz-aware UTC (NaT for items without a time: they are counted in ``untimed``).
    The finest step with at most ``max_steps`` steps is tried with ever coarser cells up to
    ``MAX_CELL`` degrees; if there are still more than ``max_features`` (cell, step) pairs, the
    next coarser step is tried, and so on (the coarsest pair is taken when nothing fits).
    """
    timed = when.notna().to_numpy()
    untimed = int((~timed).sum())
    if not timed.any():
        return None
    seconds = epoch_seconds(when[timed])
    lat_v, lon_v = lat.to_numpy()[timed], lon.to_numpy()[timed]
    first, last = int(seconds.min()), int(seconds.max())
    steps = [(p, s) for p, s in STEPS if last // s - first // s + 1 <= max_steps] or [STEPS[-1]]
    choice = None
    for period, size in steps:
        step = seconds // size - first // size
        for cell in CELLS:
            if cell > MAX_CELL:
                break
            if _pairs(lat_v, lon_v, step, cell) <= max_features:
                choice = (period, size, cell)
                break
        if choice:
            break
    period, size, cell = choice or (*steps[-1], CELLS[-1])
    start = first // size
    step = (seconds // size - start).astype("int64")
    frame = pd.DataFrame({"step": step, "y": np.floor(lat_v / cell).astype("int64"),
                          "x": np.floor(lon_v / cell).astype("int64"), "lat": lat_v, "lon": lon_v})
    summary = frame.groupby(["step", "y", "x"], sort=True).agg(
        lat=("lat", "mean"), lon=("lon", "mean"), count=("lat", "size")).reset_index()
    return TimeBins(period=period, step_seconds=size, cell_degrees=cell,
                    times=[(start + i) * size * 1000 for i in range(int(step.max()) + 1)],
                    lat=summary["lat"].to_numpy(), lon=summary["lon"].to_numpy(),
                    step=summary["step"].to_numpy(), count=summary["count"].to_numpy(), untimed=untimed)


def _pairs(lat: np.ndarray, lon: np.ndarray, step: np.ndarray, cell: float) -> int:
    """How many distinct (step, cell) pairs the items fall in."""
    y = np.floor((lat + 90) / cell).astype("int64")
    x = np.floor((lon + 180) / cell).astype("int64")
    width, height = int(360 / cell) + 2, int(180 / cell) + 2
    return len(pd.unique((step.astype("int64") * height + y) * width + x))
